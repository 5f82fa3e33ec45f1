"""Rule packs: YAML files a compliance officer edits, validated before they replace the old.

A pack that fails validation is refused with its file, line and reason, and the pack that
was active before stays active: a typo must never switch a jurisdiction's rules off.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from concilia.outreach.rules import checks_content, checks_context  # noqa: F401  (registers)
from concilia.outreach.rules.registry import CHECKS, PackContext, Params
from concilia.yaml_lines import line_of

PACKS_DIR = Path(__file__).parent / "packs"
JURISDICTIONS = ("US", "FR", "ES", "UK")


class Texts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)
    es: str = Field(min_length=1)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    url: str
    checked: date
    verified: bool
    note: str = ""


class Evidence(BaseModel):
    """A passage of a legal text read for one rule: where it was read and what it says."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https://")
    # A short quote in the text's own language, so a reviewer can find the passage again.
    quote: str = Field(min_length=1, max_length=700)
    checked: date
    # official: the issuer's or the official publisher's site (eCFR, CFPB, Federal Register,
    # Légifrance, BOE, EUR-Lex, FCA Handbook, legislation.gov.uk); reproduction: the text copied
    # on another site; secondary: commentary about the text. Only "official" can verify a rule.
    kind: Literal["official", "reproduction", "secondary"]
    # For a reproduction: the official text the page copies verbatim and how we know (its own
    # "Source : Legifrance (DILA)" line, "checked against eCFR", or concordant copies). Only a
    # reproduction that names what it copies can verify a rule; a summary never does.
    copy_of: str = ""
    note: str = ""

    @property
    def verifies(self) -> bool:
        return self.kind == "official" or (self.kind == "reproduction" and bool(self.copy_of))


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Z]{2}-[A-Z0-9-]+$")
    citation: str = Field(min_length=1)
    category: str = Field(min_length=1)
    severity: Literal["block", "review"] = "block"
    check: str
    params: dict[str, Any] = {}
    description: Texts
    verified: bool
    # law: the rule applies a legal text. policy: Concilia's own choice (stricter than the law,
    # or where the law says nothing); its citation starts with "Concilia policy" and
    # policy_why says why, so nobody mistakes it for a legal requirement.
    basis: Literal["law", "policy"] = "law"
    policy_why: str = ""
    evidence: list[Evidence] = []
    note: str = ""
    enabled: bool = True

    @field_validator("check")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in CHECKS:
            raise ValueError(f"unknown check type {v!r} (known: {', '.join(sorted(CHECKS))})")
        return v

    @model_validator(mode="after")
    def _verified_needs_the_text(self) -> RuleSpec:
        # "verified" is a claim a compliance officer relies on: it must point at the passage
        # of the text that was read (official site, or a verbatim copy naming what it copies),
        # never at memory, a summary or a blog.
        if self.verified and not any(e.verifies for e in self.evidence):
            raise ValueError(
                "verified: true needs an evidence entry of kind official, or of kind "
                "reproduction with copy_of (url, quote, checked)"
            )
        policy_cite = self.citation.startswith("Concilia policy")
        if self.basis == "policy":
            if not policy_cite:
                raise ValueError("a policy rule's citation must start with 'Concilia policy'")
            if not self.policy_why.strip():
                raise ValueError("a policy rule needs policy_why: why Concilia goes beyond the law")
            if self.verified:
                raise ValueError("a policy rule cannot be verified: it is not a legal requirement")
        elif policy_cite:
            raise ValueError("citation says 'Concilia policy' but basis is law: set basis: policy")
        return self

    @property
    def official_evidence(self) -> list[Evidence]:
        """Evidence that can verify: the official text or a named verbatim copy of it."""
        return [e for e in self.evidence if e.verifies]


class Holidays(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str
    subdiv: str | None = None


class Summary(BaseModel):
    """The pack's own statement of how its rules stand; the loader checks it against the rules."""

    model_config = ConfigDict(extra="forbid")
    rules: int
    verified: int
    policy: int
    unverified: int
    checked: date


class Analysis(BaseModel):
    """A text read to decide whether it binds a collector's contacts, and the answer."""

    model_config = ConfigDict(extra="forbid")
    title: str
    conclusion: str = Field(min_length=1)
    evidence: list[Evidence] = []


class PackSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    jurisdiction: Literal["US", "FR", "ES", "UK"]
    name: str
    version: str
    summary: Summary
    default_time_zones: list[str] = Field(min_length=1)
    holidays: Holidays | None = None
    sources: list[Source] = Field(min_length=1)
    analyses: list[Analysis] = []
    rules: list[RuleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _summary_matches(self) -> PackSpec:
        actual = counts(self.rules)
        stated = self.summary.model_dump(exclude={"checked"})
        if stated != actual:
            raise ValueError(f"summary says {stated} but the rules give {actual}")
        return self

    @field_validator("default_time_zones")
    @classmethod
    def _zones_exist(cls, v: list[str]) -> list[str]:
        from concilia.outreach.rules.calendar import zone

        for name in v:
            try:
                zone(name)
            except Exception as exc:
                raise ValueError(f"unknown time zone {name!r}") from exc
        return v


def counts(rules: list[RuleSpec]) -> dict[str, int]:
    """Rules verified against the text, Concilia policy, and law not yet verified."""
    verified = sum(r.verified for r in rules)
    policy = sum(r.basis == "policy" for r in rules)
    return {
        "rules": len(rules),
        "verified": verified,
        "policy": policy,
        "unverified": len(rules) - verified - policy,
    }


@dataclass(frozen=True, slots=True)
class CompiledRule:
    spec: RuleSpec
    params: Params
    fn: Any


@dataclass(frozen=True, slots=True)
class RulePack:
    spec: PackSpec
    rules: tuple[CompiledRule, ...]
    context: PackContext
    path: Path | None

    @property
    def jurisdiction(self) -> str:
        return self.spec.jurisdiction

    @property
    def version(self) -> str:
        return f"{self.spec.jurisdiction}@{self.spec.version}"


class PackError(ValueError):
    """A pack was refused; ``file``, ``line`` and ``reason`` say where and why."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line if line is not None else '?'}: {reason}")


def _duplicate_key(node: yaml.Node | None) -> tuple[str, int] | None:
    """The first key written twice in one mapping, with its line (YAML keeps the last silently)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                return str(key.value), key.start_mark.line + 1
            seen.add(key.value)
            found = _duplicate_key(value)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _duplicate_key(item)
            if found:
                return found
    return None


def _fmt_loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_pack(text: str, file: str = "<pack>") -> RulePack:
    """Validate a pack's YAML text; raise PackError naming the line of the first problem."""
    try:
        # libyaml's parser when present: the pure-Python one took ~0.3 s per load of the packs.
        root = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python), never yaml.Loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PackError(
            file, mark.line + 1 if mark else None, f"YAML syntax: {exc.problem}"
        ) from exc
    if not isinstance(data, dict):
        raise PackError(file, 1, "a pack is a mapping with jurisdiction, sources and rules")
    # A second `verified:` or `max_attempts:` in a rule would silently win over the first.
    duplicate = _duplicate_key(root)
    if duplicate:
        raise PackError(file, duplicate[1], f"duplicate key {duplicate[0]!r}")
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise PackError(file, line_of(root, loc), f"{_fmt_loc(loc)}: {err['msg']}") from exc
    seen: dict[str, int] = {}
    compiled: list[CompiledRule] = []
    for i, rule in enumerate(spec.rules):
        if rule.id in seen:
            raise PackError(file, line_of(root, ("rules", i, "id")), f"duplicate rule id {rule.id}")
        seen[rule.id] = i
        if not rule.id.startswith(spec.jurisdiction + "-"):
            raise PackError(
                file,
                line_of(root, ("rules", i, "id")),
                f"rule id {rule.id} must start with {spec.jurisdiction}-",
            )
        try:
            params = CHECKS[rule.check].params_model.model_validate(rule.params)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ("rules", i, "params", *err["loc"])
            raise PackError(file, line_of(root, loc), f"{_fmt_loc(loc)}: {err['msg']}") from exc
        if rule.enabled:
            compiled.append(CompiledRule(rule, params, CHECKS[rule.check].fn))
    ctx = PackContext(
        jurisdiction=spec.jurisdiction,
        default_time_zones=tuple(spec.default_time_zones),
        holiday_country=spec.holidays.country if spec.holidays else None,
        holiday_subdiv=spec.holidays.subdiv if spec.holidays else None,
    )
    return RulePack(spec=spec, rules=tuple(compiled), context=ctx, path=None)


def load_pack(path: Path) -> RulePack:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(str(path), None, f"cannot read: {exc.strerror}") from exc
    pack = parse_pack(text, str(path))
    return RulePack(spec=pack.spec, rules=pack.rules, context=pack.context, path=path)


class PackSet:
    """The active packs, one per jurisdiction; reload() swaps in only packs that validate."""

    def __init__(self, directory: Path = PACKS_DIR) -> None:
        self.directory = directory
        self._packs: dict[str, RulePack] = {}
        self._mtimes: dict[Path, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, directory: Path = PACKS_DIR) -> PackSet:
        """Load every pack; at first load any bad pack is an error (there is nothing to keep)."""
        packs = cls(directory)
        errors = packs.reload()
        if errors:
            raise errors[0]
        return packs

    def reload(self) -> list[PackError]:
        """Re-read every *.yaml; keep the previous pack of a jurisdiction whose file is bad."""
        errors: list[PackError] = []
        fresh: dict[str, RulePack] = {}
        mtimes: dict[Path, float] = {}
        for path in sorted(self.directory.glob("*.yaml")):
            mtimes[path] = path.stat().st_mtime
            try:
                pack = load_pack(path)
            except PackError as exc:
                errors.append(exc)
                continue
            if pack.jurisdiction in fresh:
                errors.append(PackError(str(path), 1, f"second pack for {pack.jurisdiction}"))
                continue
            fresh[pack.jurisdiction] = pack
        with self._lock:
            for j, pack in fresh.items():
                self._packs[j] = pack
            self._mtimes = mtimes
        return errors

    def reload_if_changed(self) -> list[PackError]:
        current = {p: p.stat().st_mtime for p in self.directory.glob("*.yaml")}
        if current == self._mtimes:
            return []
        return self.reload()

    def get(self, jurisdiction: str) -> RulePack | None:
        return self._packs.get(jurisdiction)

    def __iter__(self) -> Any:
        return iter(dict(self._packs).values())

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        return tuple(sorted(self._packs))
