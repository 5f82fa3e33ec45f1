"""The readable copy of an access request's answer (PDF), beside its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fpdf import FPDF

from concilia.privacy.settings import get_privacy_settings

_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
# Per domain, in plain words, for the person reading their copy.
_HEADINGS = {
    "portfolio": "Your debts and the identity data the creditor gave us",
    "sources": "Public social-network data about you",
    "tracing": "How we linked public profiles to you",
    "tracing.whereabouts": "Where we inferred you live or work",
    "authenticity": "Checks that profiles linked to you are genuine",
    "signals": "What we read in your public posts (flags only)",
    "outreach": "Messages, calls and replies",
    "portal": "What you did in the debtor portal",
    "reputation": "Your public comments about the agency",
    "audit": "The record of what was done with your data",
    "privacy": "Your requests, the information notice, and who read your data",
}


def render_pdf(document: dict[str, Any]) -> bytes:
    """An A4 PDF of an export document: each item with its provenance, purposes, retention."""
    font = next((p for p in _FONT_CANDIDATES if p.exists()), None)

    def fix(text: str) -> str:
        # Without a Unicode font the PDF core font takes Latin-1 only.
        return text if font is not None else text.encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title("Your personal data")
    family = "helvetica"
    if font is not None:
        pdf.add_font("body", "", str(font))
        family = "body"
    pdf.add_page()

    def para(text: str, size: int = 9, gap: float = 1.0) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, size * 0.5, fix(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    settings = get_privacy_settings()
    subject, request = document["subject"], document["request"]
    para("Your personal data (GDPR art. 15)", 16, 2)
    para(
        f"Controller: {settings.controller_name}. Data protection officer: {settings.dpo_contact}."
        f" Creditor: {subject['creditor']}, your reference {subject['debtor_reference']}."
        f" Request {request['id']} received {request['received_at'][:10]},"
        f" answered {document['generated_at'][:10]}."
    )
    para(
        "You may ask us to correct or erase this data, to restrict its use, or object to it "
        f"(arts. 16-21 GDPR) by writing to {settings.dpo_contact}, and complain to your "
        "supervisory authority (CNIL in France, AEPD in Spain)."
    )
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for item in document["items"]:
        by_domain.setdefault(item["domain"], []).append(item)
    for domain, items in by_domain.items():
        para(_HEADINGS.get(domain, domain), 13, 1.5)
        for item in items:
            data = json.dumps(item["data"], ensure_ascii=False, default=str)
            source = json.dumps(item["provenance"], ensure_ascii=False, default=str)
            para(f"{item['table']} #{item['record_id']}: {data}", 8, 0.5)
            para(
                f"From: {source}. Purposes: {', '.join(item['purposes'])}. "
                f"Legal basis: {item['legal_basis']}. Kept: "
                f"{item['retain_until'] or item['retention']}",
                7,
                1.5,
            )
    return bytes(pdf.output())
