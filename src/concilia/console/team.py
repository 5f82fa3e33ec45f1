"""The supervisor's page: the team's figures, each read through its owning domain's service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from concilia.auth import service as auth_service
from concilia.auth.schemas import Principal
from concilia.console import charts
from concilia.db import utcnow
from concilia.errors import InputProblem, InvalidInput
from concilia.outreach import service as outreach_service
from concilia.portfolio import service as portfolio_service
from concilia.web import i18n

WEEKS = 12
MANAGERS = ("supervisor", "admin")


@dataclass(frozen=True)
class TeamFigures:
    recovered_chart: str
    recovered: list[tuple[str, str, str]]  # (week, currency, amount as text)
    right_party_rate: float | None
    calls: int
    promises: dict[str, int]
    promises_chart: str
    blocks_chart: str
    blocks: dict[str, int]
    review_backlog: int


def may_see(principal: Principal) -> bool:
    """Only supervisors and admins see the team page."""
    return principal.role.value in MANAGERS


def figures(*, db_session: Session, principal: Principal, lang: str) -> TeamFigures:
    """Recovered per week, right-party contact rate, promises, compliance blocks, backlog."""
    since = utcnow().date() - timedelta(weeks=WEEKS)
    weeks = portfolio_service.payments_by_week(
        db_session=db_session, principal=principal, since=since
    )
    recovered = [
        (i18n.day(week, lang), currency, i18n.money(amount, currency, lang))
        for week, currency, amount in weeks
    ]
    cases = portfolio_service.visible_case_ids(principal=principal)
    outcomes = outreach_service.call_outcomes(db_session=db_session, case_ids=cases)
    calls = sum(outcomes.values())
    promises = portfolio_service.promise_counts(db_session=db_session, principal=principal)
    blocks = outreach_service.blocks_by_rule(db_session=db_session, case_ids=cases)
    statuses = outreach_service.status_counts(db_session=db_session, case_ids=cases)

    def word(key: str) -> str:
        return i18n.gettext(lang, key)

    return TeamFigures(
        recovered_chart=charts.bars(
            [
                (f"{label} · {c}", float(a), text)
                for (label, c, text), (_, _, a) in zip(recovered, weeks, strict=True)
            ],
            ident="recovered",
            title=word("Recovered per week"),
        ),
        recovered=recovered,
        right_party_rate=(
            sum(outcomes.get(o, 0) for o in outreach_service.RIGHT_PARTY_OUTCOMES) / calls
        )
        if calls
        else None,
        calls=calls,
        promises=promises,
        promises_chart=charts.bars(
            [(word(s), float(n), str(n)) for s, n in sorted(promises.items())],
            ident="promises",
            title=word("Promises by status"),
        ),
        blocks_chart=charts.bars(
            [(rule, float(n), str(n)) for rule, n in list(blocks.items())[:12]],
            ident="blocks",
            title=word("Compliance blocks by rule"),
        ),
        blocks=blocks,
        review_backlog=statuses.get("review", 0),
    )


def as_context(team: TeamFigures) -> dict[str, Any]:
    """The template's view of the figures."""
    return {"team": team}


# Bulk assignment -----------------------------------------------------------------------------

MAX_BULK = 500


@dataclass(frozen=True)
class Assignee:
    user_id: int
    username: str
    team_ids: frozenset[int]


def assignees(*, db_session: Session, principal: Principal) -> list[Assignee]:
    """Active agents and supervisors who share a team with the principal (or all, for admins)."""
    scope = auth_service.team_scope(principal)
    out = []
    for user in auth_service.list_users(db_session=db_session):
        if not user.is_active or user.role.value not in ("agent", "supervisor"):
            continue
        teams = frozenset(t.id for t in user.teams)
        shared = teams if scope is None else teams & scope
        if shared:
            out.append(Assignee(user.id, user.username, shared))
    return out


def assign_next(
    *, db_session: Session, principal: Principal, agent_id: int, count: int, stage: str | None
) -> int:
    """Give an agent the next ``count`` unassigned cases of their teams (worklist order),
    each assignment audited by portfolio; returns how many were assigned."""
    if not 1 <= count <= MAX_BULK:
        raise InvalidInput(
            problems=[InputProblem("(form)", 0, "count", f"between 1 and {MAX_BULK}")]
        )
    agent = next(
        (a for a in assignees(db_session=db_session, principal=principal) if a.user_id == agent_id),
        None,
    )
    if agent is None:
        raise InvalidInput(
            problems=[InputProblem("(form)", 0, "agent", "not an active member of your teams")]
        )
    rows = portfolio_service.worklist(
        db_session=db_session,
        principal=principal,
        stage=stage or None,
        unassigned=True,
        team_ids=agent.team_ids,
        limit=count,
    )
    for row in rows:
        case = portfolio_service.get_case(db_session=db_session, case_id=row.case_id)
        portfolio_service.assign_case(
            db_session=db_session, case=case, agent_id=agent_id, actor=principal.actor
        )
    return len(rows)
