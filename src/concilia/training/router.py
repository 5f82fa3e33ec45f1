"""HTTP routes: courses, quizzes, the policy and its acknowledgement, and staff status."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from concilia.auth.dependencies import CurrentPrincipal, DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.certification import service as certification_service
from concilia.training import content, service
from concilia.training.pages import pages
from concilia.training.schemas import (
    AnswersIn,
    Correction,
    CourseOut,
    QuestionOut,
    QuizIn,
    QuizOut,
    QuizResultOut,
    StatusOut,
)

# The languages the courses and the policy are written in (training.content.LANGS).
Lang = Literal["en", "fr", "es"]
api = APIRouter(prefix="/api/training", tags=["training"])

Staff = Annotated[
    Principal,
    Depends(require_roles(Role.admin, Role.supervisor, Role.agent, Role.compliance_officer)),
]
Publisher = Annotated[Principal, Depends(require_roles(Role.admin, Role.compliance_officer))]
Overseer = Annotated[
    Principal,
    Depends(require_roles(Role.admin, Role.supervisor, Role.compliance_officer, Role.auditor)),
]


@api.get("/courses", response_model=list[CourseOut])
def list_courses(principal: CurrentPrincipal, lang: Lang | None = None) -> list[CourseOut]:
    """Every course (of one language when given), with the rules it covers."""
    return [
        CourseOut(
            slug=c.slug,
            lang=c.lang,
            jurisdiction=c.jurisdiction,
            title=c.title,
            markdown=content.course_markdown(c),
        )
        for c in content.courses(lang)
    ]


@api.post("/quizzes", response_model=QuizOut, status_code=201)
def start_quiz(body: QuizIn, db_session: DbSession, principal: Staff) -> QuizOut:
    """Draw a quiz for the signed-in staff member."""
    attempt = service.start_quiz(
        db_session=db_session,
        user_id=principal.user_id,
        lang=body.lang,
        jurisdiction=body.jurisdiction,
        actor=principal.actor,
    )
    return QuizOut(
        id=attempt.id,
        lang=attempt.lang,
        jurisdiction=attempt.jurisdiction,
        questions=[QuestionOut(id=q["id"], statement=q["statement"]) for q in attempt.questions],
    )


@api.post("/quizzes/{attempt_id}/answers", response_model=QuizResultOut)
def submit_quiz(
    attempt_id: int, body: AnswersIn, db_session: DbSession, principal: Staff
) -> QuizResultOut:
    """Score one's own quiz; a pass issues a certificate (another's quiz answers 404)."""
    attempt, certificate = service.submit_quiz(
        db_session=db_session,
        attempt_id=attempt_id,
        user_id=principal.user_id,
        answers=body.answers,
        actor=principal.actor,
    )
    return QuizResultOut(
        score=attempt.score or 0.0,
        passed=bool(attempt.passed),
        certificate_expires_at=certificate.expires_at if certificate else None,
        corrections=[
            Correction(
                id=q["id"],
                statement=q["statement"],
                expected=q["answer"],
                explanation=q["explanation"],
            )
            for q in attempt.questions
            if body.answers.get(q["id"]) is not q["answer"]
        ],
    )


@api.get("/policy", response_class=HTMLResponse)
def policy(db_session: DbSession, principal: CurrentPrincipal, lang: Lang = "en") -> str:
    """The social-media policy as it stands now (HTML)."""
    return service.render_policy(db_session=db_session, lang=lang, stylesheet="/static/console.css")


@api.post("/policy/publish")
def publish_policy(db_session: DbSession, principal: Publisher) -> dict[str, int | bool]:
    """Publish the policy as a new version when it changed (admin or compliance officer)."""
    version, created = service.publish_policy(db_session=db_session, actor=principal.actor)
    return {"number": version.number, "created": created}


@api.post("/policy/acknowledge")
def acknowledge_policy(
    db_session: DbSession, principal: Staff, number: int | None = None
) -> dict[str, int]:
    """Acknowledge the current policy version."""
    certification_service.acknowledge_policy(
        db_session=db_session, user_id=principal.user_id, actor=principal.actor, number=number
    )
    current = service.current_policy(db_session=db_session)
    return {"number": current.number if current else 0}


def _status(db_session: DbSession, user_ids: dict[int, str]) -> list[StatusOut]:
    rows = certification_service.team_status(db_session=db_session, user_ids=list(user_ids))
    return [
        StatusOut(
            user_id=user_id,
            username=user_ids[user_id],
            certificate_expires_at=row.certificate_expires_at,
            certificate_basis=row.certificate_basis,
            policy_acknowledged=row.policy_acknowledged,
            may_use_social_channels=row.may_use_social_channels,
            reason=row.reason,
        )
        for user_id, row in rows.items()
    ]


@api.get("/me", response_model=StatusOut)
def my_status(db_session: DbSession, principal: CurrentPrincipal) -> StatusOut:
    """The signed-in user's certificate and policy acknowledgement."""
    return _status(db_session, {principal.user_id: principal.username})[0]


@api.get("/team-status", response_model=list[StatusOut])
def team_status(db_session: DbSession, principal: Overseer) -> list[StatusOut]:
    """Staff of the principal's teams (all staff for admins, compliance, auditors)."""
    return _status(db_session, service.staff_in_scope(db_session=db_session, principal=principal))


router = APIRouter()
router.include_router(api)
router.include_router(pages)
