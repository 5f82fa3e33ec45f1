"""Portfolio tables: creditors, debtors (encrypted identifiers), debts, cases, payments, plans.

Amounts are stored as integers of minor units (cents) through :class:`Amount`, so neither
SQLite (which has no decimal type and would store a float) nor PostgreSQL ever holds a
binary float; Python always sees a ``Decimal``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)

# Registers SQLAlchemy's to_tsvector/to_tsquery, which func.* then builds (and compiles).
from sqlalchemy.dialects import postgresql  # noqa: F401
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as an integer of 10**-places units; refuses values it would round."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected Decimal, got {type(value).__name__}")
        scaled = value.scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places)


def Amount() -> ScaledDecimal:
    """A money amount: cents on every supported currency."""
    return ScaledDecimal(2)


class Creditor(Base):
    """A client of the agency whose debts are placed with it."""

    __tablename__ = "creditors"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Postal address or registered office, one line (CPCE R124-4 2°: a French first letter
    # names the creditor with its address); None until an import or an admin states it.
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # e.g. ["interest", "principal", "fees"]; None: the jurisdiction's default order.
    allocation_order: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Debtor(Base):
    """A person who owes; identifiers are encrypted, with blind indexes for exact look-ups."""

    __tablename__ = "debtors"
    __table_args__ = (UniqueConstraint("creditor_id", "debtor_reference"),)

    id: Mapped[IdPk]
    creditor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("creditors.id"), index=True)
    debtor_reference: Mapped[str] = mapped_column(String(100))
    # Kept exactly as the creditor wrote them: double surnames and particles intact.
    given_names: Mapped[str] = mapped_column(String(200))
    family_names: Mapped[str] = mapped_column(String(200))
    dob_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    dob_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    national_id_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    national_id_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    employer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    preferred_language: Mapped[str] = mapped_column(String(5))
    time_zone: Mapped[str] = mapped_column(String(64))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    # Keyed hash of the imported personal fields: tells a re-import what changed.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Art. 21 GDPR objection to the social-data processing (set by privacy through
    # portfolio.personal_data): tracing and signals skip the person while it is set.
    social_objection_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    addresses: Mapped[list[DebtorAddress]] = relationship(
        back_populates="debtor", order_by="DebtorAddress.id", lazy="selectin"
    )
    contacts: Mapped[list[DebtorContact]] = relationship(
        back_populates="debtor", order_by="DebtorContact.id", lazy="selectin"
    )


# Name search (portfolio.worklist). The names are stored in clear (above): the index holds
# their words, lower-cased and with accents folded, nothing more. The same fold runs in
# Python on the searched text (NAME_FOLD), so "lopez" finds "López".
_FOLD_FROM = "áàâäãåāăąéèêëēęěíìîïīóòôöõøōúùûüūůñńçćčýÿšśžźżłđ"
_FOLD_TO = "aaaaaaaaaeeeeeeeiiiiiooooooouuuuuunncccyysszzzld"
NAME_FOLD = str.maketrans(_FOLD_FROM, _FOLD_TO)


def name_search_vector() -> Any:
    """The debtor's name words as a text-search vector (PostgreSQL). Constants are inlined,
    not bound, so the query's expression is the index's and the planner can use it."""
    # text(), not literal_column(): Index takes its table from the first column it meets.
    names = Debtor.given_names.op("||")(text("' '")).op("||")(Debtor.family_names)
    folded = func.translate(func.lower(names), text(f"'{_FOLD_FROM}'"), text(f"'{_FOLD_TO}'"))
    return func.to_tsvector(text("'simple'::regconfig"), folded)


Index("ix_debtors_name_search", name_search_vector(), postgresql_using="gin").ddl_if(
    dialect="postgresql"
)
# A reference is searched whatever its case: one index each, on both backends.
Index("ix_debtors_reference_lower", func.lower(Debtor.debtor_reference))


class DebtorAddress(Base):
    """One address in a debtor's history; the current one has no ``valid_to``."""

    __tablename__ = "debtor_addresses"

    id: Mapped[IdPk]
    debtor_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("debtors.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[str | None] = mapped_column(String(300), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    city: Mapped[str | None] = mapped_column(String(120), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(50), default="portfolio")

    debtor: Mapped[Debtor] = relationship(back_populates="addresses")


class DebtorContact(Base):
    """A phone number or e-mail address, encrypted, with its blind index and provenance."""

    __tablename__ = "debtor_contacts"
    __table_args__ = (Index("ix_debtor_contacts_kind_index", "kind", "value_index"),)

    id: Mapped[IdPk]
    debtor_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("debtors.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "phone" or "email"
    value_encrypted: Mapped[str] = mapped_column(Text)
    value_index: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(50), default="portfolio")
    # How the address was obtained, in the terms of 12 CFR 1006.6(d)(3)-(4) (see
    # portfolio.rows.PROVENANCES); None: not stated, which is outside the safe harbour.
    provenance: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # 1006.6(d)(4)(ii): the day the creditor sent the consumer notice of this address.
    creditor_notice_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)

    debtor: Mapped[Debtor] = relationship(back_populates="contacts")


class Debt(Base):
    """One account: stated amounts as placed, and the live balance by component."""

    __tablename__ = "debts"
    __table_args__ = (UniqueConstraint("creditor_id", "account_reference"),)

    id: Mapped[IdPk]
    creditor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("creditors.id"))
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), index=True)
    account_reference: Mapped[str] = mapped_column(String(100))
    original_creditor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    # As stated by the creditor in the last import.
    principal: Mapped[Decimal] = mapped_column(Amount())
    interest: Mapped[Decimal] = mapped_column(Amount())
    fees: Mapped[Decimal] = mapped_column(Amount())
    # What is owed now, after accrual and payments.
    principal_balance: Mapped[Decimal] = mapped_column(Amount())
    interest_balance: Mapped[Decimal] = mapped_column(Amount())
    fees_balance: Mapped[Decimal] = mapped_column(Amount())
    credit_balance: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    interest_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(6), nullable=True)
    interest_accrued_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    charge_off_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    last_payment_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    debtor: Mapped[Debtor] = relationship(lazy="select")


Index("ix_debts_account_reference_lower", func.lower(Debt.account_reference))


class Case(Base):
    """The agency's handling of one debt: team, agent, stage and protective flags."""

    __tablename__ = "cases"

    id: Mapped[IdPk]
    debt_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debts.id"), unique=True)
    team_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("teams.id"), index=True)
    assigned_agent_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("users.id"), nullable=True, index=True
    )
    stage: Mapped[str] = mapped_column(String(30), default="new")
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the agency has answered the dispute (e.g. verification mailed, FDCPA 1692g(b)).
    dispute_answered: Mapped[bool] = mapped_column(Boolean, default=False)
    cease_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by the signals domain from public posts: a suggestion an agent confirms or clears.
    vulnerability_possible: Mapped[bool] = mapped_column(Boolean, default=False)
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    bankrupt: Mapped[bool] = mapped_column(Boolean, default=False)
    # US Reg F 1006.34: when the validation notice was sent (None: not recorded yet).
    validation_notice_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The worklist's sort keys, copied here (see portfolio.worklist) so a page of the
    # worklist is one walk down one index instead of a join and a sort of every case.
    # What the debt's balance totals now, in its currency (kept by the ledger and imports).
    balance_total: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    # The earliest due date of a pending promise (None: no pending promise).
    next_promise_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The latest contact in or out (outreach logs it through note_contact).
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Written by the strategy domain (set_priorities): higher first; None sorts last.
    priority: Mapped[float | None] = mapped_column(Float, nullable=True)
    priority_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)

    debt: Mapped[Debt] = relationship(lazy="joined", innerjoin=True)


def _worklist_index(name: str, *leading: Any) -> Index:
    # PostgreSQL only: SQLite refuses NULLS FIRST/LAST in an index (it still sorts right).
    return Index(
        name,
        *leading,
        Case.priority.desc().nulls_last(),
        Case.next_promise_due.asc().nulls_last(),
        Case.balance_total.desc(),
        Case.last_contact_at.asc().nulls_first(),
        Case.id,
    ).ddl_if(dialect="postgresql")


# An agent's page walks the first (one team); a supervisor of every team walks the second.
_worklist_index("ix_cases_worklist_team", Case.team_id)
_worklist_index("ix_cases_worklist")


class Payment(Base):
    """Money received on a debt; ``unapplied`` is any excess over the whole balance."""

    __tablename__ = "payments"

    id: Mapped[IdPk]
    debt_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(30), default="transfer")
    reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    unapplied: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    instalment_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("instalments.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))

    allocations: Mapped[list[PaymentAllocation]] = relationship(
        order_by="PaymentAllocation.id", lazy="selectin"
    )


class PaymentAllocation(Base):
    """The part of a payment that went to one component (fees, interest or principal)."""

    __tablename__ = "payment_allocations"

    id: Mapped[IdPk]
    payment_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    component: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Amount())


class PromiseToPay(Base):
    """A debtor's promise to pay an amount by a date."""

    __tablename__ = "promises_to_pay"

    id: Mapped[IdPk]
    debt_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class PaymentPlan(Base):
    """An agreed schedule of instalments that together pay ``total``."""

    __tablename__ = "payment_plans"

    id: Mapped[IdPk]
    debt_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debts.id"), index=True)
    total: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[str] = mapped_column(String(10))  # "weekly" or "monthly"
    start_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))

    instalments: Mapped[list[Instalment]] = relationship(
        order_by="Instalment.seq", lazy="selectin", back_populates="plan"
    )


class Instalment(Base):
    """One due amount of a plan."""

    __tablename__ = "instalments"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)

    id: Mapped[IdPk]
    plan_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("payment_plans.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column()
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Amount())
    paid_amount: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    status: Mapped[str] = mapped_column(String(20), default="due")

    plan: Mapped[PaymentPlan] = relationship(back_populates="instalments")
