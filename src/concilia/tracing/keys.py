"""Blocking keys: typed strings a debtor and a profile share when worth comparing.

The kinds (the prefix before ':') are listed in :data:`concilia.tracing.linkage.KEY_KINDS`.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from concilia.tracing import normalize as nz


class NameKeys(NamedTuple):
    """What a name gives the blocking keys."""

    fams: list[str]  # surname phonetic codes
    givens: list[str]  # given-name keys (nicknames folded: 'jessica' -> 'jess')
    # The given name's own sound as spelt, with each surname sound ('S600|X'): typos meet
    # here. Name order as parsed only: each swapped reading would add as many keys again
    # to every profile's list, for a typo and a swap together.
    sounds: list[str]
    # The given name with a surname's initial ('denis|h'): all a profile showing 'Denis H.'
    # and no city has in common with Denis Howells. (The given name's sound as well, for
    # 'Deenis H.', was tried: more pairs, and as many false pairs as true ones more at the
    # review threshold.)
    initials: list[str]
    # The first three letters of each surname word: a typo past them ('whitd', 'millpar')
    # changes the surname's sound but not its start.
    prefixes: list[str]
    # The initials a birthday is paired with: the given name's and each surname's together
    # ('ab': both names typed wrong still start alike), or, for a name of one word, its
    # only letter ('webb' shown alone meets every debtor whose given or family name
    # starts with a w).
    letters: list[str]


def name_block_keys(
    name: nz.ParsedName, swapped_too: bool, shown_initial: str | None = None
) -> NameKeys:
    """The parts of a name usable for blocking. ``shown_initial``: the surname initial a
    display name shows instead of the surname; a debtor's name gives each surname's."""
    fams = list(dict.fromkeys(f for f in map(nz.phonetic, name.family_tokens) if f))
    sound = nz.given_sound(name.given) if name.given else ""
    sounds = [f"{sound}|{f}" for f in fams] if sound else []
    givens = [nz.given_key(name.given)] if name.given else []
    # A profile's initial only when it shows no surname; every surname's of a debtor.
    if swapped_too:
        letters = [shown_initial] if shown_initial and not fams else []
    else:
        letters = list(dict.fromkeys(t[0] for t in name.family_tokens if t))
    initials = [f"{g}|{i}" for g in givens for i in letters]
    words = name.name_tokens
    surnames = list(name.family_tokens)
    if swapped_too and len(words) >= 2:
        # A display name may be written family-first: any of its words can be the surname,
        # and its last word can be the given name.
        fams = list(dict.fromkeys([*(nz.phonetic(t) for t in words), *fams]))
        givens.append(nz.given_key(words[-1]))
        surnames = list(dict.fromkeys([*words[1:], words[0], *surnames]))
    elif swapped_too and len(words) == 1 and not shown_initial:
        # A display name of one word may be the surname alone ('Webb').
        fams = [nz.phonetic(words[0])]
        surnames = list(words)
    prefixes = list(dict.fromkeys(t[:3] for t in surnames if len(t) >= 3))
    if swapped_too:
        # Any word may be the given name and any other a surname, in either order.
        pairs = [a[0] + b[0] for i, a in enumerate(words) for j, b in enumerate(words) if i != j]
        # 'Webb' alone, or 'Marie M.' (the given name and the shown initial).
        birth_letters = [words[0][0] + (shown_initial or "")] if len(words) == 1 else pairs
    else:
        first = name.given[:1]
        fam_letters = list(dict.fromkeys(t[0] for t in name.family_tokens if t))
        # A debtor's single letters meet profiles showing one word.
        birth_letters = [first + f for f in fam_letters if first] + [first] + fam_letters
    return NameKeys(
        [f for f in fams if f],
        list(dict.fromkeys(givens)),
        sounds,
        initials,
        prefixes,
        list(dict.fromkeys(x for x in birth_letters if x)),
    )


def block_keys(
    fams: list[str],
    givens: list[str],
    birthday: str | None,
    city: str,
    phones: list[str] | None,
    emails: list[str] | None,
    handles: list[str] | None,
    *,
    employer: str | None = None,
    more_cities: list[str] | None = None,
    other_surnames: list[str] | None = None,
    sounds: list[str] | None = None,
    initials: list[str] | None = None,
    prefixes: list[str] | None = None,
    letters: list[str] | None = None,
) -> list[str]:
    """The keys of one record. ``more_cities`` are other places it is tied to (a debtor's
    previous address; the cities a profile's bio, school or friends name)."""
    keys: list[str] = []
    if birthday:
        keys += [f"n:{f}|{birthday}" for f in fams]
        keys += [f"b:{g}|{birthday}" for g in givens]
    keys += [f"f:{g}|{f}" for g in givens for f in fams]
    # A typo in the given name breaks the keys above: its first letter and the surname
    # sound still meet.
    keys += [f"i:{g[:1]}|{f}" for g in givens for f in fams]
    # With a common surname the initial's keys are too big to keep; the given name's sound
    # still meets 'Saarah Shaw' and 'Ronld Roberts'.
    keys += [f"s:{k}" for k in sounds or []]
    keys += [f"j:{k}" for k in initials or []]
    # Keys that hold when the usual ones break (files and exports nobody simulated: both
    # names mistyped, a given name replaced, a birthday missing): the birthday with the
    # town or with the names' initials, the surname with the town, the given name with
    # the surname's first letters. Capped low (LinkageOptions): frequent, they say nothing.
    # The town without its spaces: 'salisburyeast', 'armida le'.
    town = city.replace(" ", "") if city else ""
    if birthday and town:
        # Its first letters only: 'capetree' of Capertee, 'thornliegh' of Thornleigh.
        keys.append(f"d:{birthday}|{town[:4]}")
    if birthday:
        keys += [f"y:{birthday}|{x}" for x in letters or []]
    if town:
        keys += [f"t:{f}|{town}" for f in dict.fromkeys([*fams, *(prefixes or [])])]
    keys += [f"q:{g}|{p}" for g in givens for p in prefixes or []]
    if city:
        keys += [f"g:{g}|{city}" for g in givens]
    if more_cities:
        keys += [f"g:{g}|{c}" for c in more_cities if c and c != city for g in givens]
    if other_surnames:
        # Another surname an address spells (a maiden name) meets the profile's own keys.
        others = [nz.phonetic(s) for s in other_surnames]
        keys += [f"f:{g}|{o}" for g in givens for o in others if o]
    if employer:
        # A married or maiden name breaks every name key but the given name: the employer
        # still meets.
        keys += [f"w:{g}|{employer}" for g in givens]
    if phones:
        keys += [f"p:{p}" for p in phones]
    if emails:
        keys += [f"e:{e}" for e in emails]
    if handles:
        keys += [f"h:{h}" for h in handles if len(h) >= 5]
    # Interned: the same key ('i:j|MLR', 'g:maria|madrid') is shared by many records, and
    # a million profiles' keys were the largest object of a run.
    return [sys.intern(k) for k in keys]
