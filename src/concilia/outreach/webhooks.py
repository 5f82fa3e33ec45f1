"""Providers' webhooks: WhatsApp (Meta) and Twilio push statuses and the person's messages.

Authenticated by the provider's signature (no staff session: the provider calls), idempotent
(a replayed delivery finds its reply or event already stored and changes nothing), and landing
in :mod:`concilia.outreach.inbound`, the same inbox, case timeline and contact log as polled
replies. A bad signature answers 401 and stores nothing; an unconfigured provider 404.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import SecretStr

from concilia import crypto
from concilia.auth.dependencies import DbSession
from concilia.db import utcnow
from concilia.errors import ConciliaError, NotFound, Unauthorized, problem_responses
from concilia.outreach import inbound
from concilia.outreach import settings as outreach_settings
from concilia.outreach.channels import (
    InboundMessage,
    StatusEvent,
    mailparse,
    messenger,
    twilio,
    whatsapp,
)


class BadDelivery(ConciliaError):
    status = 400
    title = "Unreadable webhook delivery"


# Mounted under outreach's /api/outreach by router.py.
router = APIRouter(
    prefix="/webhooks",
    tags=["outreach webhooks"],
    # A provider that is not configured answers 404; a bad signature 401; a body that is
    # not the provider's notification 400.
    responses=problem_responses(NotFound, Unauthorized, BadDelivery),
)
ACTOR = "webhook"
MAX_BODY = 1_000_000  # Meta batches at most a few hundred events; far below this


@router.get("/whatsapp", response_class=PlainTextResponse)
def whatsapp_subscribe(
    mode: Annotated[str, Query(alias="hub.mode", max_length=20)],
    token: Annotated[str, Query(alias="hub.verify_token", max_length=200)],
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=200)],
) -> str:
    """Meta's subscription handshake: echo the challenge when the verify token matches."""
    expected = outreach_settings.current().whatsapp_verify_token
    return _handshake(expected, "WhatsApp", mode=mode, token=token, challenge=challenge)


@router.post("/whatsapp")
async def whatsapp_delivery(request: Request, db_session: DbSession) -> dict[str, int]:
    """Statuses and messages of one signed notification."""
    secret = outreach_settings.current().whatsapp_app_secret
    body = await _meta_signed_body(request, secret, "WhatsApp")
    try:
        messages, events = whatsapp.parse_webhook(body)
    except (ValueError, KeyError, TypeError) as exc:
        raise BadDelivery(f"not a WhatsApp notification: {exc}") from exc
    return _store(db_session, messages, events)


@router.get("/meta", response_class=PlainTextResponse)
def meta_subscribe(
    mode: Annotated[str, Query(alias="hub.mode", max_length=20)],
    token: Annotated[str, Query(alias="hub.verify_token", max_length=200)],
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=200)],
) -> str:
    """The Page's (Messenger, Instagram) subscription handshake."""
    expected = outreach_settings.current().meta_verify_token
    return _handshake(expected, "Messenger", mode=mode, token=token, challenge=challenge)


@router.post("/meta")
async def meta_delivery(request: Request, db_session: DbSession) -> dict[str, int]:
    """Messages and deliveries of one signed Page or Instagram notification."""
    secret = outreach_settings.current().meta_app_secret
    body = await _meta_signed_body(request, secret, "Messenger")
    try:
        messages, events = messenger.parse_webhook(body)
    except (ValueError, KeyError, TypeError) as exc:
        raise BadDelivery(f"not a Page or Instagram notification: {exc}") from exc
    return _store(db_session, messages, events)


def _handshake(
    expected: SecretStr | None, provider: str, *, mode: str, token: str, challenge: str
) -> str:
    """Meta's subscription handshake (WhatsApp and Pages alike): the challenge, echoed."""
    if expected is None:
        raise NotFound(f"{provider} webhooks are not configured")
    if mode != "subscribe" or not crypto.same_secret(expected.get_secret_value(), token):
        raise Unauthorized("verify token does not match")
    return challenge


async def _meta_signed_body(request: Request, secret: SecretStr | None, provider: str) -> bytes:
    """The body of a Meta notification once its X-Hub-Signature-256 is verified."""
    if secret is None:
        raise NotFound(f"{provider} webhooks are not configured")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadDelivery("body too large")
    signature = request.headers.get("X-Hub-Signature-256")
    if not whatsapp.verify_meta_signature(secret.get_secret_value(), body, signature):
        raise Unauthorized("X-Hub-Signature-256 does not match the body")
    return body


async def _twilio_params(request: Request) -> dict[str, str]:
    settings = outreach_settings.current()
    if not (settings.twilio_auth_token and settings.twilio_account_sid):
        raise NotFound("Twilio webhooks are not configured")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadDelivery("body too large")
    form = await request.form()
    params = {k: str(v) for k, v in form.items()}
    # Twilio signs the URL it called: behind a proxy that is the public one, not ours.
    url = str(request.url)
    if settings.public_base_url:
        url = settings.public_base_url.rstrip("/") + request.url.path
        if request.url.query:
            url += "?" + request.url.query
    header = request.headers.get("X-Twilio-Signature")
    if not twilio.verify_twilio_signature(
        settings.twilio_auth_token.get_secret_value(), url, params, header
    ):
        raise Unauthorized("X-Twilio-Signature does not match")
    if params.get("AccountSid") not in (None, settings.twilio_account_sid):
        raise Unauthorized("another account's delivery")
    return params


@router.post("/twilio/status")
async def twilio_status(request: Request, db_session: DbSession) -> dict[str, int]:
    """A message status callback (queued, sent, delivered, undelivered, failed)."""
    params = await _twilio_params(request)
    try:
        # The callback URL carries the outbox's key (signed with the rest of the URL).
        event = twilio.parse_status(params, outbox_key=request.query_params.get("key"))
    except KeyError as exc:
        raise BadDelivery(f"missing {exc}") from exc
    return _store(db_session, [], [event])


@router.post("/twilio/inbound")
async def twilio_inbound(request: Request, db_session: DbSession) -> dict[str, int]:
    """An SMS the person sent us (a STOP is honoured as an opt-out)."""
    params = await _twilio_params(request)
    try:
        message = twilio.parse_inbound(params)
    except KeyError as exc:
        raise BadDelivery(f"missing {exc}") from exc
    return _store(db_session, [message], [])


@router.post("/email")
async def email_delivery(request: Request, db_session: DbSession) -> dict[str, int]:
    """One received mail (RFC 822), posted by our mail server: a reply, a bounce or a
    complaint. Signed ``X-Concilia-Signature: sha256=<HMAC-SHA256 of the body>`` with the
    shared inbound secret."""
    secret = outreach_settings.current().inbound_mail_secret
    if secret is None:
        raise NotFound("inbound mail is not configured")
    body = await request.body()
    if len(body) > MAX_BODY * 25:
        raise BadDelivery("mail too large")
    expected = (
        "sha256=" + hmac.new(secret.get_secret_value().encode(), body, hashlib.sha256).hexdigest()
    )
    if not crypto.same_secret(expected, request.headers.get("X-Concilia-Signature", "")):
        raise Unauthorized("X-Concilia-Signature does not match the mail")
    try:
        parsed = mailparse.parse_mail(body)
    except ValueError as exc:
        raise BadDelivery(str(exc)) from exc
    if isinstance(parsed, InboundMessage):
        return _store(db_session, [parsed], [])
    return _store(db_session, [], [parsed] if parsed is not None else [])


@router.post("/unsubscribe/{message_id}/{token}")
def one_click_unsubscribe(
    message_id: int, token: Annotated[str, Path(max_length=64)], db_session: DbSession
) -> dict[str, bool]:
    """RFC 8058 one-click unsubscribe (the mailbox provider posts, no session): the address
    the message went to stops receiving e-mail from us."""
    if not inbound.unsubscribe(
        db_session=db_session, message_id=message_id, token=token, actor=ACTOR
    ):
        raise NotFound("unknown unsubscribe link")
    return {"unsubscribed": True}


def _store(
    db_session: DbSession,
    messages: list[InboundMessage],
    events: list[StatusEvent],
) -> dict[str, int]:
    now = utcnow()
    stored = sum(
        inbound.store_reply(db_session=db_session, message=m, now=now, actor=ACTOR) is not None
        for m in messages
    )
    changed = sum(
        inbound.record_status_event(db_session=db_session, event=e, now=now, actor=ACTOR)
        for e in events
    )
    return {"replies": stored, "status_changes": changed}
