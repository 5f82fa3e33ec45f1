"""A small provider server implementing the HTTP protocol of http_provider, for tests and demos.

Runs on loopback in a thread; keeps messages in memory; honours idempotency keys; can be
told to fail the next N requests (to exercise retries) and to receive inbound replies.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class ProviderState:
    token: str
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    inbound: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    deliveries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Down: every request answers 503 until cleared (an outage).
    down: bool = False
    # Idempotency keys in the order their first delivery happened.
    order: list[str] = field(default_factory=list)
    # Set: a send is recorded, then its answer waits until the event is set (a worker can be
    # killed while the provider holds its message).
    hold: threading.Event | None = None

    def add_inbound(
        self, *, channel: str, sender: str, text: str, in_reply_to: str | None = None
    ) -> str:
        mid = f"in-{uuid.uuid4().hex[:12]}"
        with self.lock:
            self.inbound.append(
                {
                    "id": mid,
                    "channel": channel,
                    "from": sender,
                    "text": text,
                    "received_at": datetime.now(UTC).isoformat(),
                    "in_reply_to": in_reply_to,
                }
            )
        return mid


def _handler(state: ProviderState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, as providers' APIs answer: a connection per message would make the
        # stub, not the outbox, what a throughput bench measures.
        protocol_version = "HTTP/1.1"
        # An answer is written in two parts (head, then body): with Nagle's algorithm on, the
        # body waited for the client's delayed ACK of the head, ~40 ms per message on a
        # kept-alive connection (the outbox bench's regression after a7f3558).
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                self._reply(401, {"error": "unauthorised"})
                return False
            with state.lock:
                if state.down:
                    self._reply(503, {"error": "down"})
                    return False
                if state.fail_next > 0:
                    state.fail_next -= 1
                    self._reply(503, {"error": "try later"})
                    return False
            return True

        def do_POST(self) -> None:
            # Read first: on a kept-alive connection an unread body would be taken for the
            # next request.
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not self._authorised():
                return
            if urlparse(self.path).path != "/v1/messages":
                self._reply(404, {"error": "not found"})
                return
            body = json.loads(raw or b"{}")
            key = self.headers.get("Idempotency-Key") or body.get("idempotency_key")
            if not key or not body.get("to") or not body.get("text"):
                self._reply(422, {"error": "to, text and idempotency key are required"})
                return
            with state.lock:
                if key in state.by_key:
                    self._reply(200, state.messages[state.by_key[key]])
                    return
                mid = f"msg-{uuid.uuid4().hex[:12]}"
                msg = {"id": mid, "status": "sent", "to": body["to"], "text": body["text"],
                       "channel": body.get("channel")}  # fmt: skip
                state.messages[mid] = msg
                state.by_key[key] = mid
                state.deliveries += 1
                state.order.append(key)
            if state.hold is not None:
                state.hold.wait(30)
            self._reply(201, msg)

        def do_GET(self) -> None:
            if not self._authorised():
                return
            url = urlparse(self.path)
            if url.path.startswith("/v1/messages/"):
                msg = state.messages.get(url.path.rsplit("/", 1)[1])
                self._reply(200, msg) if msg else self._reply(404, {"error": "not found"})
                return
            if url.path == "/v1/inbound":
                q = parse_qs(url.query)
                since = q.get("since", [None])[0]
                channel = q.get("channel", [None])[0]
                with state.lock:
                    items = [
                        m for m in state.inbound
                        if (since is None or m["received_at"] > since)
                        and (channel is None or m["channel"] == channel)
                    ]  # fmt: skip
                self._reply(200, {"messages": items})
                return
            self._reply(404, {"error": "not found"})

    return Handler


class ProviderStub:
    """``with ProviderStub(token="t") as p: p.url ...`` serves on 127.0.0.1, random port."""

    def __init__(self, *, token: str = "test-token") -> None:
        self.state = ProviderState(token=token)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def deliver(self, provider_id: str) -> None:
        with self.state.lock:
            self.state.messages[provider_id]["status"] = "delivered"

    def __enter__(self) -> ProviderStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
