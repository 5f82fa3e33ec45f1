"""What the compliance rules need from an import: the creditor's address (CPCE R124-4 2°)
and how each phone and e-mail was obtained (12 CFR 1006.6(d)(3)-(4)).

The simulator found every French first letter and every US e-mail blocked because the
portfolio could not say either; these tests import both through the real importer and
judge real messages with outreach's check.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from concilia.errors import InvalidInput
from concilia.outreach import service as outreach_service
from concilia.portfolio import service as portfolio_service
from concilia.strategy import messages
from concilia.strategy.simsupport import agency_named

HEADER = (
    "account_reference,debtor_reference,given_names,family_names,address_line,postal_code,"
    "city,country,emails,phones,emails_provenance,phones_provenance,creditor_notice_date,"
    "jurisdiction,time_zone,preferred_language,principal,interest,currency\n"
)
US = "A-US,P-US,Jane,Roe,1 Main St,10001,New York,US,jane@example.org,+12125550100,{e},{p},{d},US,America/New_York,en,120.00,10.00,USD\n"  # noqa: E501
FR = "A-FR,P-FR,Marie,Martin,3 rue Exemple,69001,Lyon,FR,marie@example.org,+33612345678,,,,FR,Europe/Paris,fr,1200.00,35.00,EUR\n"  # noqa: E501
ADDRESS = "10 rue de la Banque, 75002 Paris"
TUESDAY_NOON_NY = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _agency() -> Iterator[None]:
    with agency_named():
        yield


def _import(db_session: Session, rows: str, *, address: str | None = ADDRESS) -> None:
    portfolio_service.import_portfolio(
        db_session=db_session,
        data=(HEADER + rows).encode(),
        file="placed.csv",
        creditor_name="Bank",
        creditor_address=address,
        actor="test",
    )


def _case(db_session: Session, account: str) -> int:
    [debt] = portfolio_service.find_debts_by_account_reference(
        db_session=db_session, reference=account
    )
    return portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id).id


def _rules(db_session: Session, case_id: int, channel: str, template: str, to: str) -> set[str]:
    msg = messages.render(
        db_session=db_session,
        case_id=case_id,
        template=template,
        channel=channel,
        now=TUESDAY_NOON_NY,
    )
    decision = outreach_service.check_draft(
        db_session=db_session,
        case_id=case_id,
        channel=channel,
        kind=msg.kind,
        to=to,
        body=msg.body,
        at=TUESDAY_NOON_NY,
    )
    return {r.rule for r in decision.reasons if r.severity == "block"}


def test_provenance_is_stored_for_each_phone_and_e_mail(db_session: Session) -> None:
    row = US.format(e="creditor_notice", p="consumer_used|Creditor_Records", d="2026-09-01")
    row = row.replace("+12125550100", "+12125550100|+12125550101")
    _import(db_session, row)
    case = portfolio_service.get_case(db_session=db_session, case_id=_case(db_session, "A-US"))
    debtor_id = case.debt.debtor_id

    def of(kind: str, value: str) -> tuple[str | None, date | None]:
        p = portfolio_service.contact_provenance(
            db_session=db_session, debtor_id=debtor_id, kind=kind, value=value
        )
        return p.provenance, p.creditor_notice_on

    assert of("email", "jane@example.org") == ("creditor_notice", date(2026, 9, 1))
    assert of("phone", "+12125550100") == ("consumer_used", None)
    assert of("phone", "+12125550101") == ("creditor_records", None)
    assert of("phone", "+12125550199") == (None, None)
    # The creditor restates how it got the e-mail: the same contact changes, no new one.
    _import(db_session, US.format(e="prior_collector", p="", d=""))
    assert of("email", "jane@example.org") == ("prior_collector", None)
    assert of("phone", "+12125550100") == (None, None)


def test_bad_provenance_cells_are_named_and_nothing_is_written(db_session: Session) -> None:
    rows = [
        US.format(e="a_friend_told_us", p="", d=""),
        US.format(e="", p="consumer_used|consumer_used", d="").replace("A-US", "A-2"),
        US.format(e="creditor_notice", p="", d="").replace("A-US", "A-3"),
        US.format(e="consumer_used", p="", d="2026-09-01").replace("A-US", "A-4"),
        US.format(e="", p="", d="2999-01-01").replace("A-US", "A-5"),
        US.format(e="consumer_used", p="", d="")
        .replace("jane@example.org", "")
        .replace("A-US", "A-6"),
    ]
    with pytest.raises(InvalidInput) as caught:
        _import(db_session, "".join(rows))
    found = {(p.file, p.row, p.field) for p in caught.value.problems}
    assert found == {
        ("placed.csv", 2, "emails_provenance"),
        ("placed.csv", 3, "phones_provenance"),
        ("placed.csv", 4, "creditor_notice_date"),
        ("placed.csv", 5, "creditor_notice_date"),
        ("placed.csv", 6, "creditor_notice_date"),
        ("placed.csv", 7, "emails_provenance"),
    }
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "'a_friend_told_us' is not one of consumer_used" in reasons
    assert "2 values for 1 phones" in reasons
    assert "required when a phone or e-mail has provenance creditor_notice" in reasons
    assert (
        portfolio_service.find_debts_by_account_reference(db_session=db_session, reference="A-US")
        == []
    )


@pytest.mark.parametrize("address", ["Paris", "rue sans numéro, Paris", "", "1 rue\nX, 75001"])
def test_a_creditor_address_that_is_not_one_is_refused(db_session: Session, address: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _import(db_session, FR, address=address)
    [problem] = caught.value.problems
    assert (problem.file, problem.field) == ("placed.csv", "creditor_address")
    assert portfolio_service.get_creditor_by_name(db_session=db_session, name="Bank") is None


def test_the_creditor_address_is_stored_and_restated(db_session: Session) -> None:
    _import(db_session, FR)
    creditor = portfolio_service.get_creditor_by_name(db_session=db_session, name="Bank")
    assert creditor is not None and creditor.address == ADDRESS
    _import(db_session, FR, address="  2 place   du Marché, 69002 Lyon ")
    assert creditor.address == "2 place du Marché, 69002 Lyon"
    _import(db_session, FR, address=None)  # not given: kept as it was
    assert creditor.address == "2 place du Marché, 69002 Lyon"


def test_a_french_first_letter_passes_r124_4_once_the_creditor_has_an_address(
    db_session: Session,
) -> None:
    _import(db_session, FR, address=None)
    case_id = _case(db_session, "A-FR")
    to = "3 rue Exemple, 69001, Lyon"
    # Without the creditor's address the letter cannot name it: the rule blocks it.
    assert "FR-R124-4" in _rules(db_session, case_id, "letter", "first_letter", to)
    _import(db_session, FR, address=ADDRESS)
    assert "FR-R124-4" not in _rules(db_session, case_id, "letter", "first_letter", to)


@pytest.mark.parametrize(
    ("provenance", "notice", "blocked"),
    [
        ("creditor_notice", "2026-09-01", False),  # notice more than 35 days before
        ("creditor_notice", "2026-11-10", True),  # too recent: the person may still object
        ("prior_collector", "", False),
        ("creditor_records", "", True),  # the creditor's file without a notice
        ("", "", True),  # nothing stated
    ],
)
def test_a_us_e_mail_is_judged_by_the_provenance_the_creditor_stated(
    db_session: Session, provenance: str, notice: str, blocked: bool
) -> None:
    _import(db_session, US.format(e=provenance, p="", d=notice))
    case_id = _case(db_session, "A-US")
    rules = _rules(db_session, case_id, "email", "identity_request", "jane@example.org")
    assert ("US-SAFE-HARBOUR" in rules) is blocked


def test_an_e_mail_waits_for_the_hours_of_every_zone_the_phone_and_address_give(
    db_session: Session,
) -> None:
    # The address is in New York, the phone in Los Angeles (area code 213): both count.
    row = US.format(e="prior_collector", p="", d="").replace("+12125550100", "+12135550100")
    _import(db_session, row)
    case_id = _case(db_session, "A-US")
    msg = messages.render(
        db_session=db_session,
        case_id=case_id,
        template="identity_request",
        channel="email",
        now=TUESDAY_NOON_NY,
    )

    def blocked_at(at: datetime) -> set[str]:
        decision = outreach_service.check_draft(
            db_session=db_session, case_id=case_id, channel="email", kind=msg.kind,
            to="jane@example.org", body=msg.body, at=at,
        )  # fmt: skip
        return {r.rule for r in decision.reasons if r.severity == "block"}

    # 09:30 in New York is 06:30 in Los Angeles: too early there.
    assert "US-QUIET-HOURS" in blocked_at(datetime(2026, 11, 24, 14, 30, tzinfo=UTC))
    assert "US-QUIET-HOURS" not in blocked_at(TUESDAY_NOON_NY)  # 12:00 and 09:00
