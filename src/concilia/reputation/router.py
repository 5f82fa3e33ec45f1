"""HTTP routes: classify texts, the reputation summary and spike alerts (staff only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from concilia.auth.dependencies import DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.db import utcnow
from concilia.errors import InputProblem, InvalidInput
from concilia.reputation import service
from concilia.reputation.schemas import AlertOut, Classified, ClassifyIn, SummaryOut

router = APIRouter(prefix="/api/reputation", tags=["reputation"])

Staff = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.admin, Role.supervisor, Role.agent, Role.compliance_officer, Role.auditor
        )
    ),
]


@router.post("/classify", response_model=list[Classified])
def classify(body: ClassifyIn, principal: Staff) -> list[Classified]:
    """Language, sentiment, topic and confidence of each text (nothing is stored)."""
    return service.classify_texts(
        texts=[m.text for m in body.mentions], langs=[m.lang for m in body.mentions]
    )


@router.get("/summary", response_model=SummaryOut)
def summary(
    db_session: DbSession,
    principal: Staff,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
) -> SummaryOut:
    """Negative mentions per day and counts by sentiment and topic (default: last 30 days)."""
    until = until or utcnow().date()
    since = since or until - timedelta(days=29)
    if since > until or (until - since).days > 366:
        raise InvalidInput(
            problems=[InputProblem("query", 0, "since", "must be before until, within a year")]
        )
    counts = service.summary(db_session=db_session, since=since, until=until)
    return SummaryOut(
        since=since,
        until=until,
        negatives_per_day=service.daily_counts(db_session=db_session, since=since, until=until),
        sentiment=counts["sentiment"],
        topic=counts["topic"],
    )


@router.get("/alerts", response_model=list[AlertOut])
def alerts(db_session: DbSession, principal: Staff) -> list[AlertOut]:
    """Spike alerts of negative mentions, newest first."""
    return [AlertOut.model_validate(a) for a in service.list_alerts(db_session=db_session)]
