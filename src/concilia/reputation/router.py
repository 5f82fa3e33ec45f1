"""HTTP routes: classify texts, the reputation summary and spike alerts (staff only)."""

from __future__ import annotations

import hmac
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from concilia.auth import service as auth_service
from concilia.auth.dependencies import DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.config import get_settings
from concilia.db import utcnow
from concilia.errors import InputProblem, InvalidInput
from concilia.reputation import charts, replies, service
from concilia.reputation.schemas import (
    AlertOut,
    Classified,
    ClassifyIn,
    DayCount,
    ReplyCheckOut,
    ReplyIn,
    SummaryOut,
)
from concilia.web.i18n import language_of
from concilia.web.templating import get_templates

api = APIRouter(prefix="/api/reputation", tags=["reputation"])
pages = APIRouter(prefix="/console/reputation", include_in_schema=False)

Staff = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.admin, Role.supervisor, Role.agent, Role.compliance_officer, Role.auditor
        )
    ),
]


@api.post("/classify", response_model=list[Classified])
def classify(body: ClassifyIn, principal: Staff) -> list[Classified]:
    """Language, sentiment, topic and confidence of each text (nothing is stored)."""
    return service.classify_texts(
        texts=[m.text for m in body.mentions], langs=[m.lang for m in body.mentions]
    )


@api.get("/summary", response_model=SummaryOut)
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
        negatives_per_day=[
            DayCount(day=day, negatives=n)
            for day, n in service.daily_counts(db_session=db_session, since=since, until=until)
        ],
        sentiment=counts["sentiment"],
        topic=counts["topic"],
    )


@api.get("/alerts", response_model=list[AlertOut])
def alerts(db_session: DbSession, principal: Staff) -> list[AlertOut]:
    """Spike alerts of negative mentions, newest first."""
    return [AlertOut.model_validate(a) for a in service.list_alerts(db_session=db_session)]


@api.get("/replies/suggestion")
def reply_suggestion(
    principal: Staff,
    lang: Literal["en", "fr", "es"] = "en",
    topic: Literal[
        "harassment", "wrong_person", "scam_warning", "praise", "question", "other"
    ] = "other",
) -> dict[str, str]:
    """A public reply for a mention's topic that invites the author to a private channel."""
    return {"text": replies.suggest(topic=topic, lang=lang)}


@api.post("/replies/check", response_model=ReplyCheckOut)
def check_reply(body: ReplyIn, principal: Staff) -> ReplyCheckOut:
    """Whether a public reply may be posted: no debt, nobody named, an invitation to a private
    channel, and outreach's compliance and tone checks (nothing is stored or posted)."""
    result = replies.check(
        text=body.text, lang=body.lang, jurisdiction=body.jurisdiction, author=body.author
    )
    return ReplyCheckOut(
        ok=result.ok,
        problems=result.problems,
        rules=[{k: str(v) for k, v in r.items()} for r in result.rules],
        set_aside=result.set_aside,
        tone=result.tone,
    )


TOPICS = ("harassment", "wrong_person", "scam_warning", "praise", "question", "other")


@pages.get("")
def dashboard(
    request: Request, db_session: DbSession, topic: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    """Negative mentions per day (spike days marked), counts by sentiment and topic, alerts."""
    cookie = request.cookies.get(get_settings().session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    if found is None:
        return RedirectResponse("/login", status_code=303)
    until = utcnow().date()
    since = until - timedelta(days=89)
    # An unknown topic shows every topic rather than an error: the choice comes from a menu.
    chosen = topic if topic in TOPICS else None
    series = service.daily_counts(db_session=db_session, since=since, until=until)
    alerts = service.list_alerts(db_session=db_session)
    counts = service.summary(db_session=db_session, since=since, until=until)
    context = {
        "lang": language_of(request),
        "csrf_token": found[0].csrf_token,
        "principal": auth_service.principal_for(found[1], "session"),
        "since": since,
        "until": until,
        "chart": charts.daily_columns(
            series,
            ident="negatives",
            title="Negative mentions per day",
            alerts={a.day for a in alerts},
        ),
        "sentiment": sorted(counts["sentiment"].items()),
        "topic": sorted(counts["topic"].items(), key=lambda kv: -kv[1]),
        "alerts": alerts,
        "topics": TOPICS,
        "topic_chosen": chosen,
        "volume": charts.daily_columns(
            service.daily_volume(db_session=db_session, since=since, until=until, topic=chosen),
            ident="volume",
            title="Mentions per day",
            alerts=set(),
        ),
        "weeks": service.weekly_by_sentiment(
            db_session=db_session, since=since, until=until, topic=chosen
        ),
    }
    return get_templates().TemplateResponse(request, "reputation/dashboard.html", context)


def _desk(request: Request, db_session: DbSession, form: dict[str, str] | None) -> Response:
    cookie = request.cookies.get(get_settings().session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    if found is None:
        return RedirectResponse("/login", status_code=303)
    web, user = found
    principal = auth_service.principal_for(user, "session")
    lang = language_of(request)
    values = {
        "lang": lang if lang in replies.LANGS else "en",
        "jurisdiction": "FR",
        "topic": "other",
        "text": "",
    }
    result, error, status = None, None, 200
    if form is not None:
        values.update({k: form.get(k, values[k])[:2000] for k in values})
        if not hmac.compare_digest(web.csrf_token, form.get("csrf_token", "")):
            error, status = "The form expired; please try again.", 403
        elif form.get("action") == "suggest" or not values["text"].strip():
            values["text"] = replies.suggest(topic=values["topic"], lang=values["lang"])
        else:
            try:
                result = replies.check(
                    text=values["text"], lang=values["lang"], jurisdiction=values["jurisdiction"]
                )
            except ValueError as exc:
                error, status = str(exc), 422
    context = {
        "lang": lang,
        "csrf_token": web.csrf_token,
        "principal": principal,
        "values": values,
        "result": result,
        "error": error,
        "langs": replies.LANGS,
        "jurisdictions": replies.JURISDICTIONS,
        "topics": ("other", "question", "harassment", "wrong_person", "scam_warning", "praise"),
    }
    return get_templates().TemplateResponse(
        request, "reputation/replies.html", context, status_code=status
    )


@pages.get("/replies")
def reply_desk(request: Request, db_session: DbSession) -> Response:
    """The reply desk: a suggested public reply per topic and language, checked before posting."""
    return _desk(request, db_session, None)


@pages.post("/replies")
async def reply_desk_check(request: Request, db_session: DbSession) -> Response:
    """Suggest a reply, or check the one written (nothing is stored or posted)."""
    raw = await request.form(max_fields=10)
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    return await run_in_threadpool(_desk, request, db_session, form)


router = APIRouter()
router.include_router(api)
router.include_router(pages)
