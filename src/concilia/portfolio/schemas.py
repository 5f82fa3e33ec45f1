"""Portfolio shapes for the API. Amounts travel as decimal strings, never JSON floats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

PositiveAmount = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=2)]
# No control character (NUL, escape, line breaks...) in a one-line value.
_ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
# Free text may hold tabs and line breaks, nothing else of the control characters.
_FREE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
Component = Literal["fees", "interest", "principal"]
AllocationOrder = Annotated[list[Component], Field(max_length=3)]
Currency = Literal["EUR", "GBP", "USD"]
Flag = Literal[
    "disputed",
    "dispute_answered",
    "cease_contact",
    "vulnerable",
    "vulnerability_possible",
    "deceased",
    "bankrupt",
]
Stage = Literal["new", "contacting", "negotiating", "promised", "plan", "paid", "closed"]


class CreditorIn(BaseModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_ONE_LINE)]
    allocation_order: AllocationOrder | None = None


class AllocationOrderIn(BaseModel):
    """None restores the jurisdiction's default order."""

    allocation_order: AllocationOrder | None


class CreditorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    address: str | None = None
    allocation_order: list[str] | None


class ImportOut(BaseModel):
    file: str
    sha256: str
    creditor: str
    team: str
    rows: int
    created: int
    updated: int
    unchanged: int
    debtors_created: int
    debtors_updated: int
    changed: bool
    message: str


class BalanceOut(BaseModel):
    currency: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    total: Decimal
    credit: Decimal


class DebtOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    creditor_id: int
    debtor_id: int
    account_reference: str
    original_creditor: str | None
    currency: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    interest_rate: Decimal | None
    interest_accrued_to: date | None
    charge_off_date: date | None
    last_payment_date: date | None
    status: str


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    debt_id: int
    team_id: int
    assigned_agent_id: int | None
    stage: str
    disputed: bool
    dispute_answered: bool
    cease_contact: bool
    vulnerable: bool
    vulnerability_possible: bool
    deceased: bool
    bankrupt: bool
    created_at: datetime
    updated_at: datetime


class CaseSummary(CaseOut):
    account_reference: str
    debtor_id: int
    currency: str
    balance_total: Decimal


class AddressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    valid_from: date | None
    valid_to: date | None
    source: str


class DebtorOut(BaseModel):
    """A debtor with identifiers decrypted: only for readers allowed to see the case."""

    id: int
    creditor_id: int
    debtor_reference: str
    given_names: str
    family_names: str
    date_of_birth: date | None
    national_id: str | None
    phones: list[str]
    emails: list[str]
    employer: str | None
    preferred_language: str
    time_zone: str
    jurisdiction: str
    addresses: list[AddressOut]


class CaseDetail(CaseOut):
    debt: DebtOut
    balance: BalanceOut
    debtor: DebtorOut


class CaseUpdate(BaseModel):
    stage: Stage


class FlagIn(BaseModel):
    value: bool
    reason: Annotated[str, StringConstraints(min_length=3, max_length=500, pattern=_FREE_TEXT)]


class AssignIn(BaseModel):
    agent_id: int | None


class PaymentIn(BaseModel):
    amount: PositiveAmount
    currency: Currency
    received_on: date
    method: Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=_ONE_LINE)] = (
        "transfer"
    )
    reference: Annotated[str, StringConstraints(max_length=100, pattern=_ONE_LINE)] | None = None


class AllocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    component: str
    amount: Decimal


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    debt_id: int
    amount: Decimal
    currency: str
    received_on: date
    method: str
    reference: str | None
    unapplied: Decimal
    allocations: list[AllocationOut]


class PaymentRecorded(BaseModel):
    payment: PaymentOut
    balance: BalanceOut


class PromiseIn(BaseModel):
    amount: PositiveAmount
    currency: Currency
    due_on: date


class PromiseUpdate(BaseModel):
    status: Literal["pending", "kept", "broken", "cancelled"]


class PromiseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    debt_id: int
    amount: Decimal
    currency: str
    due_on: date
    status: str


class PlanIn(BaseModel):
    instalments: int = Field(ge=1, le=120)
    frequency: Literal["weekly", "monthly"]
    start_on: date
    total: PositiveAmount | None = None


class InstalmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    due_on: date
    amount: Decimal
    paid_amount: Decimal
    status: str


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    debt_id: int
    total: Decimal
    currency: str
    frequency: str
    start_on: date
    status: str
    instalments: list[InstalmentOut]
