"""The 999 API's request and response schemas. Every request body carries a complete example."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from safercity.contact.duplicates import DuplicateCandidate
from safercity.contact.model import MAX_NOTE, MAX_SHORT, RiskLevel, VulnerabilityFlag
from safercity.contact.service import CallOutcome, IncidentView
from safercity.contact.taxonomy import KEY_QUESTIONS
from safercity.dispatch.assignment import Assignment
from safercity.dispatch.recommend import Chosen, Shortfall
from safercity.dispatch.service import Suggestion

_FLAGS = tuple(f.value for f in VulnerabilityFlag)
Flag = Literal[_FLAGS]  # type: ignore[valid-type]
Risk = Literal["high", "medium", "low"]


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]}, extra="forbid")


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, description="WGS84 latitude.")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude.")
    address: str = Field(default="", max_length=MAX_SHORT, description="As the caller gave it.")


class ThriveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threat: str = Field(default="", max_length=MAX_NOTE)
    harm: str = Field(default="", max_length=MAX_NOTE)
    risk: str = Field(default="", max_length=MAX_NOTE)
    investigation: str = Field(default="", max_length=MAX_NOTE)
    vulnerability: str = Field(default="", max_length=MAX_NOTE)
    engagement: str = Field(default="", max_length=MAX_NOTE)
    override: Risk | None = Field(default=None, description="The handler's overall risk.")
    override_reason: str = Field(default="", max_length=MAX_SHORT)


class KeyAnswersIn(BaseModel):
    """The key questions; leave out what is not yet known."""

    model_config = ConfigDict(extra="forbid")

    conscious: bool | None = None
    breathing: bool | None = None
    injured: bool | None = None
    persons_reported: bool | None = None
    persons_trapped: bool | None = None
    weapons: bool | None = None
    crime_in_progress: bool | None = None
    risk_to_life: bool | None = None
    suspect_on_scene: bool | None = None


assert set(KeyAnswersIn.model_fields) == set(KEY_QUESTIONS)


class CallCreate(BaseModel):
    model_config = _example(
        {
            "caller_name": "Sam Taylor",
            "callback_number": "07700 900123",
            "location": {"lat": 51.50335, "lon": -0.11953, "address": "County Hall, SE1 7PB"},
            "description": "Man collapsed outside the entrance, not breathing.",
            "incident_type": "cardiac_arrest",
            "answers": {"conscious": False, "breathing": False},
            "flags": ["older_person"],
            "thrive": {"threat": "None seen", "harm": "Risk of death"},
        }
    )

    caller_name: str = Field(default="", max_length=MAX_SHORT)
    callback_number: str | None = Field(default=None, max_length=32)
    location: LocationIn
    description: str = Field(min_length=1, max_length=MAX_NOTE)
    incident_type: str = Field(min_length=1, max_length=60, description="A taxonomy code.")
    answers: KeyAnswersIn = Field(default_factory=KeyAnswersIn)
    flags: list[Flag] = Field(default_factory=list, max_length=len(_FLAGS))
    thrive: ThriveIn = Field(default_factory=ThriveIn)
    priority: dict[Literal["police", "ambulance", "fire", "health"], str] = Field(
        default_factory=dict,
        description="The handler's override of a service's priority: C1-C4, I/S/E/R, "
        "emergency/non_emergency.",
    )
    merge_into: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="Join this open incident instead of opening a new one.",
    )


class DispatchCreate(BaseModel):
    model_config = _example({"units": ["A21-P1", "A21-P2"], "confirm_divert": False})

    units: list[str] = Field(min_length=1, max_length=30, description="Call signs to send.")
    confirm_divert: bool = Field(
        default=False, description="Divert units committed to a less urgent incident."
    )


class MergeCreate(BaseModel):
    model_config = _example({"into": 1})

    into: int = Field(ge=1, le=2_147_483_647, description="The incident to keep.")


class KeepSeparateCreate(BaseModel):
    model_config = _example({"other": 1})

    other: int = Field(ge=1, le=2_147_483_647, description="The incident it is not the same as.")


class GradeOut(BaseModel):
    service: str
    priority: str
    label: str
    reason: str


class AssignmentOut(BaseModel):
    id: int
    call_sign: str
    status: str
    dispatched_at: datetime
    status_at: datetime
    eta_s: float | None
    on_scene_due: datetime | None
    reason: str

    @classmethod
    def of(cls, a: Assignment) -> AssignmentOut:
        return cls(
            id=a.id,
            call_sign=a.call_sign,
            status=a.status.value,
            dispatched_at=a.dispatched_at,
            status_at=a.status_at,
            eta_s=a.eta_s,
            on_scene_due=a.on_scene_due,
            reason=a.reason,
        )


class IncidentOut(BaseModel):
    id: int
    type: str
    type_label: str
    status: str
    merged_into: int | None
    opened_at: datetime
    lat: float
    lon: float
    address: str
    borough: str | None
    grades: list[GradeOut]
    risk: RiskLevel
    flags: list[str]
    calls: int
    assignments: list[AssignmentOut]

    @classmethod
    def of(cls, view: IncidentView) -> IncidentOut:
        incident = view.incident
        return cls(
            id=view.id,
            type=incident.type_code,
            type_label=view.type_label,
            status=incident.status.value,
            merged_into=int(incident.merged_into) if incident.merged_into else None,
            opened_at=incident.opened_at,
            lat=incident.location.lat,
            lon=incident.location.lon,
            address=incident.location.address,
            borough=view.row.borough,
            grades=[
                GradeOut(
                    service=g.service.value,
                    priority=g.priority.value,
                    label=g.priority.label,
                    reason=g.reason,
                )
                for g in incident.grading.grades.values()
            ],
            risk=incident.thrive.overall,
            flags=sorted(f.value for f in incident.flags),
            calls=len(incident.calls),
            assignments=[AssignmentOut.of(a) for a in view.assignments],
        )


class DuplicateOut(BaseModel):
    incident_id: int
    reasons: list[str]
    distance_m: float
    seconds_since: float

    @classmethod
    def of(cls, d: DuplicateCandidate) -> DuplicateOut:
        return cls(
            incident_id=int(d.incident_id),
            reasons=sorted(r.value for r in d.reasons),
            distance_m=round(d.distance_m, 1),
            seconds_since=round(d.seconds_since, 1),
        )


class CallOut(BaseModel):
    id: int = Field(description="The incident's id (the call joined or opened it).")
    call_id: int
    joined: bool
    incident: IncidentOut
    likely_duplicates: list[DuplicateOut]

    @classmethod
    def of(cls, outcome: CallOutcome) -> CallOut:
        return cls(
            id=outcome.incident.id,
            call_id=outcome.call_id,
            joined=outcome.joined,
            incident=IncidentOut.of(outcome.incident),
            likely_duplicates=[DuplicateOut.of(d) for d in outcome.likely_duplicates],
        )


class CallDetailOut(BaseModel):
    id: int
    received_at: datetime
    caller_name: str
    callback_number: str | None
    address: str
    description: str


class EventOut(BaseModel):
    at: datetime
    kind: str
    text: str
    actor: str


class IncidentDetailOut(IncidentOut):
    thrive: dict[str, str]
    call_list: list[CallDetailOut]
    timeline: list[EventOut]
    likely_duplicates: list[DuplicateOut]


class ChosenOut(BaseModel):
    call_sign: str
    unit_type: str
    service: str
    eta_s: float
    eta_source: str
    fills: list[str]
    late: bool
    reason: str

    @classmethod
    def of(cls, chosen: Chosen, source: str) -> ChosenOut:
        return cls(
            call_sign=chosen.unit.call_sign,
            unit_type=chosen.unit.unit_type.value,
            service=chosen.unit.service.value,
            eta_s=round(chosen.eta_s, 1),
            eta_source=source,
            fills=[c.value for c in chosen.fills],
            late=chosen.late,
            reason=chosen.reason,
        )


class ShortfallOut(BaseModel):
    capability: str
    kind: str
    missing: int
    message: str

    @classmethod
    def of(cls, s: Shortfall) -> ShortfallOut:
        return cls(
            capability=s.need.capability.value,
            kind=s.kind.value,
            missing=s.missing,
            message=s.message,
        )


class NeedOut(BaseModel):
    capability: str
    count: int
    deadline_s: float


class RecommendationOut(BaseModel):
    incident_id: int
    units: list[ChosenOut]
    shortfalls: list[ShortfallOut]
    still_needed: list[NeedOut] = Field(description="Needs left once units already sent count.")
    complete: bool
    travel: str
    degraded: str | None = Field(
        description="Why there is no recommendation (dispatch by hand); null when there is one."
    )

    @classmethod
    def of(cls, incident_id: int, s: Suggestion) -> RecommendationOut:
        return cls(
            incident_id=incident_id,
            units=[ChosenOut.of(c, s.sources[c.unit.call_sign].value) for c in s.chosen],
            shortfalls=[ShortfallOut.of(x) for x in s.shortfalls],
            still_needed=[
                NeedOut(capability=n.capability.value, count=n.count, deadline_s=n.deadline_s)
                for n in s.remaining
            ],
            complete=s.complete,
            travel=s.travel,
            degraded=s.degraded,
        )


class IncidentTypeOut(BaseModel):
    code: str
    label: str
    services: list[str]
    right_care_right_person: bool
