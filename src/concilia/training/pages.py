"""Staff pages: one's standing, the courses, a quiz, the policy and its acknowledgement, and
the team's certificates and expiries for those who oversee staff.

Pages read the browser session (none: to /login). Forms are plain POSTs that carry the
session's CSRF token as a field, checked here; auditors never change anything.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markdown_it import MarkdownIt
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from concilia.auth import service as auth_service
from concilia.auth.dependencies import DbSession
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.certification import service as certification_service
from concilia.config import get_settings
from concilia.db import utcnow
from concilia.errors import ConciliaError, NotFound
from concilia.training import content, service
from concilia.web.i18n import language_of
from concilia.web.templating import get_templates

pages = APIRouter(prefix="/console/training", include_in_schema=False)

CsrfField = Annotated[str, Form(max_length=100)]
OVERSEERS = (Role.admin, Role.supervisor, Role.compliance_officer, Role.auditor)
QUIZ_TAKERS = (Role.admin, Role.supervisor, Role.agent, Role.compliance_officer)
JURISDICTIONS = ("FR", "ES", "UK", "US")
# A certificate expiring within this many days is shown as "renew soon" to supervisors.
RENEW_SOON_DAYS = 30


@dataclass(frozen=True)
class PageAuth:
    principal: Principal
    csrf_token: str


def _auth(request: Request, db_session: Session) -> PageAuth | None:
    cookie = request.cookies.get(get_settings().session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    if found is None:
        return None
    web, user = found
    return PageAuth(auth_service.principal_for(user, "session"), web.csrf_token)


def _form_ok(auth: PageAuth, csrf_token: str) -> bool:
    return auth.principal.role != Role.auditor and hmac.compare_digest(auth.csrf_token, csrf_token)


def _lang(request: Request) -> str:
    # Courses and quizzes exist in the UI's three languages.
    lang = language_of(request)
    return lang if lang in content.LANGS else "en"


def _render(
    request: Request, name: str, auth: PageAuth, context: dict[str, Any], status: int = 200
) -> Response:
    context.update(
        lang=language_of(request),
        principal=auth.principal,
        csrf_token=auth.csrf_token,
        nav="training",
    )
    return get_templates().TemplateResponse(request, name, context, status_code=status)


def _to_login() -> Response:
    return RedirectResponse("/login", status_code=303)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Course texts are the repository's, but raw HTML stays off all the same.
    return MarkdownIt("commonmark", {"html": False})


def _overview(
    request: Request, db_session: Session, auth: PageAuth, error: str | None = None
) -> Response:
    principal = auth.principal
    lang = _lang(request)
    now = utcnow()
    mine = certification_service.team_status(
        db_session=db_session, user_ids=[principal.user_id], now=now
    )[principal.user_id]
    team: list[tuple[str, certification_service.StaffStatus, bool]] = []
    if principal.role in OVERSEERS:
        staff = service.staff_in_scope(db_session=db_session, principal=principal)
        statuses = certification_service.team_status(
            db_session=db_session, user_ids=list(staff), now=now
        )
        soon = now + timedelta(days=RENEW_SOON_DAYS)
        for uid, name in staff.items():
            expires = statuses[uid].certificate_expires_at
            team.append((name, statuses[uid], expires is not None and expires <= soon))
    current = service.current_policy(db_session=db_session)
    acknowledged = current is not None and certification_service.is_acknowledged(
        db_session=db_session, user_id=principal.user_id, version=current
    )
    context = {
        "mine": mine,
        "courses": content.courses(lang),
        "jurisdictions": JURISDICTIONS,
        "may_take_quiz": principal.role in QUIZ_TAKERS,
        "policy": current,
        "acknowledged": acknowledged,
        "team": team,
        "error": error,
    }
    return _render(request, "training/overview.html", auth, context, 422 if error else 200)


@pages.get("", response_class=HTMLResponse)
def overview(request: Request, db_session: DbSession) -> Response:
    """One's certificate and policy standing, courses, quiz, policy; the team for overseers."""
    auth = _auth(request, db_session)
    return _to_login() if auth is None else _overview(request, db_session, auth)


@pages.get("/courses/{slug}", response_class=HTMLResponse)
def course(slug: str, request: Request, db_session: DbSession) -> Response:
    """A course in the page's language, with the rules it covers."""
    auth = _auth(request, db_session)
    if auth is None:
        return _to_login()
    found = [c for c in content.courses(_lang(request)) if c.slug == slug[:60]]
    if not found:
        raise NotFound(f"no course {slug[:60]!r} in this language")
    body = _markdown().render(content.course_markdown(found[0]))
    return _render(request, "training/course.html", auth, {"course": found[0], "body": body})


@pages.post("/quiz")
def start_quiz(
    request: Request,
    db_session: DbSession,
    csrf_token: CsrfField,
    jurisdiction: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Draw a quiz in the page's language and show it."""
    auth = _auth(request, db_session)
    if auth is None:
        return _to_login()
    if not _form_ok(auth, csrf_token) or auth.principal.role not in QUIZ_TAKERS:
        return _overview(request, db_session, auth, "The form expired; please try again.")
    if jurisdiction and jurisdiction not in JURISDICTIONS:
        return _overview(request, db_session, auth, f"jurisdiction: unknown {jurisdiction!r}")
    attempt = service.start_quiz(
        db_session=db_session,
        user_id=auth.principal.user_id,
        lang=_lang(request),
        jurisdiction=jurisdiction or None,
        actor=auth.principal.actor,
    )
    return RedirectResponse(f"/console/training/quiz/{attempt.id}", status_code=303)


@pages.get("/quiz/{attempt_id}", response_class=HTMLResponse)
def quiz(attempt_id: int, request: Request, db_session: DbSession) -> Response:
    """One's unanswered quiz: a true/false choice per statement."""
    auth = _auth(request, db_session)
    if auth is None:
        return _to_login()
    attempt = service.get_attempt(
        db_session=db_session, attempt_id=attempt_id, user_id=auth.principal.user_id
    )
    if attempt.submitted_at is not None:
        return RedirectResponse("/console/training", status_code=303)
    return _render(request, "training/quiz.html", auth, {"attempt": attempt, "missing": []})


def _submit(request: Request, db_session: Session, attempt_id: int, form: Any) -> Response:
    auth = _auth(request, db_session)
    if auth is None:
        return _to_login()
    if not _form_ok(auth, str(form.get("csrf_token", ""))):
        return _overview(request, db_session, auth, "The form expired; please try again.")
    attempt = service.get_attempt(
        db_session=db_session, attempt_id=attempt_id, user_id=auth.principal.user_id
    )
    if attempt.submitted_at is not None:
        return RedirectResponse("/console/training", status_code=303)
    answers = {
        q["id"]: form.get(f"q-{q['id']}") == "true"
        for q in attempt.questions
        if form.get(f"q-{q['id']}") in ("true", "false")
    }
    missing = [q["id"] for q in attempt.questions if q["id"] not in answers]
    if missing:
        # Every statement needs an answer; the page says which, next to it.
        context = {"attempt": attempt, "missing": missing, "given": answers}
        return _render(request, "training/quiz.html", auth, context, 422)
    done, certificate = service.submit_quiz(
        db_session=db_session,
        attempt_id=attempt.id,
        user_id=auth.principal.user_id,
        answers=answers,
        actor=auth.principal.actor,
    )
    wrong = [q for q in done.questions if answers.get(q["id"]) is not q["answer"]]
    context = {"attempt": done, "certificate": certificate, "wrong": wrong}
    return _render(request, "training/result.html", auth, context)


@pages.post("/quiz/{attempt_id}")
async def submit_quiz(attempt_id: int, request: Request, db_session: DbSession) -> Response:
    """Score one's quiz: the score, the corrections, and a certificate on a pass."""
    # The question ids are the attempt's, so the fields are read from the raw form.
    form = await request.form(max_fields=200)
    return await run_in_threadpool(_submit, request, db_session, attempt_id, form)


@pages.get("/policy", response_class=HTMLResponse)
def policy_html(request: Request, db_session: DbSession) -> Response:
    """The social-media policy as it stands now, in the page's language."""
    if _auth(request, db_session) is None:
        return _to_login()
    html = service.render_policy(
        db_session=db_session, lang=_lang(request), stylesheet="/static/console.css"
    )
    return HTMLResponse(html)


@pages.get("/policy.pdf")
def policy_pdf(request: Request, db_session: DbSession) -> Response:
    """The same policy as a PDF."""
    if _auth(request, db_session) is None:
        return _to_login()
    pdf = service.render_policy_pdf(db_session=db_session, lang=_lang(request))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="social-media-policy.pdf"'},
    )


@pages.post("/policy/acknowledge")
def acknowledge(
    request: Request,
    db_session: DbSession,
    csrf_token: CsrfField,
    number: Annotated[int, Form(ge=1, le=1_000_000)],
) -> Response:
    """Acknowledge the policy version one read (refused if a newer one was published)."""
    auth = _auth(request, db_session)
    if auth is None:
        return _to_login()
    if not _form_ok(auth, csrf_token):
        return _overview(request, db_session, auth, "The form expired; please try again.")
    try:
        certification_service.acknowledge_policy(
            db_session=db_session,
            user_id=auth.principal.user_id,
            actor=auth.principal.actor,
            number=number,
        )
    except ConciliaError as exc:
        return _overview(request, db_session, auth, exc.detail)
    return RedirectResponse("/console/training", status_code=303)
