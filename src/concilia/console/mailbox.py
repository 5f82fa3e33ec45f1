"""The demo's mailbox: what the local SMTP sink (aiosmtpd, started by `make demo`) received.

The sink keeps each message as a .eml file under ``<var>/demo-mail``; outside the demo the
folder does not exist and the page says so. A message shows only when its debtor-side
address (the recipient of our mail, the sender of a reply) belongs to a debtor with a case
the reader may see: the sink is not a way around team scoping.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import cast

from sqlalchemy.orm import Session

from concilia.auth.schemas import Principal
from concilia.portfolio import service as portfolio_service

FOLDER = "demo-mail"
AGENCY_ADDRESS = "agency@concilia.demo"
LIMIT = 200


@dataclass(frozen=True)
class Mail:
    received: datetime | None
    outgoing: bool  # from the agency to a debtor (else a debtor's reply)
    sender: str
    recipient: str
    subject: str
    body: str
    case_ids: tuple[int, ...]


def _parse(path: Path) -> EmailMessage | None:
    try:
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    except (OSError, ValueError):
        return None
    return parsed if isinstance(parsed, EmailMessage) else None


def _date(message: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        return None


def read(*, db_session: Session, principal: Principal, var_dir: Path) -> list[Mail] | None:
    """The sink's mail about the principal's cases, newest first; None outside the demo."""
    folder = var_dir / FOLDER
    if not folder.is_dir():
        return None
    visible: set[int] = {
        cast(int, c)
        for c in db_session.scalars(portfolio_service.visible_case_ids(principal=principal))
    }
    cases_of: dict[str, tuple[int, ...]] = {}
    out: list[Mail] = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[: LIMIT * 2]:
        message = _parse(path)
        if message is None:
            continue
        sender = str(message.get("From", "")).strip()
        recipient = str(message.get("To", "")).strip()
        outgoing = sender.lower() == AGENCY_ADDRESS
        debtor_side = (recipient if outgoing else sender).lower()
        if debtor_side not in cases_of:
            debtor_ids = [
                d.id
                for d in portfolio_service.find_debtors_by_contact(
                    db_session=db_session, kind="email", value=debtor_side
                )
            ]
            case_ids = [
                portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id).id
                for debtor_id in debtor_ids
                for debt in portfolio_service.list_debts_of_debtor(
                    db_session=db_session, debtor_id=debtor_id
                )
            ]
            cases_of[debtor_side] = tuple(c for c in case_ids if c in visible)
        if not cases_of[debtor_side]:
            continue
        body = message.get_body(preferencelist=("plain",))
        out.append(
            Mail(
                received=_date(message),
                outgoing=outgoing,
                sender=sender,
                recipient=recipient,
                subject=str(message.get("Subject", "")),
                body=body.get_content() if body is not None else "",
                case_ids=cases_of[debtor_side],
            )
        )
        if len(out) >= LIMIT:
            break
    return out


__all__ = ["AGENCY_ADDRESS", "FOLDER", "Mail", "read"]
