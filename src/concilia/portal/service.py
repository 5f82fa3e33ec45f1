"""The portal domain's door: entry and debtor sessions (:mod:`entry`) and what a verified
debtor does with their own cases (:mod:`casework`). No function here commits.

Other domains use: ``link_for`` (the signed portal link a message carries) and
``chat_transcript`` (a case's chat for the timeline). The /verify codes on every outgoing
message are outreach's (``outreach.service.look_up_verification_code``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from concilia.portal import chat, security
from concilia.portal import personal_data as personal_data
from concilia.portal.casework import (
    DISPUTE_REASONS,
    DebtView,
    PlanOption,
    Upload,
    VerifyResult,
    agree_plan,
    check_documents,
    get_case_for_debtor,
    get_document,
    get_preferences,
    list_cases_for_debtor,
    list_disputes,
    list_documents,
    minimum_monthly,
    open_dispute,
    plan_for_amount,
    plan_options,
    report_wrong_person,
    save_preferences,
    sniff,
    verify_message_code,
    view_debt,
)
from concilia.portal.chat import TranscriptLine
from concilia.portal.entry import (
    ContactPoint,
    Locked,
    check_code,
    check_knowledge,
    contact_points,
    count_attempts,
    debtor_actor,
    end_session,
    get_flow,
    get_session,
    locked_until,
    record_attempt,
    send_code,
    start_by_link,
    start_by_reference,
    start_session,
)
from concilia.portal.settings import get_portal_settings
from concilia.portal.subject import erase_debtor, export_debtor

__all__ = [
    "DISPUTE_REASONS",
    "ContactPoint",
    "DebtView",
    "Locked",
    "PlanOption",
    "TranscriptLine",
    "Upload",
    "VerifyResult",
    "agree_plan",
    "chat_transcript",
    "check_code",
    "check_documents",
    "check_knowledge",
    "contact_points",
    "count_attempts",
    "debtor_actor",
    "end_session",
    "erase_debtor",
    "export_debtor",
    "get_case_for_debtor",
    "get_document",
    "get_flow",
    "get_preferences",
    "get_session",
    "link_for",
    "list_cases_for_debtor",
    "list_disputes",
    "list_documents",
    "locked_until",
    "minimum_monthly",
    "open_dispute",
    "plan_for_amount",
    "plan_options",
    "record_attempt",
    "report_wrong_person",
    "save_preferences",
    "send_code",
    "sniff",
    "start_by_link",
    "start_by_reference",
    "start_session",
    "verify_message_code",
    "view_debt",
]


def link_for(*, case_id: int, now: datetime) -> str:
    """The portal URL a message about this case carries: signed, for this case only, expiring."""
    settings = get_portal_settings()
    token = security.make_link_token(
        case_id=case_id, expires_at=now + timedelta(days=settings.link_days)
    )
    return f"{settings.base_url.rstrip('/')}/portal/l/{token}"


def chat_transcript(*, db_session: Session, case_id: int) -> list[TranscriptLine]:
    """A case's chat for staff (the case timeline): every message oldest first, with who
    wrote it (debtor, agent, assistant); an agent's blocked reply is marked, with why, and
    was never delivered. The caller checks the principal may see the case. Retention: the
    privacy schedule erases the text after its period (``personal_data.purge_before``)."""
    return chat.transcript(db_session=db_session, case_id=case_id)
