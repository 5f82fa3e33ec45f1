"""Console pages: the worklist, the case page and its HTMX actions, the replies inbox.

Pages read the browser session (a missing or expired one goes to /login). Every action is
an HTMX POST through ``CurrentPrincipal``, which checks the session's CSRF token in the
``X-CSRF-Token`` header (the layout puts it in ``hx-headers``). Personal data never goes
in a URL: searching by name, phone or e-mail is a POST. The JSON API is in ``api.py``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from concilia.auth import service as auth_service
from concilia.auth.dependencies import CSRF_HEADER, CurrentPrincipal, DbSession
from concilia.auth.schemas import Principal
from concilia.config import get_settings
from concilia.console import compliance as compliance_view
from concilia.console import mailbox
from concilia.console import service as console_service
from concilia.console import team as team_view
from concilia.console.api import router as api_router
from concilia.console.schemas import CALL_OUTCOMES, CHANNELS, IDENTITY_METHODS, WorklistFilters
from concilia.errors import ConciliaError, InputProblem, InvalidInput, NotFound
from concilia.ids import Id
from concilia.outreach import service as outreach_service
from concilia.portfolio import service as portfolio_service
from concilia.privacy import service as privacy_service
from concilia.web.i18n import gettext, language_of
from concilia.web.templating import get_templates


def _user_language(request: Request, db_session: DbSession) -> None:
    """The signed-in user's own UI language for every console response (pages and HTMX
    fragments alike); ``language_of`` falls back to the cookie and Accept-Language."""
    _page_auth(request, db_session)


async def _csrf_from_form(request: Request) -> None:
    """A form posted without JavaScript carries the session's CSRF token as its hidden
    ``csrf_token`` field instead of the header: it is handed to the same check as the header
    (auth's ``CurrentPrincipal``, which runs after this), never trusted here."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.headers.get(CSRF_HEADER):
        return
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return
    token = (await request.form()).get("csrf_token")
    if not isinstance(token, str) or not token or len(token) > 200 or not token.isascii():
        return
    request.scope["headers"] = [
        *request.scope["headers"],
        (CSRF_HEADER.lower().encode(), token.encode()),
    ]
    request.__dict__.pop("_headers", None)  # Starlette caches the headers it read


# Router-level: solved before each route's own dependencies (CurrentPrincipal among them).
pages = APIRouter(
    prefix="/console",
    include_in_schema=False,
    dependencies=[Depends(_csrf_from_form), Depends(_user_language)],
)
JURISDICTIONS = ("FR", "ES", "UK", "US")


@dataclass(frozen=True)
class PageAuth:
    principal: Principal
    csrf_token: str


def _page_auth(request: Request, db_session: Session) -> PageAuth | None:
    """The signed-in browser's principal, looked up once per request (the router-level
    language dependency looks first; the page and auth's ``CurrentPrincipal`` reuse it)."""
    if hasattr(request.state, "page_auth"):
        cached: PageAuth | None = request.state.page_auth
        return cached
    cookie = request.cookies.get(get_settings().session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    auth = None
    if found is not None:
        web, user = found
        request.state.user_language = user.language  # language_of reads it first
        # Held for the request: the session's identity map keeps objects only while they are
        # referenced, and CurrentPrincipal then finds the user and its teams without a query.
        request.state.page_user = (web, user)
        auth = PageAuth(auth_service.principal_for(user, "session"), web.csrf_token)
    request.state.page_auth = auth
    return auth


def _render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    context.setdefault("lang", language_of(request))
    return get_templates().TemplateResponse(request, name, context, status_code=status_code)


def _to_login() -> Response:
    return RedirectResponse("/login", status_code=303)


def _error_text(exc: ConciliaError) -> str:
    if isinstance(exc, InvalidInput) and exc.problems:
        return "; ".join(f"{p.field}: {p.reason}" for p in exc.problems)
    return exc.detail


# Worklist ----------------------------------------------------------------------------------


def _decimal(raw: str | None) -> Decimal | None:
    if raw is None or not raw.strip():
        return None
    try:
        return Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(
            problems=[InputProblem("(query)", 0, "balance", f"{raw!r} is not an amount")]
        ) from None


def _filters(
    status: str | None,
    jurisdiction: str | None,
    flag: str | None,
    min_balance: str | None,
    max_balance: str | None,
    q: str | None,
    mine: str | None,
) -> WorklistFilters:
    return WorklistFilters(
        status=status or None,
        jurisdiction=jurisdiction or None,
        flag=flag or None,
        min_balance=_decimal(min_balance),
        max_balance=_decimal(max_balance),
        q=(q or "").strip() or None,
        mine=bool(mine),
    )


def _worklist_context(
    db_session: Session, principal: Principal, filters: WorklistFilters, after: int | None
) -> dict[str, Any]:
    error = None
    try:
        rows = console_service.worklist(
            db_session=db_session, principal=principal, filters=filters, after=after
        )
    except InvalidInput as exc:
        rows, error = [], _error_text(exc) or "invalid filter"
    return {
        "rows": rows,
        "filters": filters,
        "after": after,
        "next_after": rows[-1].case_id if len(rows) == console_service.PAGE_SIZE else None,
        "error": error,
        "stages": portfolio_service.STAGES,
        "flags": portfolio_service.FLAGS,
        "jurisdictions": JURISDICTIONS,
    }


@pages.get("/cases", response_class=HTMLResponse)
def worklist_page(
    request: Request,
    db_session: DbSession,
    status: str | None = None,
    jurisdiction: str | None = None,
    flag: str | None = None,
    min_balance: str | None = None,
    max_balance: str | None = None,
    mine: str | None = None,
    after: Annotated[int | None, Query()] = None,
) -> Response:
    """My cases and my team's, by priority; filters in the query string, search by POST."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    try:
        filters = _filters(status, jurisdiction, flag, min_balance, max_balance, None, mine)
    except InvalidInput:
        filters = WorklistFilters()
    context = _worklist_context(db_session, auth.principal, filters, after)
    context.update(principal=auth.principal, csrf_token=auth.csrf_token, nav="cases")
    return _render(request, "console/worklist.html", context)


@pages.post("/cases/rows", response_class=HTMLResponse)
def worklist_rows(
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    status: Annotated[str, Form()] = "",
    jurisdiction: Annotated[str, Form()] = "",
    flag: Annotated[str, Form()] = "",
    min_balance: Annotated[str, Form()] = "",
    max_balance: Annotated[str, Form()] = "",
    q: Annotated[str, Form(max_length=200)] = "",
    mine: Annotated[str, Form()] = "",
    after: Annotated[str, Form()] = "",
) -> Response:
    """The worklist's rows for a search (names, phones and e-mails stay out of URLs)."""
    try:
        filters = _filters(status, jurisdiction, flag, min_balance, max_balance, q, mine)
    except InvalidInput:
        filters = WorklistFilters(q=q or None)
    context = _worklist_context(
        db_session, principal, filters, int(after) if after.isdigit() else None
    )
    if filters.q:  # a search's results name the people found (issue 18: who looked)
        privacy_service.record_staff_read(
            db_session=db_session, principal=principal, what="console search results",
            via="page", case_ids=[r.case_id for r in context["rows"]],
        )  # fmt: skip
    return _render(request, "console/_worklist_rows.html", context)


# The case ----------------------------------------------------------------------------------


def _case_context(
    request: Request, db_session: Session, principal: Principal, case_id: Id
) -> dict[str, Any]:
    case = console_service.get_case(db_session=db_session, principal=principal, case_id=case_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=case.debt.debtor_id)
    view = portfolio_service.reveal_debtor(debtor)
    # Who looked (issue 18): the page, its timeline and each re-rendered section; one INSERT.
    privacy_service.record_staff_read(
        db_session=db_session, principal=principal, what="console case page", via="page",
        debtor_ids=[debtor.id],
    )  # fmt: skip
    lang = language_of(request)
    # Read once, shown twice (the suggestions and contact panels, and the timeline).
    listed = console_service.list_candidates(db_session=db_session, debtor_id=debtor.id)
    evidence = console_service.list_evidence(db_session=db_session, debtor_id=debtor.id)
    messages = outreach_service.list_case_messages(db_session=db_session, case_id=case.id)
    candidates = console_service.candidates(
        db_session=db_session,
        debtor_id=debtor.id,
        total_label=gettext(lang, "Total"),
        listed=listed,
    )
    handles = console_service.contact_handles(
        db_session=db_session, debtor_id=debtor.id, evidence=evidence
    )
    return {
        "lang": lang,
        "case": case,
        "debtor": view,
        "debt": console_service.debt_view(db_session=db_session, debt=case.debt),
        "case_flags": [f for f in portfolio_service.FLAGS if getattr(case, f)],
        "candidates": candidates,
        "timeline": console_service.timeline(
            db_session=db_session,
            case=case,
            messages=messages,
            candidates=listed,
            evidence=evidence,
        ),
        "assessment": console_service.signals_assessment(db_session=db_session, case_id=case.id),
        "whereabouts": console_service.whereabouts(db_session=db_session, debtor_id=debtor.id),
        "messages": messages,
        "identity_checks": outreach_service.list_identity_checks(
            db_session=db_session, debtor_id=debtor.id
        ),
        "addresses": [*view.emails, *view.phones, *handles],
        "phones": view.phones,
        "channels": CHANNELS,
        "templates": outreach_service.TEMPLATE_KINDS,
        "draft": {},
        "identity_methods": IDENTITY_METHODS,
        "call_outcomes": CALL_OUTCOMES,
        "frequencies": ("monthly", "weekly"),
        "principal": principal,
        # One key per rendered compose form: a form posted twice queues one message.
        "compose_key": f"console-form:{case.id}:{uuid.uuid4().hex}",
    }


@pages.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: Id, request: Request, db_session: DbSession) -> Response:
    """One case: identity, debts, suggestions, contact, one timeline."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    try:
        context = _case_context(request, db_session, auth.principal, case_id)
    except NotFound:
        return _render(
            request,
            "console/not_found.html",
            {"principal": auth.principal, "csrf_token": auth.csrf_token},
            status_code=404,
        )
    context.update(csrf_token=auth.csrf_token, nav="cases")
    return _render(request, "console/case.html", context)


def _section(
    request: Request,
    db_session: Session,
    principal: Principal,
    case_id: Id,
    section: str,
    error: str | None = None,
    notice: str | None = None,
    draft: dict[str, str] | None = None,
) -> Response:
    """A re-rendered section of the case page, and its timeline swapped out of band; the
    whole page for a form posted without JavaScript (no HX-Request header)."""
    context = _case_context(request, db_session, principal, case_id)
    auth = _page_auth(request, db_session)
    context.update(error=error, notice=notice, section=section)
    if draft is not None:
        context.update(draft=draft)
    context.update(csrf_token=auth.csrf_token if auth else "")
    if request.headers.get("HX-Request") != "true":
        context.update(nav="cases")
        return _render(request, "console/case.html", context, status_code=422 if error else 200)
    context.update(oob=True)
    return _render(request, "console/_section.html", context)


def _act(
    request: Request,
    db_session: Session,
    principal: Principal,
    case_id: Id,
    section: str,
    notice: str,
    action: Any,
) -> Response:
    # Resolve the case first, outside the try: another team's case stays a 404.
    console_service.get_case(db_session=db_session, principal=principal, case_id=case_id)
    try:
        action()
    except NotFound:
        raise
    except ConciliaError as exc:
        # Nothing of a refused action may be committed with the page's unit of work.
        db_session.rollback()
        return _section(request, db_session, principal, case_id, section, error=_error_text(exc))
    db_session.flush()
    lang = language_of(request)
    return _section(request, db_session, principal, case_id, section, notice=gettext(lang, notice))


@pages.post("/cases/{case_id}/candidates/{candidate_id}", response_class=HTMLResponse)
def decide_candidate(
    case_id: Id,
    candidate_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Accept or reject a tracing candidate, with a reason (audited)."""
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "suggestions",
        "Decision recorded.",
        lambda: console_service.decide_candidate(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            candidate_id=candidate_id,
            decision=decision,
            reason=reason,
        ),
    )


@pages.post("/cases/{case_id}/signals", response_class=HTMLResponse)
def decide_signals(
    case_id: int,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Accept or reject the ability-to-pay suggestion, with a reason (audited)."""
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "suggestions",
        "Decision recorded.",
        lambda: console_service.decide_signals(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            decision=decision,
            reason=reason,
        ),
    )


@pages.post("/cases/{case_id}/whereabouts/{inference_id}", response_class=HTMLResponse)
def decide_whereabouts(
    case_id: int,
    inference_id: int,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Accept or reject a likely-city inference, with a reason (audited)."""
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "suggestions",
        "Decision recorded.",
        lambda: console_service.decide_whereabouts(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            inference_id=inference_id,
            decision=decision,
            reason=reason,
        ),
    )


@pages.post("/cases/{case_id}/check", response_class=HTMLResponse)
def live_check(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    channel: Annotated[str, Form()] = "email",
    to: Annotated[str, Form(max_length=300)] = "",
    body: Annotated[str, Form(max_length=5000)] = "",
    kind: Annotated[str, Form(max_length=40)] = "free_text",
) -> Response:
    """The compliance and tone verdict of the draft being typed (stores nothing)."""
    # Sent on every pause in typing: each query counts. The case and debtor are read once
    # here and held, so the check finds them in the session instead of reading them again.
    case = console_service.get_case(db_session=db_session, principal=principal, case_id=case_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=case.debt.debtor_id)
    if channel not in CHANNELS:
        channel = "email"
    decision = console_service.check_message(
        db_session=db_session,
        principal=principal,
        case_id=case.id,
        channel=channel,
        to=to,
        body=body,
        kind=kind,
        case=case,
    )
    return _render(
        request,
        "console/_verdict.html",
        {
            "decision": decision,
            "suggestions": console_service.tone_suggestions(body, debtor.preferred_language),
            "empty": not body.strip(),
        },
    )


@pages.post("/cases/{case_id}/messages", response_class=HTMLResponse)
def queue_message(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    channel: Annotated[str, Form()],
    to: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=5000)],
    subject: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form(max_length=40)] = "free_text",
    idempotency_key: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Queue the message; outreach checks it again and may block it or hold it for review."""
    if channel not in CHANNELS:
        channel = "email"
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "contact",
        "Message queued; see its status in the outbox.",
        lambda: console_service.queue_message(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            channel=channel,
            to=to,
            body=body,
            subject=subject,
            kind=kind,
            idempotency_key=idempotency_key or None,
        ),
    )


@pages.post("/cases/{case_id}/template", response_class=HTMLResponse)
def use_template(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    template: Annotated[str, Form(max_length=40)],
    channel: Annotated[str, Form(max_length=20)] = "email",
) -> Response:
    """Fill the compose box from a template in the debtor's language (stores nothing)."""
    if channel not in CHANNELS:
        channel = "email"
    try:
        kind, subject, body = console_service.draft_from_template(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            template=template,
            channel=channel,
        )
    except InvalidInput as exc:
        return _section(request, db_session, principal, case_id, "contact", error=_error_text(exc))
    draft = {"template": template, "kind": kind, "channel": channel}
    draft.update(subject=subject, body=body)
    return _section(request, db_session, principal, case_id, "contact", draft=draft)


@pages.post("/cases/{case_id}/identity", response_class=HTMLResponse)
def verify_identity(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    channel: Annotated[str, Form()],
    address: Annotated[str, Form(max_length=300)],
    method: Annotated[str, Form()],
) -> Response:
    """Record that the person at this address was verified to be the debtor."""
    if method not in IDENTITY_METHODS:
        method = IDENTITY_METHODS[0]
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "contact",
        "Identity verification recorded.",
        lambda: console_service.verify_identity(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            channel=channel,
            address=address,
            method=method,
        ),
    )


@pages.post("/cases/{case_id}/calls/check", response_class=HTMLResponse)
def call_check(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    phone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """May the agent dial this number now? Shown before the call is made."""
    decision = console_service.check_call(
        db_session=db_session, principal=principal, case_id=case_id, phone=phone
    )
    return _render(
        request, "console/_verdict.html", {"decision": decision, "suggestions": [], "empty": False}
    )


@pages.post("/cases/{case_id}/calls", response_class=HTMLResponse)
def log_call(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    phone: Annotated[str, Form(max_length=40)],
    outcome: Annotated[str, Form()],
) -> Response:
    """Log a call's outcome (refused when the call check blocks calling now)."""
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "contact",
        "Call logged.",
        lambda: console_service.log_call(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            phone=phone,
            outcome=outcome,
        ),
    )


@pages.post("/cases/{case_id}/payments", response_class=HTMLResponse)
def record_payment(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    amount: Annotated[str, Form(max_length=30)],
    received_on: Annotated[str, Form(max_length=10)],
) -> Response:
    """Record a payment; portfolio allocates it to fees, interest and principal."""
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "ledger",
        "Payment recorded.",
        lambda: console_service.record_payment(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            amount=amount,
            received_on=received_on,
        ),
    )


@pages.post("/cases/{case_id}/promises", response_class=HTMLResponse)
def create_promise(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    amount: Annotated[str, Form(max_length=30)],
    due_on: Annotated[str, Form(max_length=10)],
) -> Response:
    """Record a promise to pay."""
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "ledger",
        "Promise recorded.",
        lambda: console_service.create_promise(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            amount=amount,
            due_on=due_on,
        ),
    )


@pages.post("/cases/{case_id}/plans", response_class=HTMLResponse)
def create_plan(
    case_id: Id,
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    instalments: Annotated[str, Form(max_length=4)],
    frequency: Annotated[str, Form(max_length=10)],
    start_on: Annotated[str, Form(max_length=10)],
) -> Response:
    """Agree a payment plan for the whole balance."""
    return _act(
        request,
        db_session,
        principal,
        case_id,
        "ledger",
        "Plan agreed.",
        lambda: console_service.create_plan(
            db_session=db_session,
            principal=principal,
            case_id=case_id,
            instalments=instalments,
            frequency=frequency,
            start_on=start_on,
        ),
    )


# Team --------------------------------------------------------------------------------------


def _team(
    request: Request,
    db_session: Session,
    auth: PageAuth,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    context: dict[str, Any] = {
        "principal": auth.principal,
        "csrf_token": auth.csrf_token,
        "nav": "team",
    }
    if not team_view.may_see(auth.principal):
        return _render(request, "console/forbidden.html", context, status_code=403)
    context["team"] = team_view.figures(
        db_session=db_session, principal=auth.principal, lang=language_of(request)
    )
    context.update(
        assignees=team_view.assignees(db_session=db_session, principal=auth.principal),
        stages=portfolio_service.STAGES,
        max_bulk=team_view.MAX_BULK,
        error=error,
        notice=notice,
    )
    return _render(request, "console/team.html", context, status_code=422 if error else 200)


@pages.get("/team", response_class=HTMLResponse)
def team_page(request: Request, db_session: DbSession) -> Response:
    """The supervisor's dashboard: recovered per week, contact rate, promises, blocks."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    return _team(request, db_session, auth)


@pages.post("/team/assign", response_class=HTMLResponse)
def assign_cases(
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    agent_id: Annotated[str, Form(max_length=20)] = "",
    count: Annotated[str, Form(max_length=6)] = "",
    stage: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """Give an agent the next unassigned cases of their teams (supervisors; each audited)."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    if not team_view.may_see(principal):
        return _team(request, db_session, auth)  # the forbidden page
    try:
        done = team_view.assign_next(
            db_session=db_session,
            principal=principal,
            agent_id=int(agent_id) if agent_id.isdigit() else -1,
            count=int(count) if count.isdigit() else 0,
            stage=stage if stage in portfolio_service.STAGES else None,
        )
    except InvalidInput as exc:
        db_session.rollback()
        return _team(request, db_session, auth, error=_error_text(exc))
    db_session.flush()
    notice = gettext(language_of(request), "%(n)s cases assigned.") % {"n": done}
    return _team(request, db_session, auth, notice=notice)


# Compliance --------------------------------------------------------------------------------


def _compliance(
    request: Request,
    db_session: Session,
    auth: PageAuth,
    object_type: str = "",
    object_id: str = "",
    verified: Any = None,
    error: str | None = None,
) -> Response:
    context: dict[str, Any] = {
        "principal": auth.principal,
        "csrf_token": auth.csrf_token,
        "nav": "compliance",
    }
    if not compliance_view.may_see(auth.principal):
        return _render(request, "console/forbidden.html", context, status_code=403)
    context.update(
        queue=compliance_view.queue(db_session=db_session, principal=auth.principal),
        rules=compliance_view.rules(),
        entries=compliance_view.audit_entries(
            db_session=db_session, object_type=object_type, object_id=object_id
        ),
        object_type=object_type,
        object_id=object_id,
        verified=verified,
        error=error,
        may_approve=compliance_view.may_approve(auth.principal),
    )
    return _render(request, "console/compliance.html", context)


@pages.get("/compliance", response_class=HTMLResponse)
def compliance_page(
    request: Request,
    db_session: DbSession,
    object_type: Annotated[str, Query(max_length=100)] = "",
    object_id: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Held and blocked messages with reasons, the rule packs, audit search."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    return _compliance(request, db_session, auth, object_type, object_id)


@pages.post("/compliance/messages/{message_id}/approve", response_class=HTMLResponse)
def approve_message(
    message_id: int, request: Request, principal: CurrentPrincipal, db_session: DbSession
) -> Response:
    """A compliance officer releases a message held for review (audited by outreach)."""
    auth = _page_auth(request, db_session)
    if auth is None or not compliance_view.may_approve(principal):
        return _render(
            request,
            "console/forbidden.html",
            {"principal": principal, "csrf_token": auth.csrf_token if auth else ""},
            status_code=403,
        )
    error = None
    try:
        compliance_view.approve(db_session=db_session, principal=principal, message_id=message_id)
    except NotFound:
        raise
    except ConciliaError as exc:
        db_session.rollback()
        error = _error_text(exc)
    return _compliance(request, db_session, auth, error=error)


@pages.get("/compliance/audit/verify", response_class=HTMLResponse)
def verify_audit(request: Request, db_session: DbSession) -> Response:
    """Walk the audit chain and show the result: a read (a GET), so auditors may run it."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    if not compliance_view.may_see(auth.principal):
        return _render(
            request,
            "console/forbidden.html",
            {"principal": auth.principal, "csrf_token": auth.csrf_token},
            status_code=403,
        )
    result = compliance_view.verify(db_session=db_session)
    return _compliance(request, db_session, auth, verified=result)


# The demo's mailbox --------------------------------------------------------------------------


@pages.get("/mail", response_class=HTMLResponse)
def mail_page(request: Request, db_session: DbSession) -> Response:
    """What the demo's local SMTP sink received about my cases (our mail and the replies)."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    mail = mailbox.read(
        db_session=db_session, principal=auth.principal, var_dir=get_settings().var_dir
    )
    context = {
        "principal": auth.principal,
        "csrf_token": auth.csrf_token,
        "nav": "mail",
        "mail": mail,
    }
    return _render(request, "console/mail.html", context)


# Profile -----------------------------------------------------------------------------------


def _profile(
    request: Request, db_session: Session, auth: PageAuth, notice: str | None = None
) -> Response:
    user = auth_service.get_user(db_session=db_session, user_id=auth.principal.user_id)
    context: dict[str, Any] = {
        "principal": auth.principal,
        "csrf_token": auth.csrf_token,
        "nav": "profile",
        "user": user,
        "teams": [t.name for t in user.teams],
        "ui_languages": auth_service.UI_LANGUAGES,
        "notice": notice,
    }
    return _render(request, "console/profile.html", context)


@pages.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request, db_session: DbSession) -> Response:
    """Who I am, my teams, and the language the console speaks to me in."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    return _profile(request, db_session, auth)


@pages.post("/profile", response_class=HTMLResponse)
def save_profile(
    request: Request,
    principal: CurrentPrincipal,
    db_session: DbSession,
    language: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Save my UI language (empty: follow the browser's); audited by auth."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    chosen = language if language in auth_service.UI_LANGUAGES else None
    auth_service.set_language(
        db_session=db_session, user_id=principal.user_id, language=chosen, actor=principal.actor
    )
    db_session.flush()
    request.state.user_language = chosen
    return _profile(request, db_session, auth, notice=gettext(language_of(request), "Saved."))


# Replies -----------------------------------------------------------------------------------


@pages.get("/replies", response_class=HTMLResponse)
def replies_page(request: Request, db_session: DbSession) -> Response:
    """Replies on the cases I may see, newest first, each linked to its case."""
    auth = _page_auth(request, db_session)
    if auth is None:
        return _to_login()
    replies = console_service.replies(db_session=db_session, principal=auth.principal)
    privacy_service.record_staff_read(
        db_session=db_session, principal=auth.principal, what="console replies", via="page",
        case_ids=[r.case_id for r in replies if r.case_id is not None],
    )  # fmt: skip
    return _render(
        request,
        "console/replies.html",
        {
            "replies": replies,
            "principal": auth.principal,
            "csrf_token": auth.csrf_token,
            "nav": "replies",
        },
    )


router = APIRouter()
router.include_router(pages)
router.include_router(api_router)
