from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from forcebridge.sync.planner_statistics import FIRST_REFRESH, refresh_due


def test_the_first_count_comes_once_a_page_is_created() -> None:
    assert not refresh_due(0, 0)
    assert not refresh_due(FIRST_REFRESH - 1, 0)
    assert refresh_due(FIRST_REFRESH, 0)


def test_later_counts_wait_until_the_creates_have_doubled() -> None:
    assert not refresh_due(7_999, 4_000)
    assert refresh_due(8_000, 4_000)


@given(st.integers(min_value=200, max_value=2_000), st.integers(min_value=1, max_value=1_000_000))
def test_a_run_counts_a_handful_of_times_however_large(page: int, total: int) -> None:
    counted_at, counts = 0, 0
    for created in range(page, total + page, page):
        if refresh_due(created, counted_at):
            counted_at, counts = created, counts + 1
    assert counts <= max(1, (total + page) // FIRST_REFRESH).bit_length()
    assert counted_at * 2 > total - page or total < FIRST_REFRESH
