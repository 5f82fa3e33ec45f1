"""Bounded integer types for ids and counts read from paths, queries and bodies.

Every id column is a 64-bit signed integer (BIGINT), so a larger value can never name a row;
without a bound it reaches the driver, which fails (SQLite: OverflowError, PostgreSQL: bigint
out of range) and the client gets a 500. With these types it is refused first, as a 422.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

MAX_BIGINT = 2**63 - 1

Id = Annotated[int, Ge(1), Le(MAX_BIGINT)]
"""A row id: 1 .. 2**63-1 (use for every id path or query parameter and id field)."""

Offset = Annotated[int, Ge(0), Le(MAX_BIGINT)]
"""How many rows to skip: 0 .. 2**63-1 (the databases' OFFSET is a signed 64-bit integer)."""
