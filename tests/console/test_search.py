"""Worklist search by name and reference: word prefixes in any order, accents folded on
PostgreSQL (through its text-search index), references in any case, team scope kept."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.console import service as console_service
from concilia.console.schemas import WorklistFilters
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.worklist import search_words
from tests.console.conftest import ConsoleWorld


def _found(db_session: Session, world: ConsoleWorld, q: str) -> list[int]:
    agent = Principal(
        user_id=0,
        username="agent",
        role=Role.agent,
        team_ids=frozenset(_team_ids(db_session, world)),
        via="token",
    )
    rows = console_service.worklist(
        db_session=db_session, principal=agent, filters=WorklistFilters(q=q)
    )
    return [r.case_id for r in rows]


def _team_ids(db_session: Session, world: ConsoleWorld) -> set[int]:
    case = portfolio_service.get_case(db_session=db_session, case_id=world.north_case)
    return {case.team_id}


def test_search_words_are_folded_and_free_of_operators() -> None:
    assert search_words("  Lucía  GARCÍA-Pérez ") == ["lucia", "garcia", "perez"]
    assert search_words("o'brien & !x:*") == ["o", "brien", "x"]
    assert search_words("&|!") == []


def test_name_words_match_word_starts_in_any_order(
    db_session: Session, console_world: ConsoleWorld
) -> None:
    north, north_2 = console_world.north_case, console_world.north_case_2
    # "Jean-Pierre de La Fontaine" and "Lucía García Pérez" (north); "Sam South" (south).
    assert _found(db_session, console_world, "fontaine") == [north]
    assert _found(db_session, console_world, "Fontaine Jean") == [north]
    assert _found(db_session, console_world, "font pier") == [north]
    assert _found(db_session, console_world, "jean garcia") == []  # two different people
    assert _found(db_session, console_world, "ontaine") == []  # not the start of a word
    # References, whatever their case; never another team's debtor.
    assert _found(db_session, console_world, "acc-2") == [north_2]
    assert _found(db_session, console_world, "deb-1") == [north]
    assert _found(db_session, console_world, "south") == []
    assert _found(db_session, console_world, "DEB-S") == []
    assert _found(db_session, console_world, "&") == []


@pytest.mark.postgres
def test_accents_are_folded_on_postgresql(db_session: Session, console_world: ConsoleWorld) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's lower() folds ASCII letters only")
    north_2 = console_world.north_case_2
    assert _found(db_session, console_world, "lucia garcia perez") == [north_2]
    assert _found(db_session, console_world, "LUCÍA") == [north_2]
