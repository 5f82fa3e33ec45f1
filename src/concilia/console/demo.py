"""`concilia console demo`: leave a living world behind for a new user's first look.

Every step is idempotent, so `make demo` can be run again: the world is simulated once,
imports recognise what they already hold, users and decisions are made only when missing.
Other domains' batch steps run through their own commands (their CLI is their contract);
this module only adds what a person would have done in the console: decisions by a
``demo`` user (audited as ``user:demo``), identity checks, a few messages delivered to a
local SMTP sink (aiosmtpd) and the debtors' answers coming back as replies.
"""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from concilia.auth import service as auth_service
from concilia.auth.schemas import Principal
from concilia.console.mailbox import AGENCY_ADDRESS
from concilia.console.mailbox import FOLDER as MAIL_FOLDER
from concilia.db import session_scope, utcnow
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import InboundMessage
from concilia.outreach.outbox import ingest_replies
from concilia.portfolio import service as portfolio_service
from concilia.tracing import service as tracing_service
from concilia.training import service as training_service

TEAM = "demo"
CREDITOR = "Demo World Bank"
PEOPLE = 2_000
STAFF = (("agent", "agent"), ("supervisor", "supervisor"), ("compliance", "compliance_officer"))
DEMO_USER = "demo"
DECISIONS = 12
MESSAGES = 3
# What a first message after a verified call says, in the debtor's language: no threat, no
# pressure, nothing a third party could read as a debt (identity is verified first).
FOLLOW_UP = {
    "fr": (
        "Suite à notre appel",
        "Bonjour,\n\nMerci pour notre échange de ce jour. Comme convenu, vous pouvez consulter "
        "votre dossier et proposer un échéancier adapté à votre situation sur notre portail, "
        "à votre rythme.\n\nPour ne plus recevoir nos courriels, répondez STOP.\n\n"
        "Bien cordialement,",
    ),
    "es": (
        "Tras nuestra llamada",
        "Hola:\n\nGracias por la conversación de hoy. Como acordamos, puede consultar su "
        "expediente y proponer un plan de pagos adaptado a su situación en nuestro portal, "
        "cuando le venga bien.\n\nPara no recibir más mensajes, responda BAJA.\n\n"
        "Un saludo cordial,",
    ),
    "en": (
        "Following our call",
        "Hello,\n\nThank you for speaking with us today. As agreed, you can look at your file "
        "and suggest a payment plan that suits your situation on our portal, whenever "
        "convenient.\n\nTo stop receiving these e-mails, reply STOP.\n\nKind regards,",
    ),
}
REPLY = {
    "fr": "Bonjour, merci. Je regarde le portail ce soir et je vous propose un échéancier.",
    "es": "Hola, gracias. Miro el portal esta noche y les propongo un plan.",
    "en": "Hello, thanks. I will look at the portal tonight and suggest a plan.",
}


def run_step(*args: str, env: dict[str, str] | None = None, quiet: bool = False) -> str:
    """Run one `concilia ...` command in this process and return its output (shown unless
    ``quiet``); RuntimeError when it fails.

    In-process, not a subprocess: each `concilia` process imported every domain again
    (about 6 s of CPU each, a minute over the demo's steps). The command is still the
    other domain's own CLI, with its own transactions. Its time goes to stderr.
    """
    import contextlib
    import io
    import os
    import time

    from typer.main import get_command

    from concilia import cli as concilia_cli

    command = get_command(concilia_cli.app)
    out = io.StringIO()
    saved = {k: os.environ.get(k) for k in env or {}}
    started = time.monotonic()
    code: int | str | None = 0
    failure = ""
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out):
            try:
                command.main(args=list(args), prog_name="concilia", standalone_mode=False)
            except SystemExit as exc:
                code = exc.code
            except Exception as exc:
                # Typer's own click raises its Exit (exit_code 0 for --help) and usage errors
                # (exit_code 2), which carry their code; anything else is a failure.
                exit_code = getattr(exc, "exit_code", None)
                if isinstance(exit_code, int):
                    code = exit_code
                    format_message = getattr(exc, "format_message", None)
                    failure = format_message() if exit_code and format_message else ""
                else:
                    code, failure = 1, concilia_cli.explain(exc) or repr(exc)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    print(f"  concilia {args[0]} {args[1] if len(args) > 1 else ''}: "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)  # fmt: skip
    output = out.getvalue()
    if code not in (0, None):
        raise RuntimeError(
            f"`concilia {' '.join(args)}` failed ({code}):\n{output[-2000:]}{failure}"
        )
    if not quiet and output.strip():
        print(output.rstrip())
    return output


# The SMTP sink ------------------------------------------------------------------------------


@dataclass
class MailSink:
    """A local SMTP server (aiosmtpd) that keeps every message as a .eml file."""

    folder: Path
    port: int = 0
    _controller: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller

        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.port:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = int(probe.getsockname()[1])
        sink = self

        class _Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.keep(bytes(envelope.content))
                return "250 OK"

        self._controller = Controller(_Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def keep(self, raw: bytes) -> None:
        with self._lock:
            count = len(list(self.folder.glob("*.eml")))
            (self.folder / f"{count + 1:05d}.eml").write_bytes(raw)

    def messages(self) -> list[EmailMessage]:
        out = []
        for path in sorted(self.folder.glob("*.eml")):
            parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            out.append(parsed)
        return out


@dataclass
class SinkReplies:
    """The sink's mail addressed to the agency, read as replies (the demo's mailbox)."""

    sink: MailSink
    name: str = "email"

    def send(self, message: Any) -> Any:  # pragma: no cover - never used to send
        raise NotImplementedError

    def status(self, provider_id: str) -> None:
        return None

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        replies = []
        for mail in self.sink.messages():
            if AGENCY_ADDRESS not in str(mail.get("To", "")):
                continue
            body = mail.get_body(preferencelist=("plain",))
            replies.append(
                InboundMessage(
                    provider_id=str(mail["Message-ID"]),
                    channel="email",
                    sender=str(mail["From"]),
                    text=body.get_content().strip() if body is not None else "",
                    received_at=utcnow(),
                    in_reply_to=str(mail["In-Reply-To"]) if mail["In-Reply-To"] else None,
                )
            )
        return replies


# Steps ------------------------------------------------------------------------------------


def ensure_users(say: Callable[[str], None]) -> None:
    """Users agent, supervisor and compliance in team demo (one-time passwords printed once),
    and ``demo``, who takes the demo's decisions so the audit names them as such.

    Created through `concilia auth create-user` with no transaction of ours open, so the
    next session sees them (SQLite keeps an open reader on its snapshot)."""
    with session_scope() as db_session:
        present = {
            name
            for name in [*(u for u, _ in STAFF), DEMO_USER]
            if auth_service.get_user_by_username(db_session=db_session, username=name)
        }
    for username, role in STAFF:
        if username in present:
            say(f"user {username!r} exists (new password: concilia auth reset-password {username})")
            continue
        output = run_step(
            "auth", "create-user", username, "--role", role, "--team", TEAM, quiet=True
        )
        say(output.strip())
    if DEMO_USER not in present:
        run_step(
            "auth", "create-user", DEMO_USER, "--role", "agent", "--team", TEAM,
            "--full-name", "Demo script (not a person)", quiet=True,
        )  # fmt: skip


def demo_principal(db_session: Session) -> Principal:
    """The ``demo`` user's principal (see :func:`ensure_users`)."""
    user = auth_service.get_user_by_username(db_session=db_session, username=DEMO_USER)
    if user is None:
        raise RuntimeError(f"user {DEMO_USER!r} is missing: run ensure_users first")
    return auth_service.principal_for(user, "token")


def take_decisions(db_session: Session, principal: Principal) -> int:
    """Accept the likeliest candidate of a few debtors, reject one: decided as ``user:demo``."""
    rows = portfolio_service.worklist(db_session=db_session, principal=principal, limit=400)
    keys = sorted({str(r.case_id) for r in rows})
    debtor_ids = [
        portfolio_service.get_case(db_session=db_session, case_id=int(k)).debt.debtor_id
        for k in keys
    ]
    cands = tracing_service.list_candidates(
        db_session=db_session,
        debtor_keys=[str(d) for d in debtor_ids],
        status=None,
        limit=5_000,
    )
    if any(c.decided_by == principal.actor for c in cands):
        return 0  # already done on an earlier run
    done, seen = 0, set()
    for cand in cands:
        if done >= DECISIONS or cand.debtor_key in seen or cand.status != "proposed":
            continue
        seen.add(cand.debtor_key)
        usable, _ = tracing_service.authenticity_lines(
            db_session=db_session, profile_key=cand.profile_key
        )
        if usable and cand.probability >= 0.97 and done % 4 != 3:
            tracing_service.accept(
                db_session=db_session,
                candidate_id=cand.id,
                actor=principal.actor,
                reason="demo script: name, birthday and city agree",
            )
        else:
            tracing_service.reject(
                db_session=db_session,
                candidate_id=cand.id,
                actor=principal.actor,
                reason="demo script: left for a person to look at again",
            )
        done += 1
    return done


def _office_hours(time_zone: str) -> datetime:
    """The next weekday 10:00 in a zone, as UTC: when a demo message may lawfully go."""
    zone = ZoneInfo(time_zone)
    local = utcnow().astimezone(zone)
    at = local.replace(hour=10, minute=0, second=0, microsecond=0)
    if at <= local:
        at += timedelta(days=1)
    while at.weekday() >= 5:
        at += timedelta(days=1)
    return at.astimezone(ZoneInfo("UTC"))


def _verify_as_demo(
    db_session: Session, principal: Principal, debtor_id: int, channel: str, to: str
) -> None:
    """Record the contact point's identity check as done by the demo user (audited as such)."""
    if not outreach_service.is_identity_verified(
        db_session=db_session, debtor_id=debtor_id, channel=channel, address=to
    ):
        outreach_service.mark_identity_verified(
            db_session=db_session,
            debtor_id=debtor_id,
            channel=channel,
            address=to,
            method="date_of_birth",
            actor=principal.actor,
        )


def queue_messages(db_session: Session, principal: Principal) -> list[tuple[int, datetime | None]]:
    """Verify identity on a few cases' e-mail and queue a follow-up that the rules allow.

    Real time only: a message is sent now when now is a lawful hour in the debtor's zone;
    otherwise it waits in the outbox for the next lawful hour (shown with that time in the
    console), never sent with a pretended clock that would date it in the future. Returns
    (case id, the time it waits for, None when it goes now)."""
    now = utcnow()
    due_now: list[tuple[int, datetime | None]] = []
    later: list[tuple[int, datetime | None]] = []
    rows = portfolio_service.worklist(db_session=db_session, principal=principal, limit=400)
    tried = 0
    for row in rows:
        # Enough to show, or (outside lawful hours everywhere) enough tried: identity is
        # recorded as verified on each case tried, so the demo does not try them all.
        if len(due_now) >= MESSAGES or tried >= 60:
            break
        if row.flags or row.jurisdiction not in ("FR", "ES", "UK"):
            continue
        case = portfolio_service.get_case(db_session=db_session, case_id=row.case_id)
        debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=case.debt.debtor_id)
        view = portfolio_service.reveal_debtor(debtor)
        if not view.emails:
            continue
        key = f"demo:follow-up:{case.id}"
        existing = outreach_service.get_by_key(db_session=db_session, idempotency_key=key)
        if existing is not None:
            (later if existing.not_before and existing.not_before > now else due_now).append(
                (case.id, existing.not_before)
            )
            continue
        lang = debtor.preferred_language if debtor.preferred_language in FOLLOW_UP else "en"
        subject, body = FOLLOW_UP[lang]
        to = view.emails[0]
        tried += 1
        _verify_as_demo(db_session, principal, debtor.id, "email", to)
        verdict = outreach_service.check_draft(
            db_session=db_session, case_id=case.id, channel="email", kind="free_text",
            to=to, body=body, at=now,
        )  # fmt: skip
        if verdict.verdict == "allow":
            at: datetime | None = None
        elif outreach_service.only_time_reasons(verdict) and len(later) < MESSAGES:
            at = _office_hours(debtor.time_zone)
        else:
            continue
        checked = outreach_service.check_draft(
            db_session=db_session, case_id=case.id, channel="email", kind="free_text",
            to=to, body=body, at=at or now,
        )  # fmt: skip
        if checked.verdict != "allow":
            continue
        outreach_service.enqueue(
            db_session=db_session,
            case_id=case.id,
            channel="email",
            kind="free_text",
            lang=lang,
            to=to,
            body=body,
            subject=subject,
            actor=principal.actor,
            idempotency_key=key,
            automated=False,
            not_before=at,
        )
        (due_now if at is None else later).append((case.id, at))
    # Some mail goes now when the hour allows it anywhere; the rest honestly waits.
    return due_now + later


TEXT_REMINDER = {
    "fr": "Concilia : votre dossier est consultable sur notre portail, à votre rythme. STOP pour "
    "ne plus recevoir de SMS.",
    "es": "Concilia: puede consultar su expediente en nuestro portal cuando le venga bien. BAJA "
    "para no recibir más SMS.",
    "en": "Concilia: you can look at your file on our portal whenever convenient. Reply STOP to "
    "opt out.",
}
TEXTS = 5


def queue_texts(db_session: Session, principal: Principal) -> int:
    """A few text reminders, each through the same checks, sent by the Twilio fake.

    Only texts the rules allow now are queued (a text waiting for a lawful hour would go
    after the demo's fakes have stopped); returns how many."""
    now = utcnow()
    queued = 0
    rows = portfolio_service.worklist(db_session=db_session, principal=principal, limit=400)
    for row in rows:
        if queued >= TEXTS:
            break
        if row.flags or row.jurisdiction not in ("FR", "ES", "UK"):
            continue
        case = portfolio_service.get_case(db_session=db_session, case_id=row.case_id)
        debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=case.debt.debtor_id)
        view = portfolio_service.reveal_debtor(debtor)
        if not view.phones:
            continue
        key = f"demo:text:{case.id}"
        if outreach_service.get_by_key(db_session=db_session, idempotency_key=key) is not None:
            queued += 1
            continue
        lang = debtor.preferred_language if debtor.preferred_language in TEXT_REMINDER else "en"
        to = view.phones[0]
        _verify_as_demo(db_session, principal, debtor.id, "sms", to)
        verdict = outreach_service.check_draft(
            db_session=db_session, case_id=case.id, channel="sms", kind="free_text",
            to=to, body=TEXT_REMINDER[lang], at=now,
        )  # fmt: skip
        if verdict.verdict != "allow":
            continue
        outreach_service.enqueue(
            db_session=db_session,
            case_id=case.id,
            channel="sms",
            kind="free_text",
            lang=lang,
            to=to,
            body=TEXT_REMINDER[lang],
            actor=principal.actor,
            idempotency_key=key,
            automated=False,
            not_before=None,
        )
        queued += 1
    return queued


def answer_as_debtors(sink: MailSink) -> int:
    """Each demo debtor answers our mail (sent to the sink, addressed to the agency)."""
    ours = [m for m in sink.messages() if str(m.get("From", "")) == AGENCY_ADDRESS]
    answered = {str(m["In-Reply-To"]) for m in sink.messages() if m["In-Reply-To"]}
    sent = 0
    for mail in ours:
        if str(mail["Message-ID"]) in answered:
            continue
        body = mail.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        lang = "fr" if "Bonjour" in text else "es" if "Hola" in text else "en"
        reply = EmailMessage()
        reply["From"] = str(mail["To"])
        reply["To"] = AGENCY_ADDRESS
        reply["Subject"] = "Re: " + str(mail["Subject"])
        reply["Date"] = formatdate(localtime=False)
        reply["Message-ID"] = make_msgid(domain="debtor.demo")
        reply["In-Reply-To"] = str(mail["Message-ID"])
        reply.set_content(REPLY[lang])
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as smtp:
            smtp.send_message(reply)
        sent += 1
    return sent


def run(var_dir: Path, say: Callable[[str], None] = print) -> dict[str, Any]:
    """The whole demo; returns what it did (counts), printing progress with ``say``."""
    world = var_dir / "demo-world"
    report: dict[str, Any] = {}
    if not (world / "portfolio.csv").exists():
        say(f"simulating {PEOPLE} people into {world} ...")
        # Nobody moved abroad: a foreign national-format number would be refused by the
        # importer (rightly), which is a lesson for the import docs, not for a first look.
        run_step(
            "simulate", "--people", str(PEOPLE), "--out", str(world), "--quiet",
            "--rate", "moved_abroad=0",
        )  # fmt: skip
    say("importing the portfolio and the public sources ...")
    run_step("portfolio", "import", str(world / "portfolio.csv"), "--creditor", CREDITOR,
             "--team", TEAM)  # fmt: skip
    run_step("sources", "import-world", str(world), "--quiet")
    say("scoring profiles for fakes, linking debtors to profiles ...")
    run_step("authenticity", "score", "--actor", "demo")
    run_step("trace", "run", "--portfolio", CREDITOR)
    ensure_users(say)
    with session_scope() as db_session:
        # Social evidence needs certified staff: the demo's users get certificates marked
        # "demo" (not a passed quiz), audited as the demo.
        training_service.certify_for_demo(
            db_session=db_session, usernames=[*(u for u, _ in STAFF), DEMO_USER]
        )
        principal = demo_principal(db_session)
        report["decisions"] = take_decisions(db_session, principal)
    say("reading accepted profiles' public posts ...")
    run_step("signals", "run")
    sink = MailSink(var_dir / MAIL_FOLDER).start()
    try:
        with session_scope() as db_session:
            principal = demo_principal(db_session)
            queued = queue_messages(db_session, principal)
            report["texts"] = queue_texts(db_session, principal)
        report["messages"] = len(queued)
        waiting = sorted(a for _, a in queued if a is not None)
        report["waiting"] = len(waiting)
        env = {
            "CONCILIA_OUTREACH_SMTP_HOST": "127.0.0.1",
            "CONCILIA_OUTREACH_SMTP_PORT": str(sink.port),
            "CONCILIA_OUTREACH_SMTP_SENDER": AGENCY_ADDRESS,
        }
        # The worker at the real time: it sends only what is lawful now; texts, WhatsApp and
        # Messenger go to local fakes of the providers' APIs (no network in a demo).
        run_step("outreach", "run", "--no-tone", "--fakes", env=env, quiet=True)
        if waiting:
            say(
                f"{len(waiting)} message(s) wait for a lawful hour in the debtor's zone "
                f"(first at {waiting[0]:%Y-%m-%d %H:%M} UTC); the console shows when each goes"
            )
        report["answered"] = answer_as_debtors(sink)
        with session_scope() as db_session:
            stored = ingest_replies(
                db_session=db_session,
                channel=SinkReplies(sink),
                since=None,
                now=utcnow(),
                actor="demo",
            )
        report["replies"] = len(stored)
    finally:
        sink.stop()
    say(f"mail delivered to the local sink is kept in {var_dir / MAIL_FOLDER}")
    return report
