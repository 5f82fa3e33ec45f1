"""Accounts that imitate the agency's official accounts or its agents: flagged with the
evidence, and a takedown report for the platform.

Each profile is compared with every protected identity (the agency, each agent) on three
things an impersonator copies: the handle (read through look-alike characters, separators and
the words they add: ``acme_rec0uvrement_support`` reads ``acmerecouvrement``), the display
name (decorations such as "✓" or "Officiel" removed) and the picture (the perceptual hash
within a few bits). A claim of officialness in the name or bio ("official support", "service
client officiel") counts too. Critics and parodies that name the agency with words such as
"scam" or "arnaque" do not pretend to be it and are left alone; so are an agent's namesakes,
who share a name but neither the picture nor a claim to speak for the agency.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

# Look-alike characters read as the letter they imitate ("i" and "l" are one letter here).
_FOLD = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "i": "l", "|": "l"})  # fmt: skip
_PAIRS = (("rn", "m"), ("vv", "w"))
# Words impersonators add to a copied handle or name; stripped before comparing.
AFFIXES = (
    "official", "officiel", "officielle", "oficial", "support", "help", "helpdesk", "service",
    "services", "team", "info", "contact", "real", "the", "care", "ayuda", "client", "cliente",
)  # fmt: skip
OFFICIAL_CLAIMS = re.compile(
    r"\b(official|officiel(le)?|oficial|customer care|service client|atenci[oó]n al cliente|"
    r"support|verified|v[ée]rifi[ée])\b|✓|✔",
    re.IGNORECASE,
)
# The same claim made by a word added to the handle ("acme_support", "jean.dupont.officiel").
HANDLE_CLAIMS = re.compile(r"(official|officiel|oficial|support|helpdesk|service|care)")
CRITIC_WORDS = re.compile(
    r"(scam|arnaque|estafa|victim|victime|v[ií]ctima|stop|sucks|truth|parod|fake|boycott|"
    r"fraud|exposed|denuncia)",
    re.IGNORECASE,
)
# Perceptual hashes of the same picture after recompression or cropping differ in few bits.
PICTURE_BITS = 10
HANDLE_CLOSE = 0.85
NAME_SAME = 0.9
FLAG_SCORE = 3


@dataclass(frozen=True)
class Account:
    """A profile as a network shows it (the detector's input)."""

    external_id: str
    network: str
    handle: str
    display_name: str
    photo_hash: str | None = None
    bio: str = ""
    url: str = ""


@dataclass(frozen=True)
class Protected:
    """The agency or an agent, with its real accounts."""

    key: str
    kind: str  # "agency" or "agent"
    name: str
    accounts: tuple[Account, ...]


@dataclass
class Flag:
    """A profile judged to imitate a protected identity, and why."""

    account: Account
    imitates: Protected
    score: int
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The flag as a JSON object."""
        return {
            "external_id": self.account.external_id,
            "network": self.account.network,
            "handle": self.account.handle,
            "display_name": self.account.display_name,
            "url": self.account.url,
            "imitates": self.imitates.key,
            "imitates_name": self.imitates.name,
            "score": self.score,
            "evidence": self.evidence,
        }


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


def _fold(text: str) -> str:
    out = _ascii(text).translate(_FOLD)
    for pair, letter in _PAIRS:
        out = out.replace(pair, letter)
    return out


@lru_cache(maxsize=4096)
def handle_skeleton(handle: str) -> str:
    """What a handle reads as: look-alikes folded, separators, added words and digits gone."""
    words = [w for w in re.split(r"[^a-z0-9]+", _ascii(handle)) if w]
    words = [w for w in words if w not in AFFIXES]
    # Trailing digits are a suffix ("jean.dupont123"), read before "1" and "3" fold to letters.
    joined = _fold(re.sub(r"\d+$", "", "".join(words)))
    changed = True
    while changed:
        changed = False
        for folded in _FOLDED_AFFIXES:
            # Each cut shortens the text, so this ends.
            cut = joined.removeprefix(folded)
            if cut == joined:
                cut = joined.removesuffix(folded)
            if cut != joined and len(cut) >= 4:
                joined, changed = cut, True
    return joined


@lru_cache(maxsize=4096)
def name_skeleton(name: str) -> str:
    """A display name without decorations or added words, look-alikes folded."""
    words = [w for w in re.split(r"[^a-z0-9]+", _ascii(name)) if w and w not in AFFIXES]
    return " ".join(_fold(w) for w in words)


_FOLDED_AFFIXES = tuple(_fold(a) for a in AFFIXES)


def picture_distance(a: str | None, b: str | None) -> int | None:
    """Differing bits between two 64-bit perceptual hashes (hex), None when one is missing."""
    if not a or not b:
        return None
    try:
        return bin(int(a, 16) ^ int(b, 16)).count("1")
    except ValueError:
        return None


def _judge(account: Account, who: Protected) -> Flag | None:
    evidence: list[str] = []
    score = 0
    skeleton = handle_skeleton(account.handle)
    targets = {handle_skeleton(a.handle): a for a in who.accounts}
    targets.setdefault(handle_skeleton(who.name), who.accounts[0])
    best, closest = 0.0, who.accounts[0]
    for target, real in targets.items():
        ratio = fuzz.ratio(skeleton, target) / 100 if skeleton and target else 0.0
        if ratio > best:
            best, closest = ratio, real
    if best == 1.0:
        score += 2
        evidence.append(
            f"handle @{account.handle} reads as @{closest.handle} once look-alike characters, "
            "separators and added words are set aside"
        )
    elif best >= HANDLE_CLOSE:
        score += 1
        evidence.append(f"handle @{account.handle} is {best:.0%} like @{closest.handle}")
    own_name = name_skeleton(who.name)
    name_ratio = fuzz.token_set_ratio(name_skeleton(account.display_name), own_name) / 100
    if name_ratio >= NAME_SAME:
        score += 1
        evidence.append(f"display name {account.display_name!r} copies {who.name!r}")
    pictures = [
        (d, real)
        for real in who.accounts
        if (d := picture_distance(account.photo_hash, real.photo_hash)) is not None
    ]
    nearest = min(pictures, key=lambda p: p[0]) if pictures else None
    matched_picture = nearest is not None and nearest[0] <= PICTURE_BITS
    if nearest is not None and matched_picture:
        distance, source = nearest
        how = "the same picture" if distance == 0 else f"a copy of the picture ({distance}/64 bits)"
        score += 2
        evidence.append(f"{how} as the official @{source.handle} on {source.network}")
    claims = OFFICIAL_CLAIMS.search(f"{account.display_name} {account.bio}")
    claimed = HANDLE_CLAIMS.search(_ascii(account.handle))
    if claims:
        score += 1
        evidence.append(f"claims to be official ({claims.group(0)!r})")
    elif claimed:
        score += 1
        evidence.append(f"the handle adds {claimed.group(0)!r} to look official")
    if score < FLAG_SCORE:
        return None
    # An agent's namesake shares the name (and often the handle) but neither the picture
    # nor a claim to speak for the agency.
    if who.kind == "agent" and not (matched_picture or claims or claimed):
        return None
    return Flag(account=account, imitates=who, score=score, evidence=evidence)


def detect(profiles: Iterable[Account], protected: Sequence[Protected]) -> list[Flag]:
    """Profiles imitating a protected identity (the best match each), strongest first."""
    official = {(a.network, a.handle.lower()) for p in protected for a in p.accounts}
    flags: list[Flag] = []
    for account in profiles:
        if (account.network, account.handle.lower()) in official:
            continue
        if CRITIC_WORDS.search(f"{account.handle} {account.display_name}"):
            continue  # criticism and parody name the agency without pretending to be it
        judged = [f for who in protected if (f := _judge(account, who)) is not None]
        if judged:
            flags.append(max(judged, key=lambda f: f.score))
    return sorted(flags, key=lambda f: (-f.score, f.account.external_id))


def takedown_report(flag: Flag, *, agency: str) -> str:
    """A report for the platform's impersonation form (Markdown, English)."""
    real = flag.imitates.accounts
    lines = [
        f"# Impersonation report: @{flag.account.handle} on {flag.account.network}",
        "",
        f"Reported by: {agency}",
        "",
        f"The account @{flag.account.handle} ({flag.account.url or 'no address given'}), "
        f"shown as {flag.account.display_name!r}, imitates "
        + ("our agency" if flag.imitates.kind == "agency" else "one of our employees")
        + f", {flag.imitates.name}, whose genuine accounts are:",
        "",
        *[f"- @{a.handle} on {a.network}: {a.url or '(address on file)'}" for a in real],
        "",
        "## Evidence",
        "",
        *[f"- {line}" for line in flag.evidence],
        "",
        "## Request",
        "",
        "This account may lead people to believe they are dealing with us, and to share "
        "personal or payment details with someone else. We ask that it be removed under your "
        "impersonation policy. We can confirm our identity and our ownership of the genuine "
        "accounts on request.",
        "",
    ]
    return "\n".join(lines)


def protected_from_json(data: dict[str, Any]) -> tuple[str, list[Protected]]:
    """The agency's name and protected identities from an officials file.

    ``{"agency": str, "officials": [{"key", "kind", "name", "accounts": [account...]}]}``;
    ValueError naming the entry when a field is missing."""
    out: list[Protected] = []
    for n, entry in enumerate(data.get("officials") or [], start=1):
        try:
            accounts = tuple(account_from_json(a) for a in entry["accounts"])
            if not accounts:
                raise ValueError("no account")
            out.append(
                Protected(str(entry["key"]), str(entry["kind"]), str(entry["name"]), accounts)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"officials[{n}]: {exc!s} (key, kind, name, accounts needed)") from exc
    if not out:
        raise ValueError("no official identity listed under 'officials'")
    return str(data.get("agency") or out[0].name), out


def account_from_json(data: dict[str, Any]) -> Account:
    """An account from a JSON object (``handle`` and ``network`` required)."""
    return Account(
        external_id=str(data.get("external_id") or data["handle"]),
        network=str(data["network"]),
        handle=str(data["handle"]),
        display_name=str(data.get("display_name") or ""),
        photo_hash=data.get("photo_hash") or None,
        bio=str(data.get("bio") or ""),
        url=str(data.get("url") or ""),
    )
