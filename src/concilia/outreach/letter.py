"""Letters as PDF (fpdf2): the rendered, engine-checked text laid out on A4."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from concilia.outreach.compose import Rendered

# A Unicode TrueType font when the system has one (accents, €, narrow spaces); otherwise
# the PDF core font with the text folded to Latin-1, so a letter can always be produced.
_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
_FOLD = {
    "\u202f": " ",
    "\u00a0": " ",
    "€": "EUR",
    "–": "-",
    "—": "-",
    "’": "'",
    "«": '"',
    "»": '"',
    "…": "...",
}


@lru_cache(maxsize=1)
def _font() -> Path | None:
    return next((p for p in _FONT_CANDIDATES if p.exists()), None)


def _latin1(text: str) -> str:
    for a, b in _FOLD.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(
    rendered: Rendered,
    *,
    sender_block: str,
    recipient_block: str,
    place: str,
    on: date,
) -> bytes:
    """A4 letter: sender top-left, recipient in the window position, date, subject, body."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title(rendered.subject)
    font = _font()
    fix = (lambda s: s) if font else _latin1
    if font is not None:
        pdf.add_font("body", "", str(font))
        family = "body"
    else:
        family = "helvetica"
    pdf.add_page()
    pdf.set_font(family, size=10)
    pdf.multi_cell(90, 5, fix(sender_block), new_x="LMARGIN", new_y="NEXT")
    # Recipient where a window envelope shows it; nothing on the envelope side mentions a debt.
    pdf.set_xy(110, 45)
    pdf.multi_cell(80, 5, fix(recipient_block), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(110, 75)
    pdf.cell(80, 5, fix(f"{place}, {on.strftime('%d/%m/%Y')}"))
    pdf.set_xy(20, 90)
    pdf.set_font(family, size=11)
    pdf.multi_cell(0, 6, fix(rendered.subject), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, size=10)
    for paragraph in rendered.body.split("\n"):
        if paragraph.strip():
            pdf.multi_cell(0, 5, fix(paragraph), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(3)
    return bytes(pdf.output())
