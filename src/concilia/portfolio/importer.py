"""Import a portfolio file in the caller's transaction, streaming it in batches.

The file is read three times and never held: :func:`validate_file` checks every row (and
that the importer may touch every existing case a row names) before anything is written;
:func:`write_file` then writes debtors from each one's last row (the documented rule), and
finally debts and cases (:mod:`concilia.portfolio.writer`). Each batch looks up only its
own references, so memory stays flat
whatever the file's size; a keyed fingerprint of each row (and of each debtor's fields)
tells a re-import what changed, and an unchanged file writes nothing, not even an audit entry.
"""

from __future__ import annotations

import hashlib
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.errors import InputProblem
from concilia.portfolio.models import Case, Debt, Debtor
from concilia.portfolio.parsing import (
    DEFAULT_DATE_FORMAT,
    FileIndex,
    PortfolioRow,
    Problems,
    iter_rows,
    validate,
)
from concilia.portfolio.records import ImportResult
from concilia.portfolio.writer import BATCH, BatchWriter, batches

DEFAULT_TEAM = "default"
OTHER_TEAM = "belongs to a case of a team you may not import into"


def sha256_of(binary: IO[bytes]) -> str:
    """Hex SHA-256 of a stream's bytes, read in blocks from its start."""
    binary.seek(0)
    digest = hashlib.sha256()
    while block := binary.read(1 << 20):
        digest.update(block)
    return digest.hexdigest()


# Validation --------------------------------------------------------------------------------


def _refused_rows(
    db_session: Session,
    *,
    file: str,
    creditor_id: int,
    team_scope: frozenset[int],
    rows: list[PortfolioRow],
) -> list[InputProblem]:
    """Rows naming an account, or a debtor, with a case outside the importer's teams."""
    problems: list[InputProblem] = []
    by_account = {r.account_reference: r.row for r in rows}
    for ref in db_session.scalars(
        select(Debt.account_reference)
        .join(Case, Case.debt_id == Debt.id)
        .where(
            Debt.creditor_id == creditor_id,
            Debt.account_reference.in_(list(by_account)),
            Case.team_id.not_in(team_scope),
        )
    ):
        problems.append(
            InputProblem(file, by_account[ref], "account_reference", f"this account {OTHER_TEAM}")
        )
    debtor_refs = {r.debtor_reference for r in rows}
    # A debtor's personal fields are shared by all their cases: changing them from one team
    # would change what another team sees.
    foreign = set(
        db_session.scalars(
            select(Debtor.debtor_reference)
            .join(Debt, Debt.debtor_id == Debtor.id)
            .join(Case, Case.debt_id == Debt.id)
            .where(
                Debtor.creditor_id == creditor_id,
                Debtor.debtor_reference.in_(list(debtor_refs)),
                Case.team_id.not_in(team_scope),
            )
            .distinct()
        )
    )
    for r in rows:
        if r.debtor_reference in foreign:
            problems.append(
                InputProblem(file, r.row, "debtor_reference", f"this debtor {OTHER_TEAM}")
            )
    return problems


def validate_file(
    *,
    db_session: Session,
    binary: IO[bytes],
    file: str,
    creditor_id: int | None,
    team_scope: frozenset[int] | None,
    date_format: str = DEFAULT_DATE_FORMAT,
) -> FileIndex:
    """Read the whole file once, writing nothing; InvalidInput lists every bad row.

    With a ``team_scope`` (None: any team), a row whose account or debtor already has a case
    of another team is one of the bad rows.
    """

    def check(rows: list[PortfolioRow]) -> list[InputProblem]:
        assert creditor_id is not None and team_scope is not None
        return _refused_rows(
            db_session, file=file, creditor_id=creditor_id, team_scope=team_scope, rows=rows
        )

    guarded = creditor_id is not None and team_scope is not None
    return validate(
        binary, file=file, date_format=date_format, check=check if guarded else None, batch=BATCH
    )


# Writing -----------------------------------------------------------------------------------


def write_file(
    *,
    db_session: Session,
    binary: IO[bytes],
    index: FileIndex,
    file: str,
    creditor_id: int,
    creditor_name: str,
    team_name: str,
    actor: str,
    date_format: str = DEFAULT_DATE_FORMAT,
) -> ImportResult:
    """Write a file :func:`validate_file` accepted, in the caller's transaction (the caller
    then calls :func:`audit_import`)."""
    writer = BatchWriter(db_session, creditor_id=creditor_id, team_name=team_name, actor=actor)
    result = ImportResult(
        file=file,
        sha256=sha256_of(binary),
        creditor=creditor_name,
        team=team_name,
        rows=index.rows,
    )
    problems = Problems(file)

    last = iter_rows(
        binary, file=file, date_format=date_format, problems=problems, only=index.debtor_last
    )
    for batch in batches(last):
        writer.debtors(batch, result)
    every = iter_rows(binary, file=file, date_format=date_format, problems=problems, debtor=False)
    for batch in batches(every):
        writer.debts(batch, result)
    # The file was validated: a problem now means it changed under us.
    problems.raise_if_any()
    db_session.flush()
    return result


def audit_import(
    *, db_session: Session, result: ImportResult, creditor_id: int, actor: str
) -> None:
    """One audit entry for an import that changed something (counts only, no personal data).

    Called last: recording takes the audit log's lock until the transaction ends, and an
    import that took it first would hold every audited write elsewhere for its whole length.
    """
    if result.changed:
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.imported",
            object_type="creditor",
            object_id=creditor_id,
            change=result.as_dict(),
            detail=result.as_dict(),
        )


__all__ = [
    "DEFAULT_DATE_FORMAT",
    "DEFAULT_TEAM",
    "ImportResult",
    "audit_import",
    "sha256_of",
    "validate_file",
    "write_file",
]
