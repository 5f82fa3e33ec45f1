"""The building blocks of the linkage model's comparisons: dialect-aware list levels, the
shorthand for custom SQL levels, and the SQL conditions several comparisons share.

SQL is written in the DuckDB dialect and translated by Splink for Spark; list levels write
their own SQL for each engine.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
from splink.internals.column_expression import ColumnExpression
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect


class _ListLevel(ComparisonLevelCreator):
    """A debtor's list column against a column of the profile, in each engine's SQL."""

    _verb: str

    def __init__(self, debtor_col: str, profile_col: str) -> None:
        self.left = ColumnExpression.instantiate_if_str(debtor_col)
        self.right = ColumnExpression.instantiate_if_str(profile_col)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        self.left.sql_dialect = sql_dialect
        self.right.sql_dialect = sql_dialect
        duckdb = sql_dialect.sql_dialect_str == "duckdb"
        return self._sql(self.left.name_l, self.right.name_r, duckdb)

    def _sql(self, left: str, right: str, duckdb: bool) -> str:
        raise NotImplementedError

    def create_label_for_charts(self) -> str:
        return f"{self.left.raw_sql_expression} {self._verb} {self.right.raw_sql_expression}"


class CrossIntersectLevel(_ListLevel):
    """A debtor's list column shares at least ``n`` items with another list column of the
    profile: the debtor's known cities against the cities a profile's friends live in,
    without copying the debtor's cities into every profile column (a blocked pair carries
    every compared column of both sides, so each copy costs once per pair)."""

    _verb = "meets"

    def __init__(self, debtor_col: str, profile_col: str, n: int = 1) -> None:
        super().__init__(debtor_col, profile_col)
        self.n = n

    def _sql(self, left: str, right: str, duckdb: bool) -> str:
        if duckdb:
            return f"array_length(list_intersect({left}, {right})) >= {self.n}"
        return f"size(array_intersect({left}, {right})) >= {self.n}"


class ContainsLevel(_ListLevel):
    """A debtor's list column holds a value of the profile's."""

    _verb = "holds"

    def _sql(self, left: str, right: str, duckdb: bool) -> str:
        return f"{'list_contains' if duckdb else 'array_contains'}({left}, {right})"


class CrossJaroWinklerLevel(_ListLevel):
    """A debtor's column close (Jaro–Winkler) to another column of the profile: the
    debtor's surname against the first word of a profile written surname first, with a
    slip ('campblel joshua' of Joshua Campbell)."""

    _verb = "is close to"

    def __init__(self, debtor_col: str, profile_col: str, threshold: float) -> None:
        super().__init__(debtor_col, profile_col)
        self.threshold = threshold

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        self.left.sql_dialect = sql_dialect
        self.right.sql_dialect = sql_dialect
        function = sql_dialect.jaro_winkler_function_name
        return f"{function}({self.left.name_l}, {self.right.name_r}) >= {self.threshold}"


def custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


def null(*cols: str) -> ComparisonLevelCreator:
    sql = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in cols)
    return custom(sql, "missing").configure(is_null_level=True)


def unstated(col: str, *said: str) -> str:
    """The profile states no value, nor does its same-picture twin, nor (``said``) do the
    places its bio, school or posts name."""
    also = "".join(f' AND "{s}_r" IS NULL' for s in said)
    return f'"{col}_r" IS NULL AND "linked_{col}_r" IS NULL{also}'


def null_unless_linked(col: str, *said: str) -> ComparisonLevelCreator:
    """Missing on the debtor, or on the profile, on its same-picture twin and (``said``)
    in its bio, school or posts."""
    sql = f'"{col}_l" IS NULL OR ({unstated(col, *said)})'
    return custom(sql, "missing").configure(is_null_level=True)


def only_said(col: str, said: str) -> str:
    """The profile states no value (nor does a twin), but its bio or school names one."""
    return f'{unstated(col)} AND "{said}_r" IS NOT NULL'


def linked(col: str) -> str:
    """The profile hides the field but a profile with the same picture states it."""
    return f'"{col}_r" IS NULL AND "{col}_l" = "linked_{col}_r"'


TWIN = "{} (stated by a profile with the same picture)"

HANDLE_REPEATS = (
    '("given_key_l" = "given_key_r" AND '
    '("family_first_l" = "family_first_r" OR "family_l" = "family_r")) OR '
    '(length("family_first_r") >= 3 AND '
    """instr("handle_r", replace(replace("family_first_r", ' ', ''), '-', '')) > 0) OR """
    # 'alfonsomartin' of 'Alfonso Quirós Martín': the second surname displayed.
    '"handle_surname_r" IS NOT NULL OR '
    # 'jeanm55' of Jean Moreau: the shown given name and the shown surname's initial.
    """"handle_r" = replace("given_r", '-', '') || """
    'coalesce(substr("family_first_r", 1, 1), "family_initial_r")'
)
HANDLE_HAS_SURNAME_START = (
    'length("family_first_l") >= 3 AND instr("handle_r", substr("family_first_l", 1, 3)) > 0'
)
HANDLE_HAS_SURNAME = (
    '(length("family_first_l") >= 3 AND instr("handle_r", "family_first_l") > 0) OR '
    '(length("family_first_r") >= 3 AND instr("handle_l", "family_first_r") > 0)'
)
# Each half of a swap is its own level: a debtor's surname used as someone's given name
# ('Roger' in 'Margaud Roger' vs 'Roger Martin') is one coincidence, counted once.
# A hyphenated word read as a given name is a whole double surname ('Rodriguez-Robinson
# Jerry'), whose first surname alone would not equal it.
# 'Artigas Pablo Perlita': the given name written last, after two surnames.
GIVEN_SWAPPED = (
    '"given_l" = "family_first_r" OR replace("given_l", \'-\', \' \') = "family_r" '
    'OR "given_l" = "given_last_r"'
)
# The debtor's surname as the profile's given name, or as its nickname ('Nate Smith' of a
# file reading Smith / Nathan Dale).
FAMILY_SWAPPED = (
    '"family_first_l" = "given_r" OR "family_l" = replace("given_r", \'-\', \' \') '
    'OR "family_as_given_l" = "given_key_r"'
)

# 'Garcia-Lopez Maria' of Maria Garcia, 'Rodriguez-Smith Jerry' of Jerry Rodriguez-Robinson:
# the profile's given-name place holds a double surname of which the debtor's (first)
# surname is one half. A surname in part, not a slip: Jaro–Winkler rewards the shared start
# and read it as 'swapped, with a slip'.
FAMILY_SWAPPED_PART = (
    """instr("given_r", '-') > 0 AND ("given_r" LIKE "family_first_l" || '-%' """
    """OR "given_r" LIKE '%-' || "family_first_l")"""
)

# A profile showing one word ('Webb') that is not the debtor's given name (nor its
# nickname): with the surname it resembles, the given name is not shown at all.
ONE_WORD_NOT_GIVEN = '"one_word_r" IS NOT NULL AND "given_key_l" <> "given_key_r"'


def given_first(sql: str) -> ComparisonLevelCreator:
    """A cheap condition put first in an ``And``: the engines skip the costly list
    operations after it for the many pairs where it fails."""
    return custom(sql, "guard")


def spelt() -> ComparisonLevelCreator:
    """The debtor's e-mail address spells another surname than theirs: the profile's."""
    return cll.And(
        given_first('"mail_surnames_l" IS NOT NULL'),
        CrossIntersectLevel("mail_surnames", "family_tokens"),
        cll.Not(cll.ArrayIntersectLevel("family_tokens", 1)),
    )
