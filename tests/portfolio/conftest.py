"""Helpers for portfolio tests: rows with known values and an import shortcut."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.auth.models import Team
from concilia.db import Base, get_engine, reset_engine
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.importer import ImportResult
from concilia.portfolio.models import (
    Case,
    Creditor,
    Debt,
    Debtor,
    DebtorAddress,
    DebtorContact,
    Payment,
)
from concilia.portfolio.sample import to_csv

COUNTED = (Creditor, Debtor, DebtorAddress, DebtorContact, Debt, Case, Payment, Team, AuditEntry)


def row(**values: str) -> dict[str, str]:
    """A valid FR row with known personal data; override any column."""
    base = {
        "account_reference": "ACC-1",
        "debtor_reference": "DEB-1",
        "given_names": "Jean-Pierre",
        "family_names": "de La Fontaine",
        "date_of_birth": "1971-04-23",
        "national_id": "171047512345678",
        "address_line": "12 rue des Lilas",
        "postal_code": "69003",
        "city": "Lyon",
        "country": "FR",
        "address_since": "2021-06-01",
        "phones": "06 11 22 33 44",
        "emails": "jp.delafontaine@example.org",
        "employer": "Clinique du Parc",
        "jurisdiction": "FR",
        "principal": "1000.00",
        "interest": "0.00",
        "fees": "30.00",
        "currency": "EUR",
        "interest_rate": "3.65",
        "charge_off_date": "2025-01-15",
        "status": "active",
    }
    base.update(values)
    return base


def csv_of(*rows: dict[str, str]) -> bytes:
    """A comma file in the contract's column order."""
    return to_csv(list(rows))


def counts(db_session: Session) -> dict[str, int]:
    """Rows in every table an import could touch."""
    db_session.flush()
    return {
        m.__tablename__: db_session.scalar(select(func.count()).select_from(m)) or 0
        for m in COUNTED
    }


ImportFn = Callable[..., ImportResult]


@pytest.fixture
def do_import(db_session: Session) -> ImportFn:
    """Import bytes for a creditor into a team, in the test's session."""

    def _import(data: bytes, **kwargs: Any) -> ImportResult:
        kwargs.setdefault("file", "portfolio.csv")
        kwargs.setdefault("creditor_name", "Acme Bank")
        kwargs.setdefault("team_name", "north")
        kwargs.setdefault("actor", "test")
        return portfolio_service.import_portfolio(db_session=db_session, data=data, **kwargs)

    return _import


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI opens its own sessions: give it a fresh SQLite file with every table."""
    from concilia.config import get_settings

    # Imported here: at the top, concilia.domains hides concilia.portfolio.service from mypy.
    from concilia.domains import load_all_models

    monkeypatch.setenv("CONCILIA_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    reset_engine()
    load_all_models()
    Base.metadata.create_all(get_engine())
    yield
    reset_engine()
    get_settings.cache_clear()
