"""Read a portfolio CSV (docs/portfolio-format.md) as a stream, pass after pass.

A file is read from a seekable binary stream (an upload spooled to disk, an open file), never
held whole: :func:`validate` reads it once, collecting every problem and keeping only fixed
size keys per row (to find repeated account references and each debtor's last row);
:func:`iter_rows` then reads it again as many times as the writer needs. Nothing here
touches the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

import numpy as np
import numpy.typing as npt

from concilia.errors import InputProblem, InvalidInput
from concilia.portfolio.columns import COLUMNS as COLUMNS
from concilia.portfolio.columns import OPTIONAL as OPTIONAL
from concilia.portfolio.columns import REQUIRED as REQUIRED
from concilia.portfolio.rows import (
    DEFAULT_LANGUAGE as DEFAULT_LANGUAGE,
)
from concilia.portfolio.rows import (
    DEFAULT_TIME_ZONE as DEFAULT_TIME_ZONE,
)
from concilia.portfolio.rows import (
    JURISDICTIONS as JURISDICTIONS,
)
from concilia.portfolio.rows import (
    LANGUAGES as LANGUAGES,
)
from concilia.portfolio.rows import (
    STATUSES as STATUSES,
)
from concilia.portfolio.rows import Address as Address
from concilia.portfolio.rows import PortfolioRow as PortfolioRow
from concilia.portfolio.rows import control_character, parse_row
from concilia.portfolio.values import DEFAULT_DATE_FORMAT as DEFAULT_DATE_FORMAT
from concilia.portfolio.values import parse_decimal as parse_decimal

MAX_PROBLEMS = 1_000
MAX_DATE_FORMAT = 50
# Dates a usable format must write and read back unchanged: day > 12 and month > 9 catch a
# format missing or swapping a field; 1950 read back from "50" is 2050, which refuses a
# two-digit year (ambiguous for dates of birth).
_PROBES = (date(1950, 11, 23), date(2031, 2, 4))
CheckBatch = Callable[[list[PortfolioRow]], Iterable[InputProblem]]


class Problems:
    """Problems of one file, the first ``limit`` kept, the rest only counted."""

    def __init__(self, file: str, limit: int = MAX_PROBLEMS) -> None:
        self.file, self.limit = file, limit
        self.items: list[InputProblem] = []
        self.dropped = 0

    def append(self, problem: InputProblem, /) -> None:
        if len(self.items) < self.limit:
            self.items.append(problem)
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """InvalidInput listing the problems by row, when there is any."""
        if not self.items:
            return
        problems = sorted(self.items, key=lambda p: p.row)
        if self.dropped:
            problems.append(
                InputProblem(self.file, 0, "(file)", f"{self.dropped} more problem(s) not listed")
            )
        raise InvalidInput(problems=problems)


def check_date_format(fmt: str, *, file: str) -> None:
    """InvalidInput unless ``fmt`` writes a date and reads it back as the same day."""
    reason: str | None = None
    if not fmt or len(fmt) > MAX_DATE_FORMAT:
        reason = f"must be 1 to {MAX_DATE_FORMAT} characters"
    elif control_character(fmt) is not None:
        reason = "holds a control character"
    else:
        for probe in _PROBES:
            try:
                ok = datetime.strptime(probe.strftime(fmt), fmt).date() == probe
            except Exception:  # strptime raises re.error, ValueError, OverflowError...
                ok = False
            if not ok:
                reason = (
                    f"{fmt!r} cannot write and read back a date "
                    "(it needs a day, a month and a four-digit year once each, e.g. %d/%m/%Y)"
                )
                break
    if reason is not None:
        raise InvalidInput(problems=[InputProblem(file, 0, "date_format", reason)])


def _detect_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _header(text: IO[str], file: str) -> tuple[list[str], str]:
    first = text.readline()
    delimiter = _detect_delimiter(first)
    try:
        cells = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error as exc:
        raise InvalidInput(problems=[InputProblem(file, 1, "(header)", str(exc))]) from None
    header = [h.strip().lower() for h in cells]
    if not any(header):
        raise InvalidInput(problems=[InputProblem(file, 1, "(header)", "the file is empty")])
    problems: list[InputProblem] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(InputProblem(file, 1, name[:100], "column appears twice in the header"))
        elif name not in COLUMNS:
            problems.append(
                InputProblem(file, 1, name[:100], "unknown column (see docs/portfolio-format.md)")
            )
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            problems.append(InputProblem(file, 1, name, "required column is missing"))
    if problems:
        # Without a usable header no row can be read reliably; report the header alone.
        raise InvalidInput(problems=problems)
    return header, delimiter


def iter_records(
    binary: IO[bytes], *, file: str, problems: Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, cells by column) of each non-blank record, from the file's start.

    Header problems raise InvalidInput at once. A record of the wrong width is added to
    ``problems``; bytes that are not UTF-8, or a cell past the CSV reader's limit, end the
    reading with one problem on that row (nothing after it can be trusted).
    """
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    number = 0  # the record being read (the header is 1)
    try:
        number = 1
        header, delimiter = _header(text, file)
        width = len(header)
        reader = csv.reader(text, delimiter=delimiter)
        number = 2
        for record in reader:
            if record and (len(record) > 1 or record[0].strip()):  # else a blank line
                if len(record) == width:
                    yield number, dict(zip(header, record, strict=True))
                else:
                    problems.append(
                        InputProblem(
                            file,
                            number,
                            "(row)",
                            f"{len(record)} cells where the header has {width}",
                        )
                    )
            number += 1
    except UnicodeDecodeError as exc:
        problems.append(
            InputProblem(
                file,
                number,
                "(file)",
                f"not UTF-8 at or near this row ({exc.reason}); reading stopped",
            )
        )
    except csv.Error as exc:
        problems.append(
            InputProblem(
                file,
                number,
                "(row)",
                f"a cell is longer than {csv.field_size_limit():,} characters or a quote is "
                f"never closed ({exc}); reading stopped",
            )
        )
    finally:
        # The caller's stream stays open for the next pass.
        text.detach()


def iter_rows(
    binary: IO[bytes],
    *,
    file: str,
    date_format: str,
    problems: Problems,
    only: npt.NDArray[np.bool_] | None = None,
    debtor: bool = True,
) -> Iterator[PortfolioRow]:
    """Every row that parses; the others go to ``problems``.

    On a validated file (where the n-th record is the n-th row), ``only`` picks rows by
    ordinal without parsing the others, and ``debtor=False`` reads the debts' cells alone.
    """
    for ordinal, (number, cells) in enumerate(iter_records(binary, file=file, problems=problems)):
        if only is not None and not only[ordinal]:
            continue
        parsed = parse_row(file, number, cells, date_format, problems, debtor=debtor)
        if parsed is not None:
            yield parsed


def _key(value: str) -> bytes:
    return hashlib.blake2b(value.encode(), digest_size=16).digest()


def _sorted_runs(keys: bytearray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """For 16-byte keys in row order: the order that sorts them (stable), and for each sorted
    position the sorted position where its run of equal keys starts."""
    pairs = np.frombuffer(bytes(keys), dtype=np.uint64).reshape(-1, 2)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    ranked = pairs[order]
    new_run = np.ones(len(order), dtype=bool)
    new_run[1:] = np.any(ranked[1:] != ranked[:-1], axis=1)
    starts = np.maximum.accumulate(np.where(new_run, np.arange(len(order)), 0))
    return order, starts


@dataclass(frozen=True)
class FileIndex:
    """What validation learnt about a good file: its row count and, by row ordinal (the
    n-th row that parsed), whether the row is the last one naming its debtor."""

    rows: int
    debtor_last: npt.NDArray[np.bool_]


def validate(
    binary: IO[bytes],
    *,
    file: str,
    date_format: str,
    check: CheckBatch | None = None,
    batch: int = 2_000,
) -> FileIndex:
    """Read the whole file once; InvalidInput lists every problem (capped), else its index.

    ``check`` sees the parsed rows batch by batch and may add problems (e.g. access rights).
    Memory per row is 40 bytes (two keys and a row number), whatever the row's size.
    """
    check_date_format(date_format, file=file)
    problems = Problems(file)
    accounts, debtors = bytearray(), bytearray()
    numbers = array("q")  # 8 bytes per row, not a list of int objects
    pending: list[PortfolioRow] = []
    for row in iter_rows(binary, file=file, date_format=date_format, problems=problems):
        accounts += _key(row.account_reference)
        debtors += _key(row.debtor_reference)
        numbers.append(row.row)
        if check is not None:
            pending.append(row)
            if len(pending) >= batch:
                for p in check(pending):
                    problems.append(p)
                pending = []
    if check is not None and pending:
        for p in check(pending):
            problems.append(p)
    count = len(numbers)
    row_of = np.frombuffer(numbers, dtype=np.int64)
    del numbers
    if count:
        order, starts = _sorted_runs(accounts)
        for position in np.flatnonzero(starts != np.arange(count)):
            first = int(row_of[order[starts[position]]])
            problems.append(
                InputProblem(
                    file,
                    int(row_of[order[position]]),
                    "account_reference",
                    f"this account reference already appears on row {first}",
                )
            )
    if not count and not problems:
        problems.append(
            InputProblem(file, 2, "(file)", "the file has a header but no rows: nothing to import")
        )
    problems.raise_if_any()
    order, starts = _sorted_runs(debtors)
    # The last row of a run is where the next run starts, minus one (the stable sort keeps
    # each debtor's rows in file order).
    run_ends = np.ones(count, dtype=bool)
    run_ends[:-1] = starts[1:] != starts[:-1]
    last = np.zeros(count, dtype=bool)
    last[order[run_ends]] = True
    return FileIndex(rows=count, debtor_last=last)


def parse_stream(
    binary: IO[bytes], *, file: str, date_format: str = DEFAULT_DATE_FORMAT
) -> list[PortfolioRow]:
    """All rows of a small file in a list, after validation (InvalidInput otherwise)."""
    validate(binary, file=file, date_format=date_format)
    problems = Problems(file)
    rows = list(iter_rows(binary, file=file, date_format=date_format, problems=problems))
    problems.raise_if_any()
    return rows


def parse_bytes(
    data: bytes, *, file: str, date_format: str = DEFAULT_DATE_FORMAT
) -> list[PortfolioRow]:
    """Parse small file content (UTF-8, with or without BOM): tests and tools."""
    return parse_stream(io.BytesIO(data), file=file, date_format=date_format)
