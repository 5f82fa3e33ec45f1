"""Templates in FR/ES/EN render with Babel formats and pass the engine like any message."""

import re
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from concilia.outreach import letter
from concilia.outreach.compose import (
    KINDS,
    Agency,
    DebtInfo,
    Party,
    PlanInfo,
    TemplateContext,
    render,
)
from concilia.outreach.rules import Communication, evaluate

AGENCY = Agency(
    name="Acme Recouvrement SAS",
    short_name="Acme",
    address="1 rue de la Paix\n75002 Paris",
    phone="+33 1 23 45 67 89",
    portal_url="https://portal.example.org",
    opt_out_url="https://portal.example.org/stop",
    iban="FR76 3000 6000 0112 3456 7890 189",
)
ZONE = {
    "FR": "Europe/Paris",
    "ES": "Europe/Madrid",
    "UK": "Europe/London",
    "US": "America/New_York",
}
LANG = {"FR": "fr", "ES": "es", "UK": "en", "US": "en"}
CURRENCY = {"FR": "EUR", "ES": "EUR", "UK": "GBP", "US": "USD"}


def ctx(
    jurisdiction: str, *, first_letter: bool = True, time_barred: bool = False
) -> TemplateContext:
    return TemplateContext(
        jurisdiction=jurisdiction,
        agency=AGENCY,
        debtor_name="Marie Martin",
        agent_name="Jean Dupont",
        creditor=Party("Banque Exemple", "2 avenue de France\n75013 Paris"),
        debt=DebtInfo(
            "D-123",
            "contrat de crédit n° 123",
            Decimal("1000"),
            Decimal("50.50"),
            Decimal("0"),
            CURRENCY[jurisdiction],
        ),
        plan=PlanInfo(6, Decimal("175.09"), date(2026, 12, 5)),
        first_letter_ref="AC-2026-001" if first_letter else None,
        first_letter_date=date(2026, 11, 2) if first_letter else None,
        letter_ref="AC-2026-001",
        letter_date=date(2026, 11, 2),
        time_barred=time_barred,
    )


def comm(jurisdiction: str, kind: str, channel: str, text: str, **kw: object) -> Communication:
    c = ctx(jurisdiction)
    base: dict[str, object] = dict(
        jurisdiction=jurisdiction,
        channel=channel,
        text=text,
        kind=kind,
        identity_verified=kind != "identity_request",
        send_at=datetime(2026, 11, 24, 17, 0, tzinfo=UTC),
        time_zones=(ZONE[jurisdiction],),
        address_source="consumer_used",
        address_last_used_by_consumer=date(2026, 11, 20),
        first_letter_ref=c.first_letter_ref,
        first_letter_date=c.first_letter_date,
    )
    base.update(kw)
    return Communication(**base)  # type: ignore[arg-type]


CASES = [
    (j, kind, channel)
    for j in ("FR", "ES", "UK", "US")
    for kind in KINDS
    if kind != "first_letter"
    for channel in ("email", "sms", "social_dm")
]


@pytest.mark.parametrize(("jurisdiction", "kind", "channel"), CASES)
def test_every_template_passes_the_engine(jurisdiction: str, kind: str, channel: str) -> None:
    r = render(kind, LANG[jurisdiction], channel=channel, ctx=ctx(jurisdiction))
    d = evaluate(comm(jurisdiction, kind, channel, r.body))
    assert d.verdict == "allow", (r.body, d.reasons)


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_identity_request_says_nothing_about_the_debt(lang: str) -> None:
    r = render("identity_request", lang, channel="social_dm", ctx=ctx("FR"))
    for word in ("1 050", "1,050", "Banque", "D-123", "dette", "deuda", "debt", "Recouvrement"):
        assert word not in r.body
    assert "Jean Dupont" in r.body and "Acme" in r.body


def test_debt_templates_are_blocked_before_identity_is_verified() -> None:
    r = render("first_contact", "fr", channel="social_dm", ctx=ctx("FR"))
    d = evaluate(comm("FR", "first_contact", "social_dm", r.body, identity_verified=False))
    assert d.verdict == "block" and "FR-IDENTITY-FIRST" in {x.rule for x in d.reasons}


def test_money_and_dates_follow_the_locale() -> None:
    fr = render("plan_proposal", "fr", channel="email", ctx=ctx("FR")).body
    assert re.search(r"1\s050,50\s€", fr) and "5 décembre 2026" in fr
    es = render("plan_proposal", "es", channel="email", ctx=ctx("ES")).body
    assert re.search(r"1\.?050,50\s€", es) and "5 de diciembre de 2026" in es
    us = render("plan_proposal", "en", channel="email", ctx=ctx("US")).body
    assert "$1,050.50" in us and "December 5, 2026" in us and "from a debt collector" in us
    uk = render("plan_proposal", "en", channel="email", ctx=ctx("UK")).body
    assert "£1,050.50" in uk and "5 December 2026" in uk and "debt collector" not in uk


def test_time_barred_templates_carry_the_disclosure() -> None:
    for j in ("US", "UK", "FR", "ES"):
        r = render("reminder", LANG[j], channel="email", ctx=ctx(j, time_barred=True))
        d = evaluate(comm(j, "reminder", "email", r.body, time_barred=True))
        assert d.verdict == "allow", (j, d.reasons)
        without = render("reminder", LANG[j], channel="email", ctx=ctx(j))
        assert (
            evaluate(comm(j, "reminder", "email", without.body, time_barred=True)).verdict
            == "block"
        )


def test_french_first_letter_has_the_r124_4_mentions() -> None:
    r = render("first_letter", "fr", channel="letter", ctx=ctx("FR", first_letter=False))
    d = evaluate(
        comm("FR", "first_letter", "letter", r.body, first_letter_ref=None, first_letter_date=None)
    )
    assert d.verdict == "allow", d.reasons
    assert "AC-2026-001" in r.subject
    # Without the L111-8 text the engine refuses the letter.
    cut = r.body.split("Article L111-8")[0]
    assert (
        evaluate(comm("FR", "first_letter", "letter", cut, first_letter_ref=None)).verdict
        == "block"
    )


def _pdf_text(pdf: bytes) -> str:
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            out.append(m.group(1).decode("latin-1"))
    return "\n".join(out)


def test_first_letter_pdf() -> None:
    r = render("first_letter", "fr", channel="letter", ctx=ctx("FR", first_letter=False))
    pdf = letter.render_pdf(
        r,
        sender_block="Acme Recouvrement SAS\n1 rue de la Paix\n75002 Paris",
        recipient_block="Marie Martin\n3 rue Exemple\n69001 Lyon",
        place="Paris",
        on=date(2026, 11, 2),
    )
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Count 1" in pdf or b"/Count 2" in pdf


def test_first_letter_pdf_without_unicode_font_keeps_the_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(letter, "_FONT_CANDIDATES", ())
    letter._font.cache_clear()
    try:
        r = render("first_letter", "fr", channel="letter", ctx=ctx("FR", first_letter=False))
        pdf = letter.render_pdf(
            r,
            sender_block="Acme",
            recipient_block="Marie Martin",
            place="Paris",
            on=date(2026, 11, 2),
        )
    finally:
        letter._font.cache_clear()
    text = _pdf_text(pdf)
    assert "recouvrement amiable" in text
    assert "sans titre ex" in text
    assert "1 000,00 EUR" in text


def test_render_cli_shows_text_verdict_and_writes_pdf(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from concilia.outreach.cli import app

    out = tmp_path / "letter.pdf"
    result = CliRunner().invoke(
        app, ["render", "first_letter", "--channel", "letter", "--pdf", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "recouvrement amiable" in result.output and "verdict: allow" in result.output
    assert out.read_bytes().startswith(b"%PDF-")
    bad = CliRunner().invoke(app, ["render", "postcard"])
    assert bad.exit_code == 2 and "unknown template" in bad.output
