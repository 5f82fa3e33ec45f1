"""A simulated world of accounts around an agency, some imitating it or its agents, with truth.

The agency has official accounts on each network and agents with professional accounts. The
crowd around them holds the hard cases a detector must leave alone — agents' namesakes, other
businesses sharing a word of the agency's name, critics and parodies naming the agency — and
impersonators built the way real ones are: the handle with look-alike characters, a separator
moved, a word added ("support", "officiel"), a letter doubled or dropped; the display name
copied or decorated; the picture reused, recompressed (a few bits of its perceptual hash
differ) or new. Deterministic for a seed. ``concilia.reputation.impersonation`` reads the
same shapes (official accounts, profiles) and ``bench/reputation_impersonation.py`` scores it
against the truth.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

NETWORKS = ("social", "pro", "photo")
GIVEN = {
    "fr": ["Camille", "Julien", "Sophie", "Nicolas", "Claire", "Thomas", "Léa", "Mathieu"],
    "es": ["Lucía", "Javier", "Carmen", "Pablo", "Elena", "Sergio", "Marta", "Diego"],
    "en": ["Emily", "James", "Olivia", "Daniel", "Grace", "Michael", "Hannah", "Ryan"],
}
FAMILY = {
    "fr": ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux"],
    "es": ["García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz"],
    "en": ["Smith", "Johnson", "Walker", "Wright", "Hughes", "Clarke", "Turner", "Evans"],
}
# Look-alike substitutions impersonators use in handles (and what they stand for).
HOMOGLYPHS = {"o": "0", "l": "1", "i": "l", "e": "3", "a": "4", "s": "5", "m": "rn", "w": "vv"}
SUFFIXES = ["support", "help", "officiel", "oficial", "official", "service", "team", "info"]
PREFIXES = ["real", "the", "contact", "service"]
DECORATIONS = [" ✓", " - Support", " Officiel", " (official)", " Service client", " Ayuda"]
CRITIC_WORDS = ["scam", "arnaque", "estafa", "victims", "victimes", "stop", "sucks", "truth"]
OTHER_BUSINESS = ["Bakery", "Plumbing", "Studio", "Garage", "Fitness", "Coffee", "Design"]
SCAM_BIOS = [
    "Official support. DM us to settle your account today.",
    "Service client officiel. Écrivez-nous en privé pour régler votre dossier.",
    "Atención al cliente oficial. Escríbanos por privado para pagar su deuda.",
    "Customer care team. Send us your card details to close your file.",
]
# Namesakes whose own job happens to use the words of a claim ("support", "official").
NAMESAKE_JOB_BIOS = [
    "IT support at a bank.",
    "Support technique, Lyon.",
    "Official photographer of the local football club.",
    "Soporte informático y redes.",
]
PLAIN_BIOS = [
    "Coffee, books and long walks.",
    "Photographe amateur.",
    "Me encanta viajar.",
    "Dad, runner, gardener.",
    "",
]


@dataclass(frozen=True)
class Account:
    """A profile as a network shows it."""

    external_id: str
    network: str
    handle: str
    display_name: str
    photo_hash: str | None
    bio: str = ""
    url: str = ""


@dataclass(frozen=True)
class Official:
    """An identity to protect: the agency or one of its agents, with its real accounts."""

    key: str
    kind: str  # "agency" or "agent"
    name: str
    accounts: tuple[Account, ...]


@dataclass
class ImpersonationWorld:
    """Officials, the crowd to scan (impersonators included) and the truth about it."""

    agency: str
    officials: list[Official]
    profiles: list[Account]
    # external id -> (key of the imitated official, how)
    truth: dict[str, tuple[str, str]] = field(default_factory=dict)

    def official_json(self) -> dict[str, Any]:
        """The officials as the detector's input file."""
        return {
            "agency": self.agency,
            "officials": [
                {
                    "key": o.key,
                    "kind": o.kind,
                    "name": o.name,
                    "accounts": [asdict(a) for a in o.accounts],
                }
                for o in self.officials
            ],
        }


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def _slug(text: str, sep: str = "_") -> str:
    return sep.join(_ascii(text).lower().split())


def _photo(rng: random.Random) -> int:
    return rng.getrandbits(64)


def _near(value: int, rng: random.Random, bits: int) -> str:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return f"{value:016x}"


def _url(network: str, handle: str) -> str:
    return f"https://{network}.example/{handle}"


def _fake_handle(handle: str, rng: random.Random) -> tuple[str, str]:
    """An imitation of ``handle`` and the trick used."""
    trick = rng.choice(["homoglyph", "separator", "suffix", "prefix", "double", "drop", "swap"])
    h = handle
    if trick == "homoglyph":
        spots = [i for i, c in enumerate(h) if c in HOMOGLYPHS]
        for i in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 2))), reverse=True):
            h = h[:i] + HOMOGLYPHS[h[i]] + h[i + 1 :]
    elif trick == "separator":
        h = h.replace("_", rng.choice([".", "", "-"])) if "_" in h or "." in h else h + "_"
        h = h.replace(".", rng.choice(["_", ""])) if h == handle else h
    elif trick == "suffix":
        h = f"{h}{rng.choice(['_', '.', ''])}{rng.choice(SUFFIXES)}"
        if rng.random() < 0.3:
            h += str(rng.randint(1, 99))
    elif trick == "prefix":
        h = f"{rng.choice(PREFIXES)}{rng.choice(['_', ''])}{h}"
    elif trick == "double":
        i = rng.randrange(1, len(h) - 1)
        h = h[:i] + h[i] + h[i:]
    elif trick == "drop":
        i = rng.randrange(1, len(h) - 1)
        h = h[:i] + h[i + 1 :]
    else:
        i = rng.randrange(1, len(h) - 2)
        h = h[:i] + h[i + 1] + h[i] + h[i + 2 :]
    if h == handle:
        h, trick = handle + "_" + rng.choice(SUFFIXES), "suffix"
    return h, trick


def generate(
    *,
    seed: int,
    agency: str = "Acme Recouvrement",
    agents: int = 12,
    crowd: int = 3000,
    impersonators: int = 80,
) -> ImpersonationWorld:
    """A world for ``seed``: officials, ``crowd`` ordinary accounts with hard negatives mixed
    in, and ``impersonators`` accounts imitating the agency or an agent."""
    rng = random.Random(seed)
    serial = iter(range(1, 10**9))

    def next_id() -> str:
        return f"acct-{seed}-{next(serial):06d}"

    officials: list[Official] = []
    logo = _photo(rng)
    agency_handle = _slug(agency)
    officials.append(
        Official(
            key="agency",
            kind="agency",
            name=agency,
            accounts=tuple(
                Account(
                    next_id(),
                    net,
                    agency_handle if net != "pro" else _slug(agency, "-"),
                    agency,
                    f"{logo:016x}",
                    "Compte officiel.",
                    _url(net, agency_handle),
                )
                for net in NETWORKS
            ),
        )
    )
    agent_photos: dict[str, int] = {}
    used_names: set[str] = set()
    for n in range(agents):
        lang = rng.choice(list(GIVEN))
        while True:
            name = f"{rng.choice(GIVEN[lang])} {rng.choice(FAMILY[lang])}"
            if name not in used_names:
                used_names.add(name)
                break
        picture = _photo(rng)
        key = f"agent-{n + 1}"
        agent_photos[key] = picture
        handle = _slug(name, ".")
        officials.append(
            Official(
                key=key,
                kind="agent",
                name=name,
                accounts=(
                    Account(
                        next_id(),
                        "pro",
                        handle,
                        f"{name} · {agency}",
                        f"{picture:016x}",
                        f"Conseiller·e chez {agency}",
                        _url("pro", handle),
                    ),
                ),
            )
        )

    profiles: list[Account] = []
    truth: dict[str, tuple[str, str]] = {}
    # A handle is unique on a network: no impersonator holds an official one.
    taken = {a.handle for o in officials for a in o.accounts}

    # Impersonators: two in three imitate the agency itself.
    for _ in range(impersonators):
        target = officials[0] if rng.random() < 0.66 else rng.choice(officials[1:])
        real = rng.choice(target.accounts)
        handle, trick = _fake_handle(real.handle, rng)
        while handle in taken:
            handle, trick = _fake_handle(real.handle, rng)
        name_draw = rng.random()
        if name_draw < 0.5:
            name = target.name
        elif name_draw < 0.85:
            name = target.name + rng.choice(DECORATIONS)
        else:
            name = _ascii(target.name).upper() if target.kind == "agency" else target.name
        base = logo if target.kind == "agency" else agent_photos[target.key]
        photo_draw = rng.random()
        if photo_draw < 0.45:
            photo: str | None = f"{base:016x}"
            how = "picture reused"
        elif photo_draw < 0.8:
            photo, how = _near(base, rng, rng.randint(1, 6)), "picture recompressed"
        else:
            photo, how = (f"{_photo(rng):016x}" if rng.random() < 0.7 else None), "own picture"
        network = real.network if rng.random() < 0.7 else rng.choice(NETWORKS)
        # Most say they are the official service; some copy the look and say nothing.
        bio = rng.choice(SCAM_BIOS) if rng.random() < 0.75 else rng.choice(PLAIN_BIOS)
        acct = Account(next_id(), network, handle, name, photo, bio, _url(network, handle))
        profiles.append(acct)
        truth[acct.external_id] = (target.key, f"{trick}; {how}")

    # The crowd, with the hard negatives a detector must leave alone.
    agency_words = [w for w in agency.split() if len(w) > 2]
    for _ in range(crowd):
        draw = rng.random()
        network = rng.choice(NETWORKS)
        lang = rng.choice(list(GIVEN))
        if draw < 0.03:
            # A namesake of an agent: same name, own picture, another job.
            agent = rng.choice(officials[1:])
            name = agent.name
            handle = _slug(name, rng.choice([".", "_", ""])) + str(rng.randint(1, 999))
            bio = rng.choice(NAMESAKE_JOB_BIOS if rng.random() < 0.2 else PLAIN_BIOS)
        elif draw < 0.05:
            # Another business sharing a word of the agency's name.
            name = f"{rng.choice(agency_words)} {rng.choice(OTHER_BUSINESS)}"
            handle = _slug(name, rng.choice(["_", ""]))
            bio = "Local business."
        elif draw < 0.07:
            # A critic or a parody naming the agency, never pretending to be it.
            word = rng.choice(CRITIC_WORDS)
            name = f"{agency} {word}" if rng.random() < 0.5 else f"{word.title()} {agency}"
            handle = f"{agency_handle}_{word}" if rng.random() < 0.5 else f"{word}_{agency_handle}"
            bio = "Témoignages / testimonies / testimonios."
        else:
            name = f"{rng.choice(GIVEN[lang])} {rng.choice(FAMILY[lang])}"
            handle = _slug(name, rng.choice([".", "_", ""])) + (
                str(rng.randint(1, 9999)) if rng.random() < 0.6 else ""
            )
            bio = rng.choice(PLAIN_BIOS)
        photo = f"{_photo(rng):016x}" if rng.random() < 0.85 else None
        profiles.append(
            Account(next_id(), network, handle, name, photo, bio, _url(network, handle))
        )

    # Some agents also have a personal account, with their own picture: not an impersonator,
    # though nothing on the profile says so (the agency should list it as theirs).
    for agent in officials[1:]:
        if rng.random() < 0.3:
            handle = _slug(agent.name, rng.choice(["_", ""])) + str(rng.randint(1, 99))
            photo = _near(agent_photos[agent.key], rng, rng.randint(0, 3))
            profiles.append(
                Account(
                    next_id(),
                    "social",
                    handle,
                    agent.name,
                    photo,
                    rng.choice(PLAIN_BIOS),
                    _url("social", handle),
                )
            )

    rng.shuffle(profiles)
    return ImpersonationWorld(agency=agency, officials=officials, profiles=profiles, truth=truth)
