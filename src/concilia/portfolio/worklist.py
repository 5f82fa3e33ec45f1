"""The worklist: the principal's cases by priority, and the sort keys copied onto cases.

A case carries its own sort keys (``balance_total``, ``next_promise_due``,
``last_contact_at``, ``priority``) so a worklist page is one walk down the index
``ix_cases_worklist_team`` (PostgreSQL) instead of a join and a sort of every case of the
team: at 100k cases the join-and-sort took ~180 ms a page. The keys are refreshed in the
same transaction as the change that moves them (payment, promise, import, contact).

Re-exported by :mod:`concilia.portfolio.service`, the domain's door.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    any_,
    bindparam,
    false,
    func,
    or_,
    select,
    union,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, lazyload

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.auth.schemas import Principal
from concilia.errors import InputProblem, InvalidInput
from concilia.portfolio.models import (
    NAME_FOLD,
    Case,
    Debt,
    Debtor,
    PromiseToPay,
    name_search_vector,
)
from concilia.portfolio.rows import control_character

FLAGS = (
    "disputed",
    "dispute_answered",
    "cease_contact",
    "vulnerable",
    "vulnerability_possible",
    "deceased",
    "bankrupt",
)
STAGES = ("new", "contacting", "negotiating", "promised", "plan", "paid", "closed")
REASON_MAX = 200
_CHUNK = 5000
# Up to this many debtors matching a searched name are read by id (see _text_condition).
_FEW_NAMES = 2000


@dataclass(frozen=True)
class WorklistRow:
    """One line of an agent's worklist."""

    case_id: int
    stage: str
    flags: tuple[str, ...]
    assigned_agent_id: int | None
    debtor_name: str
    debtor_reference: str
    account_reference: str
    jurisdiction: str
    currency: str
    balance: Decimal
    promise_due: date | None
    last_contact_at: datetime | None
    priority: float | None = None
    priority_reason: str | None = None


# The order, as (column, descending, nulls last); the index in models.py matches it.
_ORDER: tuple[tuple[Any, bool, bool], ...] = (
    (Case.priority, True, True),
    (Case.next_promise_due, False, True),
    (Case.balance_total, True, False),  # never NULL; PostgreSQL's own DESC placement
    # Never contacted first, then the longest since the last contact.
    (Case.last_contact_at, False, False),
    (Case.id, False, True),
)


def _order_by() -> list[Any]:
    out = []
    for col, desc, nulls_last in _ORDER:
        key = col.desc() if desc else col.asc()
        out.append(key.nulls_last() if nulls_last else key.nulls_first())
    return out


def _after(values: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows strictly after a row with these sort values, in the worklist's order.

    A row comparison ``(a, b) > (x, y)`` cannot say this: the keys mix directions and NULLs.
    """
    alternatives = []
    equal_so_far: list[ColumnElement[bool]] = []
    for (col, desc, nulls_last), value in zip(_ORDER, values, strict=True):
        later: ColumnElement[bool]
        if value is None:
            later = false() if nulls_last else col.is_not(None)
            same = col.is_(None)
        else:
            later = col < value if desc else col > value
            if nulls_last:
                later = or_(later, col.is_(None))
            same = col == value
        alternatives.append(and_(*equal_so_far, later) if equal_so_far else later)
        equal_so_far.append(same)
    return or_(*alternatives)


def search_words(text: str) -> list[str]:
    """The searched text as words: lower-cased, accents folded as the name index folds them,
    split on anything but letters and digits (so no word carries a search operator)."""
    folded = text.lower().translate(NAME_FOLD)
    return [w for w in "".join(c if c.isalnum() else " " for c in folded).split() if w][:8]


def _name_condition(db_session: Session, words: list[str]) -> ColumnElement[bool]:
    """Every word begins a word of the debtor's names (in any order)."""
    if db_session.get_bind().dialect.name == "postgresql":
        query = " & ".join(f"{w}:*" for w in words)
        matches: ColumnElement[bool] = name_search_vector().op("@@")(
            func.to_tsquery(sql_text("'simple'::regconfig"), query)
        )
        return matches
    # SQLite (development): the same words at the start of a word of the names; SQLite's
    # lower() folds ASCII letters only.
    spaced = func.lower(" " + Debtor.given_names + " " + Debtor.family_names)
    spaced = func.replace(func.replace(spaced, "-", " "), "'", " ")
    return and_(*(spaced.like(f"% {w}%") for w in words))


def _text_condition(db_session: Session, text: str) -> ColumnElement[bool]:
    """Cases whose debtor's or account's reference is ``text`` (any case); else cases whose
    debtor's names match every word of ``text`` (each the start of a word of the names,
    accents folded).

    A reference is looked up first through its lower-case index (an exact reference names
    its case; names never look like one). Then, on PostgreSQL, the names through the
    text-search index ``ix_debtors_name_search``: up to ``_FEW_NAMES`` debtors become a
    list of ids the page reads by id; more (a common name) are matched row by row on the
    walk down the worklist's index, which then fills a page early. The planner's own
    estimate of a name's rarity is too rough to choose between the two. Never a scan of
    the debtors.
    """
    needle = text.strip().lower()
    by_reference = union(
        select(Debtor.id).where(func.lower(Debtor.debtor_reference) == needle),
        select(Debt.debtor_id).where(func.lower(Debt.account_reference) == needle),
    ).subquery()
    ids = list(db_session.scalars(select(by_reference.c[0]).limit(_FEW_NAMES)))
    if ids:
        return Debt.debtor_id.in_(ids)
    words = search_words(text)
    if not words:
        return false()
    by_name = _name_condition(db_session, words)
    ids = list(db_session.scalars(select(Debtor.id).where(by_name).limit(_FEW_NAMES + 1)))
    if len(ids) > _FEW_NAMES:
        return by_name
    if db_session.get_bind().dialect.name != "postgresql":
        return Debt.debtor_id.in_(ids or [-1])
    # One array parameter (its length known to the planner), not thousands of them.
    return Debt.debtor_id == any_(bindparam("debtor_ids", ids, type_=ARRAY(BigInteger)))


def worklist(
    *,
    db_session: Session,
    principal: Principal,
    stage: str | None = None,
    jurisdiction: str | None = None,
    flag: str | None = None,
    min_balance: Decimal | None = None,
    max_balance: Decimal | None = None,
    text: str | None = None,
    debtor_ids: list[int] | None = None,
    assigned_to_me: bool = False,
    unassigned: bool = False,
    team_ids: Collection[int] | None = None,
    after_case_id: int | None = None,
    limit: int = 50,
) -> list[WorklistRow]:
    """The principal's cases by priority, a page after ``after_case_id`` (keyset).

    Order: the strategy's priority (highest first, unscored last), the earliest pending
    promise due, the largest balance, the longest since the last contact (never contacted
    first), the case id. The cursor is a case id, not its sort values, so no amount or date
    goes into a URL. ``text`` matches a debtor's names (each word the start of a word of
    the names, accents folded) or either reference; ``debtor_ids``
    restricts to debtors found another way (e.g. by a contact's blind index); ``team_ids``
    narrows the principal's teams (never widens them).
    """
    problems = []
    if stage and stage not in STAGES:
        problems.append(InputProblem("(query)", 0, "status", f"unknown {stage!r}"))
    if flag and flag not in FLAGS:
        problems.append(InputProblem("(query)", 0, "flag", f"unknown {flag!r}"))
    if problems:
        raise InvalidInput(problems=problems)
    conditions: list[ColumnElement[bool]] = []
    scope = auth_service.team_scope(principal)
    if team_ids is not None:
        scope = frozenset(team_ids) & scope if scope is not None else frozenset(team_ids)
        if not scope:
            return []
    if scope is not None:
        # One team: an equality, so PostgreSQL walks ix_cases_worklist_team in order.
        ids = sorted(scope)
        conditions.append(Case.team_id == ids[0] if len(ids) == 1 else Case.team_id.in_(ids))
    if stage:
        conditions.append(Case.stage == stage)
    if flag:
        conditions.append(getattr(Case, flag).is_(True))
    if jurisdiction:
        conditions.append(Debtor.jurisdiction == jurisdiction.upper())
    if min_balance is not None:
        conditions.append(Case.balance_total >= min_balance)
    if max_balance is not None:
        conditions.append(Case.balance_total <= max_balance)
    if assigned_to_me:
        conditions.append(Case.assigned_agent_id == principal.user_id)
    if unassigned:
        conditions.append(Case.assigned_agent_id.is_(None))
    if debtor_ids is not None:
        conditions.append(Debt.debtor_id.in_(debtor_ids or [-1]))
    if text and text.strip():
        conditions.append(_text_condition(db_session, text))
    if after_case_id is not None:
        cursor = db_session.execute(
            select(*(col for col, _, _ in _ORDER)).where(Case.id == after_case_id)
        ).first()
        # An unknown cursor (a case since deleted, or not the principal's) restarts the list:
        # its values reveal nothing, since they only bound which of the principal's rows show.
        if cursor is not None:
            conditions.append(_after(tuple(cursor)))
    query = (
        select(
            Case,
            Debt.account_reference,
            Debt.currency,
            Debtor.given_names,
            Debtor.family_names,
            Debtor.debtor_reference,
            Debtor.jurisdiction,
        )
        .join(Debt, Debt.id == Case.debt_id)
        .join(Debtor, Debtor.id == Debt.debtor_id)
        .where(*conditions)
        .order_by(*_order_by())
        .limit(limit)
        # The page reads only the case's own columns: no second join of its debt.
        .options(lazyload(Case.debt))
    )
    return [
        WorklistRow(
            case_id=r.Case.id,
            stage=r.Case.stage,
            flags=tuple(f for f in FLAGS if getattr(r.Case, f)),
            assigned_agent_id=r.Case.assigned_agent_id,
            debtor_name=f"{r.given_names} {r.family_names}",
            debtor_reference=r.debtor_reference,
            account_reference=r.account_reference,
            jurisdiction=r.jurisdiction,
            currency=r.currency,
            balance=r.Case.balance_total,
            promise_due=r.Case.next_promise_due,
            last_contact_at=r.Case.last_contact_at,
            priority=r.Case.priority,
            priority_reason=r.Case.priority_reason,
        )
        for r in db_session.execute(query)
    ]


# Keeping the keys ---------------------------------------------------------------------------


def refresh_worklist_keys(*, db_session: Session, debt_ids: Collection[int]) -> None:
    """Recompute the balance total and the next promise due of these debts' cases."""
    if not debt_ids:
        return
    db_session.flush()
    total = (
        select(Debt.principal_balance + Debt.interest_balance + Debt.fees_balance)
        .where(Debt.id == Case.debt_id)
        .scalar_subquery()
    )
    due = (
        select(func.min(PromiseToPay.due_on))
        .where(PromiseToPay.debt_id == Case.debt_id, PromiseToPay.status == "pending")
        .scalar_subquery()
    )
    ids = sorted(set(debt_ids))
    for start in range(0, len(ids), _CHUNK):
        db_session.execute(
            update(Case)
            .where(Case.debt_id.in_(ids[start : start + _CHUNK]))
            .values(balance_total=total, next_promise_due=due)
            .execution_options(synchronize_session="fetch")
        )


def note_contact(*, db_session: Session, case_id: int, at: datetime) -> None:
    """A contact in or out happened at ``at``: the case's last contact moves if it is later."""
    db_session.execute(
        update(Case)
        .where(
            Case.id == case_id,
            or_(Case.last_contact_at.is_(None), Case.last_contact_at < at),
        )
        .values(last_contact_at=at)
        .execution_options(synchronize_session="fetch")
    )


def set_priorities(
    *,
    db_session: Session,
    priorities: Mapping[int, tuple[float | None, str | None]],
    actor: str = "job:strategy",
) -> int:
    """Set each case's priority score (higher first; None clears it) and its reason in plain
    words; InvalidInput lists every bad entry, writing nothing. Returns how many were set."""
    problems: list[InputProblem] = []
    rows: list[dict[str, Any]] = []
    for case_id, (score, reason) in priorities.items():
        where = f"case {case_id}"
        if score is not None and (isinstance(score, bool) or not math.isfinite(float(score))):
            problems.append(InputProblem("(priorities)", 0, where, "score is not a finite number"))
        if reason is not None:
            if len(reason) > REASON_MAX:
                problems.append(
                    InputProblem("(priorities)", 0, where, f"reason over {REASON_MAX} characters")
                )
            elif control_character(reason) is not None:
                problems.append(
                    InputProblem("(priorities)", 0, where, "reason holds a control character")
                )
        rows.append(
            {
                "id": case_id,
                "priority": None if score is None else float(score),
                "priority_reason": reason.strip() if reason and reason.strip() else None,
            }
        )
    ids = sorted(priorities)
    known: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        known.update(
            db_session.scalars(select(Case.id).where(Case.id.in_(ids[start : start + _CHUNK])))
        )
    problems += [
        InputProblem("(priorities)", 0, f"case {i}", "no such case") for i in ids if i not in known
    ]
    if problems:
        raise InvalidInput(problems=problems)
    if not rows:
        return 0
    db_session.flush()
    for start in range(0, len(rows), _CHUNK):
        db_session.execute(update(Case), rows[start : start + _CHUNK])
    scored = sum(1 for r in rows if r["priority"] is not None)
    # One entry for the batch: a score is a derived ranking, not a decision about a person.
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.priorities_set",
        object_type="case",
        object_id="*",
        change={"priorities_sha256": hashlib.sha256(json.dumps(rows).encode()).hexdigest()},
        detail={"cases": len(rows), "scored": scored, "cleared": len(rows) - scored},
    )
    return len(rows)


__all__ = [
    "FLAGS",
    "STAGES",
    "WorklistRow",
    "note_contact",
    "refresh_worklist_keys",
    "set_priorities",
    "worklist",
]
