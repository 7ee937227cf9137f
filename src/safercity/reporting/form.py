"""The web report form: the answers as a person typed them, read into a report draft.

A browser posts flat text fields named like the API's JSON paths ("victim.email"), so an error
the service raises for a field lands next to the input of the same name. Pure: no web framework.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from safercity.cases.victims_code import QUESTIONS, EnhancedRightsAnswers
from safercity.platform.errors import FieldError
from safercity.platform.workdays import LONDON
from safercity.reporting.model import ReportDraft, fingerprint

# Every field the form has, in the order the page shows them (the error summary follows it).
FIELDS: tuple[str, ...] = (
    "crime_type",
    "description",
    "occurred_from",
    "occurred_to",
    "location.text",
    "location.latitude",
    "location.longitude",
    "reporter_is_victim",
    "victim.name",
    "victim.preferred_channel",
    "victim.email",
    "victim.phone",
    "victim.address",
    *(f"enhanced_rights.{key}" for key in QUESTIONS),
)
# Longer than any answer the model accepts, so an over-long answer is refused by the model's
# rule with its message, while nothing bigger than this is ever kept or shown again.
LONGEST_KEPT = 6000
# The forms a date and time may arrive in: datetime-local's, and what people type without it.
TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class ReadForm:
    """The draft a form gives, with what could not even be read (a date that is not a date)."""

    draft: ReportDraft
    answers: EnhancedRightsAnswers
    reporter_is_victim: bool
    unreadable: list[FieldError]


def kept_values(posted: Mapping[str, str]) -> dict[str, str]:
    """The answers to show again and to read: known fields only, each bounded in length."""
    return {name: posted[name][:LONGEST_KEPT] for name in FIELDS if name in posted}


def london_time(text: str) -> datetime | None:
    """A date and time typed in the form, taken as London time (GMT or BST as it was then).

    None when blank; ValueError when it cannot be read.
    """
    text = text.strip()
    if not text:
        return None
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=LONDON)
        except ValueError:
            continue
    raise ValueError(text)


def as_form_time(instant: datetime) -> str:
    """An instant as a datetime-local value in London time, e.g. for the input's ``max``."""
    return instant.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def _coordinate(text: str, limit: float) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(text)
    return value


def _optional(text: str | None) -> str | None:
    return text if text and text.strip() else None


def _times(values: Mapping[str, str]) -> tuple[dict[str, datetime | None], list[FieldError]]:
    times: dict[str, datetime | None] = {}
    unreadable = []
    for name in ("occurred_from", "occurred_to"):
        try:
            times[name] = london_time(values.get(name, ""))
        except ValueError:
            times[name] = None
            unreadable.append(FieldError(name, "Enter a date and time like 20/11/2026 18:30."))
    return times, unreadable


def _pin(values: Mapping[str, str]) -> tuple[float | None, float | None, list[FieldError]]:
    try:
        latitude = _coordinate(values.get("location.latitude", ""), 90)
        longitude = _coordinate(values.get("location.longitude", ""), 180)
    except ValueError:
        return (
            None,
            None,
            [
                FieldError(
                    "location.latitude", "The pin could not be read. Place it on the map again."
                )
            ],
        )
    return latitude, longitude, []


def read(values: Mapping[str, str]) -> ReadForm:
    """The draft the answers make. Anything unreadable is left empty and named in ``unreadable``."""
    times, unreadable = _times(values)
    latitude, longitude, pin_problems = _pin(values)
    draft = ReportDraft(
        crime_type=values.get("crime_type", ""),
        description=values.get("description", ""),
        occurred_from=times["occurred_from"],
        occurred_to=times["occurred_to"],
        location_text=_optional(values.get("location.text")),
        latitude=latitude,
        longitude=longitude,
        victim_name=values.get("victim.name", ""),
        preferred_channel=values.get("victim.preferred_channel", ""),
        email=_optional(values.get("victim.email")),
        phone=_optional(values.get("victim.phone")),
        address=_optional(values.get("victim.address")),
    )
    answers = EnhancedRightsAnswers(
        **{key: values.get(f"enhanced_rights.{key}") == "yes" for key in QUESTIONS}
    )
    return ReadForm(
        draft, answers, values.get("reporter_is_victim", "yes") != "no", unreadable + pin_problems
    )


def all_problems(read_form: ReadForm, problems: list[FieldError]) -> list[FieldError]:
    """The unreadable fields and the draft's problems, one list in the page's order.

    A field that could not be read shows only that, not also "this is missing".
    """
    unreadable = {error.field for error in read_form.unreadable}
    merged = read_form.unreadable + [e for e in problems if e.field not in unreadable]
    order = {name: index for index, name in enumerate(FIELDS)}
    return sorted(merged, key=lambda error: order.get(error.field, len(order)))


def form_fingerprint(values: Mapping[str, str]) -> str:
    """Identifies the answers, so a key reused with different answers is told apart."""
    return fingerprint(json.dumps(dict(values), sort_keys=True))
