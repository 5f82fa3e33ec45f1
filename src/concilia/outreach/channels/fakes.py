"""Local fake servers for the WhatsApp Cloud API and Twilio's Messages resource.

They answer the documented request and response shapes (see whatsapp.py and twilio.py),
check authentication and required fields, answer the providers' error codes on demand
(``fail_next``), throttle with 429 and Retry-After past ``per_second``, and build signed
webhook deliveries for tests and the demo. Loopback only, in a thread, state in memory.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from concilia.outreach.channels.twilio import twilio_signature
from concilia.outreach.channels.whatsapp import meta_signature

# Twilio's default opt-out keywords (Advanced Opt-Out off): the number is then blocked.
STOP_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}


@dataclass
class FakeState:
    sent: list[dict[str, Any]] = field(default_factory=list)
    # (HTTP status, provider error code) answered to the next sends, in order.
    fail_next: list[tuple[int, int]] = field(default_factory=list)
    per_second: int = 0
    retry_after: int = 1
    # Set: a send is recorded, then its answer waits until the event is set (a client can
    # die, or time out, while the provider holds its message).
    hold: threading.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _window: list[float] = field(default_factory=list)

    def throttled(self) -> bool:
        if not self.per_second:
            return False
        now = time.monotonic()
        self._window = [t for t in self._window if now - t < 1.0]
        if len(self._window) >= self.per_second:
            return True
        self._window.append(now)
        return False


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Base(BaseHTTPRequestHandler):
    # Keep-alive, as the providers answer (every handler reads its body before answering).
    protocol_version = "HTTP/1.1"
    # Head and body go out as two writes: with Nagle's algorithm the body waited for the
    # client's delayed ACK of the head (~40 ms per request on a kept-alive connection).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def reply(self, code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))


class FakeWhatsApp:
    """``POST /{version}/{phone_number_id}/messages`` as the Cloud API answers it."""

    def __init__(self, *, token: str = "wa-token", app_secret: str = "wa-secret") -> None:
        self.token, self.app_secret = token, app_secret
        self.state = FakeState()
        self._server = _Server(self._handler())

    @property
    def url(self) -> str:
        return self._server.url

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(_Base):
            def error(self, status: int, code: int, message: str) -> None:
                headers = {"Retry-After": str(fake.state.retry_after)} if status == 429 else {}
                self.reply(
                    status,
                    {"error": {"message": message, "type": "OAuthException", "code": code,
                               "fbtrace_id": uuid.uuid4().hex[:12]}},
                    headers,
                )  # fmt: skip

            def do_POST(self) -> None:
                raw = self.body()
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self.error(401, 190, "Invalid OAuth access token")
                    return
                if not urlparse(self.path).path.endswith("/messages"):
                    self.error(404, 100, "Unknown path")
                    return
                data = json.loads(raw or b"{}")
                with fake.state.lock:
                    if fake.state.fail_next:
                        status, code = fake.state.fail_next.pop(0)
                        self.error(status, code, "injected error")
                        return
                    if fake.state.throttled():
                        self.error(429, 130429, "Rate limit hit")
                        return
                if data.get("messaging_product") != "whatsapp" or not data.get("to"):
                    self.error(400, 100, "Invalid parameter: messaging_product and to required")
                    return
                kind = data.get("type")
                if kind not in ("text", "template") or kind not in data:
                    self.error(400, 131051, "Unsupported message type")
                    return
                wamid = f"wamid.{uuid.uuid4().hex}"
                with fake.state.lock:
                    fake.state.sent.append({"id": wamid, **data})
                self.reply(
                    200,
                    {"messaging_product": "whatsapp",
                     "contacts": [{"input": data["to"], "wa_id": data["to"]}],
                     "messages": [{"id": wamid}]},
                )  # fmt: skip

        return Handler

    def webhook(self, value: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """A signed notification carrying ``value`` (messages or statuses), as Meta posts it."""
        body = json.dumps(
            {"object": "whatsapp_business_account",
             "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": {
                 "messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": "15550001111", "phone_number_id": "PN-1"},
                 **value}}]}]}
        ).encode()  # fmt: skip
        return body, {
            "X-Hub-Signature-256": meta_signature(self.app_secret, body),
            "Content-Type": "application/json",
        }

    def inbound(
        self, *, sender: str, text: str, context_id: str | None = None, at: float | None = None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "from": sender.lstrip("+"),
            "id": f"wamid.{uuid.uuid4().hex}",
            "timestamp": str(int(at if at is not None else time.time())),
            "type": "text",
            "text": {"body": text},
        }
        if context_id:
            message["context"] = {"from": "15550001111", "id": context_id}
        return {"contacts": [{"profile": {"name": "X"}, "wa_id": message["from"]}],
                "messages": [message]}  # fmt: skip

    def status(self, wamid: str, status: str) -> dict[str, Any]:
        """A status as Meta posts it, with the ``biz_opaque_callback_data`` of the send."""
        event = {"id": wamid, "status": status, "timestamp": str(int(time.time())),
                 "recipient_id": "1"}  # fmt: skip
        sent = next((m for m in self.state.sent if m["id"] == wamid), None)
        if sent is not None and sent.get("biz_opaque_callback_data"):
            event["biz_opaque_callback_data"] = sent["biz_opaque_callback_data"]
        return {"statuses": [event]}

    def __enter__(self) -> FakeWhatsApp:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()


class FakeMessenger:
    """``POST /{version}/me/messages`` as the Send API answers it, window included: a RESPONSE
    more than 24 hours after the person last wrote (``wrote``, epoch seconds by PSID) is refused
    with 10/2018278, and HUMAN_AGENT only within 7 days."""

    def __init__(self, *, token: str = "page-token", app_secret: str = "meta-secret") -> None:
        self.token, self.app_secret = token, app_secret
        self.state = FakeState()
        self.wrote: dict[str, float] = {}
        self._server = _Server(self._handler())

    @property
    def url(self) -> str:
        return self._server.url

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(_Base):
            def error(self, status: int, code: int, sub: int, message: str) -> None:
                self.reply(status, {"error": {"message": message, "type": "OAuthException",
                                              "code": code, "error_subcode": sub}})  # fmt: skip

            def do_POST(self) -> None:
                data = json.loads(self.body() or b"{}")
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self.error(401, 190, 0, "Invalid OAuth access token")
                    return
                with fake.state.lock:
                    if fake.state.fail_next:
                        status, code = fake.state.fail_next.pop(0)
                        self.error(status, code, 0, "injected error")
                        return
                psid = str((data.get("recipient") or {}).get("id", ""))
                text = (data.get("message") or {}).get("text")
                if not psid or not text:
                    self.error(400, 100, 0, "recipient.id and message.text are required")
                    return
                if psid not in fake.wrote:
                    self.error(400, 100, 2018001, "No matching user found")
                    return
                age = time.time() - fake.wrote[psid]
                kind, tag = data.get("messaging_type"), data.get("tag")
                allowed = (kind == "RESPONSE" and age <= 24 * 3600) or (
                    kind == "MESSAGE_TAG" and tag == "HUMAN_AGENT" and age <= 7 * 24 * 3600
                )
                if not allowed:
                    self.error(400, 10, 2018278, "This message is sent outside of allowed window.")
                    return
                mid = f"m_{uuid.uuid4().hex}"
                with fake.state.lock:
                    fake.state.sent.append({"message_id": mid, **data})
                self.reply(200, {"recipient_id": psid, "message_id": mid})

        return Handler

    def webhook(self, messaging: list[dict[str, Any]]) -> tuple[bytes, dict[str, str]]:
        """A signed Page notification with these ``messaging`` events."""
        entry = {"id": "PAGE-1", "time": int(time.time() * 1000), "messaging": messaging}
        body = json.dumps({"object": "page", "entry": [entry]}).encode()
        return body, {
            "X-Hub-Signature-256": meta_signature(self.app_secret, body),
            "Content-Type": "application/json",
        }

    def echo(self, mid: str) -> dict[str, Any]:
        """The ``message_echoes`` event of a message the Page sent (its metadata included)."""
        sent = next(m for m in self.state.sent if m["message_id"] == mid)
        message = {"is_echo": True, "app_id": 1, "mid": mid, "text": sent["message"]["text"]}
        if sent["message"].get("metadata"):
            message["metadata"] = sent["message"]["metadata"]
        return {"sender": {"id": "PAGE-1"}, "recipient": sent["recipient"],
                "timestamp": int(time.time() * 1000), "message": message}  # fmt: skip

    def message(self, psid: str, text: str, at: float) -> dict[str, Any]:
        self.wrote[psid] = max(self.wrote.get(psid, 0.0), at)
        return {"sender": {"id": psid}, "recipient": {"id": "PAGE-1"},
                "timestamp": int(at * 1000),
                "message": {"mid": f"m_{uuid.uuid4().hex}", "text": text}}  # fmt: skip

    def __enter__(self) -> FakeMessenger:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()


class FakeTwilio:
    """``/2010-04-01/Accounts/{Sid}/Messages.json`` as Twilio answers it."""

    def __init__(self, *, account_sid: str = "AC" + "0" * 32, auth_token: str = "tw-token") -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.state = FakeState()
        self.messages: dict[str, dict[str, Any]] = {}
        # I-Twilio-Idempotency-Token -> the SID first created with it.
        self.by_token: dict[str, str] = {}
        # Numbers that replied STOP to our sender: Twilio refuses them with 21610.
        self.stopped: set[str] = set()
        self._server = _Server(self._handler())

    @property
    def url(self) -> str:
        return self._server.url

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self
        prefix = f"/2010-04-01/Accounts/{fake.account_sid}/Messages"

        class Handler(_Base):
            def error(self, status: int, code: int, message: str) -> None:
                headers = {"Retry-After": str(fake.state.retry_after)} if status == 429 else {}
                self.reply(
                    status,
                    {"code": code, "message": message, "status": status,
                     "more_info": f"https://www.twilio.com/docs/errors/{code}"},
                    headers,
                )  # fmt: skip

            def authorised(self) -> bool:
                expected = base64.b64encode(
                    f"{fake.account_sid}:{fake.auth_token}".encode()
                ).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self.error(401, 20003, "Authenticate")
                    return False
                return True

            def do_POST(self) -> None:
                form = {k: v[0] for k, v in parse_qs(self.body().decode()).items()}
                if not self.authorised():
                    return
                if urlparse(self.path).path != f"{prefix}.json":
                    self.error(404, 20404, "The requested resource was not found")
                    return
                with fake.state.lock:
                    if fake.state.fail_next:
                        status, code = fake.state.fail_next.pop(0)
                        self.error(status, code, "injected error")
                        return
                    if fake.state.throttled():
                        self.error(429, 20429, "Too Many Requests")
                        return
                if not form.get("To") or not (form.get("From") or form.get("MessagingServiceSid")):
                    self.error(400, 21604, "A 'To' and a 'From' phone number are required")
                    return
                if not form["To"].startswith("+"):
                    self.error(400, 21211, f"The 'To' number {form['To']} is not valid")
                    return
                if not form.get("Body"):
                    self.error(400, 21602, "Message body is required")
                    return
                token = self.headers.get("I-Twilio-Idempotency-Token")
                with fake.state.lock:
                    first = fake.by_token.get(token) if token else None
                    if first is not None:  # the same request again: the same message
                        self.reply(201, fake.messages[first])
                        return
                    if form["To"] in fake.stopped:
                        self.error(400, 21610, "Attempt to send to unsubscribed recipient")
                        return
                sid = "SM" + uuid.uuid4().hex
                resource = {"sid": sid, "account_sid": fake.account_sid, "to": form["To"],
                            "from": form.get("From"), "body": form["Body"], "status": "queued",
                            "status_callback": form.get("StatusCallback"),
                            "error_code": None}  # fmt: skip
                with fake.state.lock:
                    fake.messages[sid] = resource
                    fake.state.sent.append(resource)
                    if token:
                        fake.by_token[token] = sid
                    hold = fake.state.hold
                if hold is not None:
                    hold.wait(60)  # recorded, answer withheld: a client may die meanwhile
                self.reply(201, resource)

            def do_GET(self) -> None:
                if not self.authorised():
                    return
                path = urlparse(self.path).path
                sid = path.removeprefix(prefix + "/").removesuffix(".json")
                if sid in fake.messages:
                    self.reply(200, fake.messages[sid])
                else:
                    self.error(404, 20404, "The requested resource was not found")

        return Handler

    def set_status(self, sid: str, status: str, error_code: str | None = None) -> None:
        self.messages[sid]["status"] = status
        self.messages[sid]["error_code"] = error_code

    def inbound(self, *, sender: str, body: str, to: str = "+15550001111") -> dict[str, str]:
        """An SMS the person sends our number, as Twilio posts it to our webhook. A STOP is
        also honoured by Twilio itself: later sends to that number answer 21610."""
        if body.strip().upper() in STOP_KEYWORDS:
            self.stopped.add(sender)
        return {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": self.account_sid,
                "From": sender, "To": to, "Body": body}  # fmt: skip

    def signed(self, url: str, params: dict[str, str]) -> dict[str, str]:
        """Headers of a webhook POST to ``url`` with these form parameters."""
        return {
            "X-Twilio-Signature": twilio_signature(self.auth_token, url, params),
            "Content-Type": "application/x-www-form-urlencoded",
        }

    def __enter__(self) -> FakeTwilio:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()
