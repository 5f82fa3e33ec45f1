"""``concilia training``: courses, quizzes, the social-media policy and its acknowledgements."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from concilia.auth import service as auth_service
from concilia.certification import service as certification_service
from concilia.db import session_scope
from concilia.errors import NotFound
from concilia.training import content, service

app = typer.Typer(
    help="Staff training, certification and the social-media policy.", no_args_is_help=True
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


@app.command("courses")
def list_courses(lang: str | None = typer.Option(None, help="en, fr or es.")) -> None:
    """List the courses."""
    for course in content.courses(lang):
        where = course.jurisdiction or "all"
        typer.echo(f"{course.slug}\t{course.lang}\t{where}\t{course.title}")


@app.command("course")
def show_course(slug: str, lang: str = typer.Option("en", help="en, fr or es.")) -> None:
    """Print a course (Markdown), with the rules it covers from the rule packs."""
    found = [c for c in content.courses(lang) if c.slug == slug]
    if not found:
        raise NotFound(f"no course {slug!r} in {lang}")
    typer.echo(content.course_markdown(found[0]), nl=False)


@app.command()
def policy(
    out: Path = typer.Option(..., "--out", help="The file to write: .html, or .pdf for a PDF."),
    lang: str = typer.Option("en", help="en, fr or es."),
    publish: bool = typer.Option(False, help="Publish it as a new version if it changed."),
) -> None:
    """Render the social-media policy from the rule packs, the declared sources and settings."""
    with session_scope() as db_session:
        if publish:
            version, created = service.publish_policy(db_session=db_session, actor=_actor())
            state = "published" if created else "unchanged"
            typer.echo(f"policy version {version.number} ({state})")
        if out.suffix.lower() == ".pdf":
            out.write_bytes(service.render_policy_pdf(db_session=db_session, lang=lang))
        else:
            out.write_text(
                service.render_policy(db_session=db_session, lang=lang), encoding="utf-8"
            )
    typer.echo(f"wrote {out}")


@app.command()
def acknowledge(
    user: str = typer.Option(..., help="Username of the staff member."),
    version: int | None = typer.Option(None, help="The version read (must be the current one)."),
) -> None:
    """Record that a staff member acknowledged the current policy."""
    with session_scope() as db_session:
        found = auth_service.get_user_by_username(db_session=db_session, username=user)
        if found is None:
            raise NotFound(f"no user {user!r}")
        certification_service.acknowledge_policy(
            db_session=db_session, user_id=found.id, actor=_actor(), number=version
        )
    typer.echo(f"{user} acknowledged the current policy")


@app.command()
def quiz(
    user: str = typer.Option(..., help="Username of the staff member taking the quiz."),
    lang: str = typer.Option("en", help="en, fr or es."),
    jurisdiction: str | None = typer.Option(None, help="FR, ES, UK or US; all when omitted."),
) -> None:
    """Take a quiz at the terminal (y/n answers); a pass issues a certificate."""
    with session_scope() as db_session:
        found = auth_service.get_user_by_username(db_session=db_session, username=user)
        if found is None:
            raise NotFound(f"no user {user!r}")
        attempt = service.start_quiz(
            db_session=db_session,
            user_id=found.id,
            lang=lang,
            jurisdiction=jurisdiction,
            actor=_actor(),
        )
        answers = {
            str(q["id"]): typer.confirm(f"{n}. {q['statement']}")
            for n, q in enumerate(attempt.questions, start=1)
        }
        done, certificate = service.submit_quiz(
            db_session=db_session,
            attempt_id=attempt.id,
            user_id=found.id,
            answers=answers,
            actor=_actor(),
        )
        for q in done.questions:
            if answers[str(q["id"])] is not q["answer"]:
                typer.echo(f"✗ {q['statement']}\n  → {q['explanation']}")
        typer.echo(f"score {done.score:.0%}: {'passed' if done.passed else 'not passed'}")
        if certificate is not None:
            typer.echo(f"certificate valid until {certificate.expires_at:%Y-%m-%d}")


@app.command()
def status(users: list[str] = typer.Argument(..., help="Usernames.")) -> None:
    """Certificate expiry and policy acknowledgement of staff members."""
    with session_scope() as db_session:
        ids: dict[int, str] = {}
        for name in users:
            found = auth_service.get_user_by_username(db_session=db_session, username=name)
            if found is None:
                raise NotFound(f"no user {name!r}")
            ids[found.id] = name
        for user_id, row in certification_service.team_status(
            db_session=db_session, user_ids=list(ids)
        ).items():
            expires = row.certificate_expires_at
            typer.echo(
                f"{ids[user_id]}\tcertificate until {expires or '-'}\t"
                f"policy acknowledged: {row.policy_acknowledged}\t"
                f"may use social channels: {row.may_use_social_channels}"
            )
