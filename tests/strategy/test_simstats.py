"""The comparison's intervals, and when a deferred call is tried again."""

from datetime import UTC, datetime

from concilia.strategy.scheduler import _retry_at
from concilia.strategy.simstats import compare, ratio_interval


def test_a_ratio_that_holds_case_by_case_has_a_tight_interval() -> None:
    b = [0.0] * 80 + [100.0, 50.0, 30.0, 20.0] * 5
    a = [2 * x for x in b]
    ratio, low, high = ratio_interval(a, b)
    assert ratio == 2.0 and low == 2.0 and high == 2.0


def test_a_ratio_on_a_handful_of_payers_is_wide_and_unbounded_when_the_baseline_may_be_zero() -> (
    None
):
    b = [0.0] * 99 + [100.0]
    a = [0.0] * 98 + [150.0, 60.0]
    ratio, low, high = ratio_interval(a, b)
    assert ratio == 2.1
    # One payer in the baseline: a third of resamples miss it, so no upper bound.
    assert high is None and low is not None and low < 2.1
    assert ratio_interval([1.0], [0.0]) == (None, None, None)


def test_compare_sets_the_first_strategy_against_the_others() -> None:
    results = {
        "default": {"detail": {"recovered_by_case": [10.0, 0.0, 30.0, 0.0]}},
        "letters-and-calls": {"detail": {"recovered_by_case": [5.0, 0.0, 15.0, 0.0]}},
    }
    [(name, c)] = compare(results).items()
    assert name == "default vs letters-and-calls"
    assert c["recovery_ratio"] == 2.0
    assert c["recovered_difference_per_case_eur"] == 5.0
    assert c["paying"]["default"]["paying_cases"] == 2
    low, high = c["paying"]["letters-and-calls"]["share_ci95"]
    assert low < 0.5 < high


def test_a_call_held_by_a_frequency_rule_is_tried_again_the_next_local_day() -> None:
    # 22:30 UTC on a Tuesday is 17:30 in New York: the next local day starts at 05:00 UTC.
    now = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
    assert _retry_at(now, {"frequency"}, "America/New_York") == datetime(
        2026, 11, 25, 5, 0, tzinfo=UTC
    )
    # Hours may open within the hour; an unknown zone falls back to the hour too.
    assert _retry_at(now, {"time"}, "America/New_York") == datetime(
        2026, 11, 24, 23, 30, tzinfo=UTC
    )
    assert _retry_at(now, {"frequency"}, "Nowhere/Else") == datetime(
        2026, 11, 24, 23, 30, tzinfo=UTC
    )
    # Just before local midnight, at least an hour still passes.
    late = datetime(2026, 11, 24, 4, 45, tzinfo=UTC)
    assert _retry_at(late, {"frequency", "time"}, "America/New_York") == datetime(
        2026, 11, 24, 5, 45, tzinfo=UTC
    )
