"""The intake screen's form: what the handler typed, read into a call, with every problem named
next to its field.

Coordinates come from the map pin or are typed; an address alone is not geocoded (no address
gazetteer is bundled), so the handler places the pin where the caller is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from safercity.contact.model import RiskLevel, Thrive, VulnerabilityFlag
from safercity.contact.service import NewCall
from safercity.contact.taxonomy import KEY_QUESTIONS, KeyAnswers
from safercity.dispatch.capabilities import Service
from safercity.platform.errors import FieldError, InvalidInput

THRIVE_FIELDS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
QUESTION_LABELS = {
    "conscious": "Is the patient conscious?",
    "breathing": "Is the patient breathing normally?",
    "injured": "Is anyone injured?",
    "persons_reported": "Are people inside or unaccounted for?",
    "persons_trapped": "Is anyone trapped?",
    "weapons": "Are weapons involved?",
    "crime_in_progress": "Is a crime in progress?",
    "risk_to_life": "Is there a real and immediate risk to life?",
    "suspect_on_scene": "Is the suspect still there?",
}
assert set(QUESTION_LABELS) == set(KEY_QUESTIONS)

FormData = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class IntakeValues:
    """The form as typed, to show it again when something must be fixed."""

    text: dict[str, str]
    flags: frozenset[str]


def _one(data: FormData, name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, str):
        return value.strip()
    return str(value[0]).strip() if value else ""


def _many(data: FormData, name: str) -> list[str]:
    value = data.get(name, [])
    return [value] if isinstance(value, str) else [str(v) for v in value]


def values_of(data: FormData) -> IntakeValues:
    names = (
        "caller_name",
        "callback_number",
        "address",
        "lat",
        "lon",
        "description",
        "incident_type",
        "merge_into",
        "override",
        "override_reason",
        *(f"q_{q}" for q in KEY_QUESTIONS),
        *(f"thrive_{t}" for t in THRIVE_FIELDS),
        *(f"priority_{s.value}" for s in Service),
    )
    return IntakeValues({n: _one(data, n) for n in names}, frozenset(_many(data, "flags")))


def _coordinate(text: str, name: str, low: float, high: float, errors: list[FieldError]) -> float:
    try:
        value = float(text)
    except ValueError:
        errors.append(
            FieldError(
                "location",
                "Place the pin on the map where the caller is, or type its latitude and longitude",
            )
        )
        return 0.0
    if not low <= value <= high:
        errors.append(FieldError("location", f"The {name} must lie between {low} and {high}"))
    return value


def _answer(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text)


def read_intake(data: FormData) -> NewCall:
    """The call the form describes; InvalidInput naming every field to fix."""
    values = values_of(data)
    v = values.text
    errors: list[FieldError] = []
    lat = _coordinate(v["lat"], "latitude", -90.0, 90.0, errors)
    lon = _coordinate(v["lon"], "longitude", -180.0, 180.0, errors) if not errors else 0.0
    if not v["description"]:
        errors.append(FieldError("description", "Say what is happening, in the caller's words"))
    if not v["incident_type"] and not v["merge_into"]:
        # A call joining an open incident takes that incident's type.
        errors.append(FieldError("incident_type", "Choose the incident type"))
    flags = []
    for flag in sorted(values.flags):
        try:
            flags.append(VulnerabilityFlag(flag))
        except ValueError:
            errors.append(FieldError("flags", f"{flag[:40]!r} is not a vulnerability flag"))
    override = None
    if v["override"]:
        try:
            override = RiskLevel(v["override"])
        except ValueError:
            errors.append(FieldError("override", "Choose high, medium or low"))
    merge_into = None
    if v["merge_into"]:
        if not v["merge_into"].isdigit() or len(v["merge_into"]) > 9:
            errors.append(FieldError("merge_into", "Choose one of the offered incidents"))
        else:
            merge_into = int(v["merge_into"])
    if errors:
        raise InvalidInput("Fix the fields marked and take the call again.", errors)
    thrive = Thrive(
        threat=v["thrive_threat"],
        harm=v["thrive_harm"],
        risk=v["thrive_risk"],
        investigation=v["thrive_investigation"],
        vulnerability=v["thrive_vulnerability"],
        engagement=v["thrive_engagement"],
        override=override,
        override_reason=v["override_reason"],
    )
    return NewCall(
        lat=lat,
        lon=lon,
        address=v["address"],
        description=v["description"],
        type_code=v["incident_type"],
        callback_number=v["callback_number"] or None,
        caller_name=v["caller_name"],
        answers=KeyAnswers(**{q: _answer(v[f"q_{q}"]) for q in KEY_QUESTIONS}),
        flags=frozenset(flags),
        thrive=thrive,
        overrides={s: v[f"priority_{s.value}"] for s in Service if v[f"priority_{s.value}"]},
        merge_into=merge_into,
    )
