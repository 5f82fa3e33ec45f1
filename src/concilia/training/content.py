"""Training content as data: the rule packs (read as YAML), the courses and the question bank.

The packs belong to outreach; they are read here as files, not imported, because outreach
calls training's gate before social sends and an import back would make a circle.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"
PACKS_DIR = Path(__file__).resolve().parent.parent / "outreach" / "rules" / "packs"
LANGS = ("en", "fr", "es")


@dataclass(frozen=True)
class Rule:
    """One rule of a pack, as staff need it: id, category and the description per language."""

    id: str
    jurisdiction: str
    category: str
    citation: str
    description: dict[str, str]


@dataclass(frozen=True)
class Pack:
    """A jurisdiction's rule pack (only what training uses)."""

    jurisdiction: str
    name: str
    version: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Question:
    """A true-or-false statement; ``explanation`` is the rule (or declaration) behind it."""

    id: str
    lang: str
    jurisdiction: str | None
    statement: str
    answer: bool
    explanation: str


@dataclass(frozen=True)
class SourceFacts:
    """What a declared source's terms allow (from sources' declarations)."""

    name: str
    platform: str | None
    allowed_purposes: tuple[str, ...]
    automated_messaging: bool


@lru_cache(maxsize=1)
def packs() -> dict[str, Pack]:
    """The rule packs by jurisdiction (enabled rules only)."""
    out: dict[str, Pack] = {}
    for path in sorted(PACKS_DIR.glob("*.yaml")):
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = tuple(
            Rule(
                id=r["id"],
                jurisdiction=raw["jurisdiction"],
                category=r["category"],
                citation=r["citation"],
                description=dict(r["description"]),
            )
            for r in raw["rules"]
            if r.get("enabled", True)
        )
        out[raw["jurisdiction"]] = Pack(
            raw["jurisdiction"], raw["name"], str(raw["version"]), rules
        )
    return out


def packs_version() -> str:
    """The versions of all packs in one string (part of the policy's fingerprint)."""
    return ", ".join(f"{j}@{p.version}" for j, p in sorted(packs().items()))


@dataclass(frozen=True)
class Course:
    """A course: its Markdown text plus the rules it covers."""

    slug: str
    lang: str
    jurisdiction: str | None
    title: str
    markdown: str
    rules: tuple[Rule, ...]


@lru_cache(maxsize=1)
def _index() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(
        (DATA_DIR / "courses.yaml").read_text(encoding="utf-8")
    )
    return loaded


def courses(lang: str | None = None) -> list[Course]:
    """Every course (of one language when given), rules taken from the packs."""
    out: list[Course] = []
    for entry in _index():
        if lang is not None and entry["lang"] != lang:
            continue
        text = (DATA_DIR / "courses" / entry["lang"] / f"{entry['slug']}.md").read_text(
            encoding="utf-8"
        )
        jurisdiction = entry["jurisdiction"]
        if jurisdiction is None:
            # The general course covers the social-channel rules of every jurisdiction.
            rules = tuple(r for p in packs().values() for r in p.rules if _is_social(r))
        else:
            rules = packs()[jurisdiction].rules
        title = text.splitlines()[0].lstrip("# ").strip()
        out.append(Course(entry["slug"], entry["lang"], jurisdiction, title, text, rules))
    return out


def _is_social(rule: Rule) -> bool:
    suffix = rule.id.split("-", 1)[1]
    return suffix in {"SOCIAL-PRIVATE", "IDENTITY-FIRST", "THIRD-PARTY", "CONNECTION-DISCLOSE"}


def course_markdown(course: Course) -> str:
    """The course's text followed by its rules, in its language."""
    heading = {"en": "Rules enforced", "fr": "Règles appliquées", "es": "Reglas aplicadas"}
    lines = [course.markdown.rstrip(), "", f"## {heading[course.lang]}", ""]
    lines += [f"- **{r.id}** ({r.citation}): {r.description[course.lang]}" for r in course.rules]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _myths() -> list[dict[str, str]]:
    loaded: list[dict[str, str]] = yaml.safe_load(
        (DATA_DIR / "myths.yaml").read_text(encoding="utf-8")
    )
    return loaded


_PURPOSE_WORDS = {
    "en": "May items from {source} be used for {purpose}?",
    "fr": "Les éléments de {source} peuvent-ils servir à : {purpose} ?",
    "es": "¿Pueden usarse los datos de {source} para: {purpose}?",
}
_AUTOMATED_WORDS = {
    "en": "May Concilia send automated messages through {source}?",
    "fr": "Concilia peut-il envoyer des messages automatiques via {source} ?",
    "es": "¿Puede Concilia enviar mensajes automáticos a través de {source}?",
}
_TRUE_MARK = {"en": "True or false: ", "fr": "Vrai ou faux : ", "es": "¿Verdadero o falso? "}


def question_bank(
    *, lang: str, jurisdiction: str | None, sources: list[SourceFacts]
) -> list[Question]:
    """True statements from the rules, false ones contradicting them, and the sources' terms."""
    selected = [packs()[jurisdiction]] if jurisdiction is not None else list(packs().values())
    out: list[Question] = []
    for pack in selected:
        by_suffix = {r.id.split("-", 1)[1]: r for r in pack.rules}
        for rule in pack.rules:
            out.append(
                Question(
                    id=f"rule:{rule.id}",
                    lang=lang,
                    jurisdiction=pack.jurisdiction,
                    statement=_TRUE_MARK[lang] + rule.description[lang],
                    answer=True,
                    explanation=f"{rule.id}: {rule.description[lang]}",
                )
            )
        for number, myth in enumerate(_myths()):
            rule_or_none = by_suffix.get(myth["rule_suffix"])
            if rule_or_none is None:
                continue
            out.append(
                Question(
                    id=f"myth:{pack.jurisdiction}:{number}",
                    lang=lang,
                    jurisdiction=pack.jurisdiction,
                    statement=_TRUE_MARK[lang] + myth[lang],
                    answer=False,
                    explanation=f"{rule_or_none.id}: {rule_or_none.description[lang]}",
                )
            )
    purposes = sorted({p for s in sources for p in s.allowed_purposes} | {"credit_assessment"})
    for src in sources:
        for purpose in purposes:
            allowed = purpose in src.allowed_purposes
            out.append(
                Question(
                    id=f"source:{src.name}:{purpose}",
                    lang=lang,
                    jurisdiction=None,
                    statement=_PURPOSE_WORDS[lang].format(source=src.name, purpose=purpose),
                    answer=allowed,
                    explanation=f"{src.name}: {', '.join(src.allowed_purposes) or '-'}",
                )
            )
        out.append(
            Question(
                id=f"source:{src.name}:automated",
                lang=lang,
                jurisdiction=None,
                statement=_AUTOMATED_WORDS[lang].format(source=src.name),
                answer=src.automated_messaging,
                explanation=f"{src.name}: automated_messaging={src.automated_messaging}",
            )
        )
    return out


def draw(bank: list[Question], *, count: int, seed: int) -> list[Question]:
    """``count`` questions of the bank, at least a third of them false statements when possible."""
    rng = random.Random(seed)
    false = [q for q in bank if not q.answer]
    true = [q for q in bank if q.answer]
    n_false = min(len(false), max(count // 3, count - len(true)))
    picked = rng.sample(false, n_false) + rng.sample(true, min(len(true), count - n_false))
    rng.shuffle(picked)
    return picked
