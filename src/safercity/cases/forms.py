"""Helpers for the staff case pages: form state, parsing form text, and display formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from safercity.platform.errors import FieldError, InvalidInput, SaferCityError
from safercity.platform.workdays import LONDON


@dataclass(frozen=True)
class FormState:
    """Which form on the page was sent with problems, the problems by field, and what was typed
    (so nothing typed is lost)."""

    form: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @classmethod
    def of(cls, form: str, error: SaferCityError, values: dict[str, str]) -> FormState:
        errors: dict[str, str] = {}
        for problem in error.field_errors:
            errors.setdefault(problem.field, problem.message)
        return cls(form=form, errors=errors, values=values, summary=error.detail)


def parse_date(name: str, value: str, *, required: bool) -> date | None:
    """A date from an ``<input type=date>`` (YYYY-MM-DD)."""
    value = value.strip()
    if not value:
        if required:
            raise InvalidInput("Give a date.", [FieldError(name, "Give a date.")])
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2200:
        problem = "Give a real date, like 2027-01-20."
        raise InvalidInput(problem, [FieldError(name, problem)])
    return parsed


def parse_london_datetime(date_name: str, day: str, time_name: str, clock_time: str) -> datetime:
    """A date and a time typed in London time, as an instant."""
    parsed_day = parse_date(date_name, day, required=True)
    assert parsed_day is not None
    try:
        parsed_time = time.fromisoformat(clock_time.strip())
    except ValueError:
        problem = "Give a time, like 10:00."
        raise InvalidInput(problem, [FieldError(time_name, problem)]) from None
    return datetime.combine(parsed_day, parsed_time.replace(tzinfo=None), tzinfo=LONDON)


def when(at: datetime | None) -> str:
    """An instant as people in London read it: Mon 23 Nov 2026, 09:00."""
    if at is None:
        return ""
    local = at.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def day(value: date | None) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}" if value else ""
