"""A small IMAP4rev1 server on loopback for tests and demos: one account, one mailbox, the
commands :class:`concilia.outreach.channels.imap.ImapMailbox` uses (CAPABILITY, LOGIN,
SELECT, UID SEARCH UNSEEN, UID FETCH BODY.PEEK[], UID STORE +FLAGS, CLOSE, LOGOUT, NOOP),
with RFC 3501's response shapes (literals for message bodies). State in memory.
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field
from typing import Any

_COMMAND = re.compile(rb"^(\S+) (\S+)(?: (.*))?$")


@dataclass
class Mail:
    uid: int
    raw: bytes
    seen: bool = False


@dataclass
class FakeImapState:
    mails: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    logins: int = 0

    def deliver(self, raw: bytes) -> int:
        """Put a mail in the mailbox; returns its UID."""
        with self.lock:
            uid = (self.mails[-1].uid if self.mails else 0) + 1
            self.mails.append(Mail(uid, raw))
            return uid

    def unseen(self) -> list[int]:
        with self.lock:
            return [m.uid for m in self.mails if not m.seen]


class FakeImap:
    def __init__(self, *, username: str = "inbox@agency.example", password: str = "imap-pw"):
        self.username, self.password = username, password
        self.state = FakeImapState()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def _handler(self) -> type[socketserver.StreamRequestHandler]:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: bytes) -> None:
                self.wfile.write(line + b"\r\n")

            def handle(self) -> None:
                self.send(b"* OK [CAPABILITY IMAP4rev1] fake IMAP ready")
                authed = selected = False
                while line := self.rfile.readline():
                    match = _COMMAND.match(line.rstrip(b"\r\n"))
                    if not match:
                        self.send(b"* BAD unreadable command")
                        continue
                    tag, verb, args = match.group(1), match.group(2).upper(), match.group(3) or b""
                    if verb == b"CAPABILITY":
                        self.send(b"* CAPABILITY IMAP4rev1")
                    elif verb == b"NOOP":
                        pass
                    elif verb == b"LOGIN":
                        user, _, password = args.partition(b" ")
                        if (user.strip(b'"').decode(), password.strip(b'"').decode()) != (
                            fake.username, fake.password,
                        ):  # fmt: skip
                            self.send(tag + b" NO [AUTHENTICATIONFAILED] invalid credentials")
                            continue
                        authed = True
                        fake.state.logins += 1
                    elif verb == b"LOGOUT":
                        self.send(b"* BYE logging out")
                        self.send(tag + b" OK LOGOUT completed")
                        return
                    elif not authed:
                        self.send(tag + b" NO log in first")
                        continue
                    elif verb == b"SELECT":
                        selected = True
                        self.send(b"* %d EXISTS" % len(fake.state.mails))
                        self.send(b"* FLAGS (\\Seen)")
                        self.send(tag + b" OK [READ-WRITE] SELECT completed")
                        continue
                    elif verb == b"CLOSE":
                        selected = False
                    elif verb == b"UID" and selected:
                        if not self.uid(tag, args):
                            continue
                    else:
                        self.send(tag + b" BAD unsupported command")
                        continue
                    self.send(tag + b" OK " + verb + b" completed")

            def uid(self, tag: bytes, args: bytes) -> bool:
                sub, _, rest = args.partition(b" ")
                sub = sub.upper()
                if sub == b"SEARCH" and rest.upper() == b"UNSEEN":
                    found = b" ".join(str(u).encode() for u in fake.state.unseen())
                    self.send(b"* SEARCH" + (b" " + found if found else b""))
                    return True
                if sub == b"FETCH":
                    wanted, _, _ = rest.partition(b" ")
                    for seq, mail in self.pick(wanted):
                        self.wfile.write(
                            b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (seq, mail.uid, len(mail.raw))
                        )
                        self.wfile.write(mail.raw + b")\r\n")
                    return True
                if sub == b"STORE" and b"+FLAGS" in rest.upper() and b"\\SEEN" in rest.upper():
                    wanted, _, _ = rest.partition(b" ")
                    for seq, mail in self.pick(wanted):
                        with fake.state.lock:
                            mail.seen = True
                        self.send(b"* %d FETCH (UID %d FLAGS (\\Seen))" % (seq, mail.uid))
                    return True
                self.send(tag + b" BAD unsupported UID command")
                return False

            def pick(self, wanted: bytes) -> list[tuple[int, Mail]]:
                uids = {int(u) for u in wanted.split(b",") if u.isdigit()}
                return [(n, m) for n, m in enumerate(fake.state.mails, 1) if m.uid in uids]

        return Handler

    def __enter__(self) -> FakeImap:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
