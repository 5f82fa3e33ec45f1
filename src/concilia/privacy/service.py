"""Privacy's only door: subject requests (access, erasure, restriction, objection), the
retention purge, the art. 30 register, art. 14 notices and the log of who read what."""

from __future__ import annotations

from concilia.privacy.contract import ExportItem, SubjectRef, TableOutcome
from concilia.privacy.handlers import declared_tables
from concilia.privacy.models import PRIVACY_TABLES
from concilia.privacy.notices import render as render_notice
from concilia.privacy.notices import send as send_notice
from concilia.privacy.notices import sync as sync_notices
from concilia.privacy.purge import purge
from concilia.privacy.reads import (
    ReadAlert,
    debtor_ids_by_reference,
    list_reads,
    record_read,
    record_staff_read,
)
from concilia.privacy.reads import alerts as read_alerts
from concilia.privacy.staff import export_staff
from concilia.privacy.subjects import (
    RESPONSE_DAYS,
    collect,
    erase,
    erase_closed,
    export,
    list_requests,
    object_to_social,
    open_request,
    resolve,
    restrict,
)

__all__ = [
    "PRIVACY_TABLES",
    "RESPONSE_DAYS",
    "ExportItem",
    "ReadAlert",
    "SubjectRef",
    "TableOutcome",
    "collect",
    "debtor_ids_by_reference",
    "declared_tables",
    "erase",
    "erase_closed",
    "export",
    "export_staff",
    "list_reads",
    "list_requests",
    "object_to_social",
    "open_request",
    "purge",
    "read_alerts",
    "record_read",
    "record_staff_read",
    "render_notice",
    "resolve",
    "restrict",
    "send_notice",
    "sync_notices",
]
