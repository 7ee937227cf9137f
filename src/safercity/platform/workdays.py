"""Working days in England and Wales: Monday to Friday, not a bank holiday.

The Victims' Code counts its deadlines in working days; bank holidays come from the
maintained ``holidays`` package (subdivision ENG, which covers England and Wales' shared list).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_day_deadline(event_at: datetime, days: int) -> datetime:
    """End of the working day that falls ``days`` working days after the event, London time.

    A deadline "within 1 working day" of a Friday-evening event is the end of Monday.
    """
    local_day = event_at.astimezone(LONDON).date()
    due_day = add_working_days(local_day, days)
    return datetime.combine(due_day, time(23, 59, 59), tzinfo=LONDON)
