"""Working days skip weekends and England and Wales bank holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

from safercity.platform.workdays import add_working_days, is_working_day, working_day_deadline


def test_friday_plus_one_working_day_is_monday() -> None:
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_christmas_boxing_day_substitute_and_new_year_are_skipped() -> None:
    # 25 Dec 2026 is a Friday; Boxing Day falls on Saturday so Monday 28th is the substitute.
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_five_working_days_span_a_weekend() -> None:
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)


def test_deadline_is_end_of_the_london_working_day() -> None:
    # 23:30 UTC on Sunday 22 Nov is still Sunday in London (GMT); 1 working day → Monday 23rd.
    due = working_day_deadline(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), 1)
    assert due.date() == date(2026, 11, 23) and (due.hour, due.minute) == (23, 59)


def test_summer_time_event_after_midnight_london_counts_from_the_london_date() -> None:
    # 23:30 UTC on 1 July is 00:30 BST on Thursday 2 July; 1 working day → Friday 3 July.
    due = working_day_deadline(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), 1)
    assert due.date() == date(2026, 7, 3)
