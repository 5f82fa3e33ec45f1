"""A small portfolio for the strategy tests, imported through the real importer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from concilia.portfolio import service as portfolio_service

HEADER = (
    "account_reference,debtor_reference,given_names,family_names,address_line,postal_code,city,"
    "country,emails,phones,jurisdiction,time_zone,preferred_language,principal,currency\n"
)
ROWS = {
    "fr": "A-FR,P-FR,Marie,Martin,3 rue Exemple,69001,Lyon,FR,marie@example.org,"
    "+33612345678,FR,Europe/Paris,fr,1200.00,EUR\n",
    "us": "A-US,P-US,Jane,Roe,1 Main St,10001,New York,US,jane@example.org,+12125550100,US,"
    "America/New_York,en,120.00,USD\n",
    "uk": "A-UK,P-UK,John,Smith,2 High St,SW1A 1AA,London,GB,,+447700900123,UK,"
    "Europe/London,en,800.00,GBP\n",
}


def make_cases(db_session: Session, *which: str) -> dict[str, int]:
    """Import the named rows; their case ids by name."""
    names = which or tuple(ROWS)
    csv = HEADER + "".join(ROWS[n] for n in names)
    portfolio_service.import_portfolio(
        db_session=db_session,
        data=csv.encode(),
        file="t.csv",
        creditor_name="Bank",
        actor="test",
    )
    out = {}
    for name in names:
        [debt] = portfolio_service.find_debts_by_account_reference(
            db_session=db_session, reference=f"A-{name.upper()}"
        )
        out[name] = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id).id
    return out
