"""Staff roles: a value every domain's routes name, so it lives apart from auth's tables."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a user may do; the auditor only reads."""

    admin = "admin"
    supervisor = "supervisor"
    agent = "agent"
    compliance_officer = "compliance_officer"
    auditor = "auditor"
