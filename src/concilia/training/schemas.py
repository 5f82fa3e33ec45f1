"""Training's in/out shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CourseOut(BaseModel):
    """A course, its Markdown with the rules it covers."""

    slug: str
    lang: str
    jurisdiction: str | None
    title: str
    markdown: str


class QuizIn(BaseModel):
    """Which quiz to draw."""

    lang: str = Field(default="en", pattern="^(en|fr|es)$")
    jurisdiction: str | None = Field(default=None, pattern="^(FR|ES|UK|US)$")


class QuestionOut(BaseModel):
    """A question as shown to staff (the expected answer stays on the server)."""

    id: str
    statement: str


class QuizOut(BaseModel):
    """A drawn quiz."""

    id: int
    lang: str
    jurisdiction: str | None
    questions: list[QuestionOut]


class AnswersIn(BaseModel):
    """True/false answers by question id."""

    answers: dict[str, bool]


class Correction(BaseModel):
    """A wrongly answered question and the rule behind it."""

    id: str
    statement: str
    expected: bool
    explanation: str


class QuizResultOut(BaseModel):
    """The score of a submitted quiz."""

    score: float
    passed: bool
    certificate_expires_at: datetime | None
    corrections: list[Correction]


class StatusOut(BaseModel):
    """A staff member's standing for social channels."""

    user_id: int
    username: str
    certificate_expires_at: datetime | None
    # "quiz" or "demo" (issued by the demo script to its own users).
    certificate_basis: str | None = None
    policy_acknowledged: bool
    may_use_social_channels: bool
    reason: str | None = None
