"""999 intake: the call, the incident it opens or joins, THRIVE notes and vulnerability flags.

Pure types and rules. A call is what one caller said; an incident is the emergency, which may
have many calls. The taxonomy, grading and duplicate rules live beside this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from safercity.contact.grading import Grading
from safercity.platform.errors import Conflict, FieldError, InvalidInput

MAX_NOTE = 2000
MAX_SHORT = 200
MAX_NUMBER = 32
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"^\+?[0-9 ()-]{3,32}$")


def check_text(name: str, value: str, limit: int) -> str:
    """`value` stripped, or InvalidInput if it is too long or holds control characters."""
    # PostgreSQL refuses NUL in text, and other control characters have no place in notes.
    if _CONTROL.search(value):
        raise InvalidInput(
            f"{name} contains control characters", [FieldError(name, "Remove control characters")]
        )
    if len(value) > limit:
        raise InvalidInput(
            f"{name} is too long", [FieldError(name, f"Use at most {limit} characters")]
        )
    return value.strip()


def normalise_number(number: str | None) -> str | None:
    """A callback number in one comparable form (UK +44 to 0, no spaces); None if withheld."""
    if number is None or not number.strip():
        return None
    if not _NUMBER.match(number.strip()):
        raise InvalidInput(
            "callback number is not a phone number",
            [FieldError("callback_number", "Use digits, spaces and an optional leading +")],
        )
    digits = re.sub(r"[^0-9+]", "", number)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    return digits


@dataclass(frozen=True)
class Location:
    """Where the emergency is: WGS84 coordinates and the address as the caller gave it."""

    lat: float
    lon: float
    address: str = ""

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise InvalidInput(
                "location is not on Earth", [FieldError("location", "Give WGS84 lat and lon")]
            )
        check_text("address", self.address, MAX_SHORT)


@dataclass(frozen=True)
class Call:
    """One 999 call: who rang, from which number, when, where, and what they said."""

    id: str
    received_at: datetime
    location: Location
    description: str
    callback_number: str | None = None
    caller_name: str = ""

    def __post_init__(self) -> None:
        check_text("description", self.description, MAX_NOTE)
        check_text("caller_name", self.caller_name, MAX_SHORT)
        object.__setattr__(self, "callback_number", normalise_number(self.callback_number))


class VulnerabilityFlag(StrEnum):
    """Something about a person at the incident that changes how it is handled."""

    CHILD = "child"
    OLDER_PERSON = "older_person"
    DISABILITY = "disability"
    MENTAL_HEALTH = "mental_health"
    DOMESTIC_ABUSE = "domestic_abuse"
    LANGUAGE_BARRIER = "language_barrier"
    SUBSTANCE_USE = "substance_use"
    PREGNANCY = "pregnancy"
    LIVES_ALONE = "lives_alone"
    REPEAT_VICTIM = "repeat_victim"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class RiskLevel(StrEnum):
    """The overall risk a THRIVE assessment concludes."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def colour(self) -> str:
        return {"high": "#b10e1e", "medium": "#f47738", "low": "#00703c"}[self.value]


@dataclass(frozen=True)
class Thrive:
    """THRIVE notes: threat, harm, risk, investigation, vulnerability, engagement (free text).

    The College of Policing's assessment a call handler records on every call. The overall risk
    is derived from the grading and flags; the handler may override it, with a reason.
    """

    threat: str = ""
    harm: str = ""
    risk: str = ""
    investigation: str = ""
    vulnerability: str = ""
    engagement: str = ""
    derived_risk: RiskLevel = RiskLevel.LOW
    override: RiskLevel | None = None
    override_reason: str = ""

    def __post_init__(self) -> None:
        for name in ("threat", "harm", "risk", "investigation", "vulnerability", "engagement"):
            check_text(name, getattr(self, name), MAX_NOTE)
        check_text("override_reason", self.override_reason, MAX_SHORT)
        if self.override is not None and not self.override_reason.strip():
            raise InvalidInput(
                "an override of the overall risk needs a reason",
                [FieldError("override_reason", "Say why the risk differs from the derived one")],
            )

    @property
    def overall(self) -> RiskLevel:
        """The handler's override if given, else the derived risk."""
        return self.override or self.derived_risk

    def overridden(self, level: RiskLevel, reason: str) -> Thrive:
        """These notes with the handler's own overall risk."""
        return replace(self, override=level, override_reason=reason)


def derive_risk(grading: Grading, flags: Iterable[VulnerabilityFlag] = ()) -> RiskLevel:
    """High when any service must be there within 15 minutes; medium within an hour or when a
    vulnerable person is involved; low otherwise."""
    tightest = grading.most_urgent_s
    if tightest is not None and tightest <= 15 * 60:
        return RiskLevel.HIGH
    if (tightest is not None and tightest <= 60 * 60) or any(True for _ in flags):
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


class IncidentStatus(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    CLOSED = "closed"


@dataclass(frozen=True)
class Incident:
    """An emergency: its type, where, its grading, and every call made about it."""

    id: str
    type_code: str
    location: Location
    opened_at: datetime
    grading: Grading
    calls: tuple[Call, ...]
    thrive: Thrive = field(default_factory=Thrive)
    flags: frozenset[VulnerabilityFlag] = frozenset()
    status: IncidentStatus = IncidentStatus.OPEN
    merged_into: str | None = None

    @property
    def last_call_at(self) -> datetime:
        return max(call.received_at for call in self.calls)

    @property
    def callback_numbers(self) -> frozenset[str]:
        return frozenset(c.callback_number for c in self.calls if c.callback_number)


def open_incident(
    incident_id: str,
    call: Call,
    grading: Grading,
    flags: Iterable[VulnerabilityFlag] = (),
    thrive: Thrive | None = None,
) -> Incident:
    """A new incident from its first call, with THRIVE's overall risk derived."""
    flag_set = frozenset(flags)
    notes = replace(thrive or Thrive(), derived_risk=derive_risk(grading, flag_set))
    return Incident(
        id=incident_id,
        type_code=grading.incident_type,
        location=call.location,
        opened_at=call.received_at,
        grading=grading,
        calls=(call,),
        thrive=notes,
        flags=flag_set,
    )


def flag(incident: Incident, *flags: VulnerabilityFlag) -> Incident:
    """The incident with more vulnerability flags, its derived risk brought up to date."""
    flag_set = incident.flags | frozenset(flags)
    thrive = replace(incident.thrive, derived_risk=derive_risk(incident.grading, flag_set))
    return replace(incident, flags=flag_set, thrive=thrive)


def _require_open(incident: Incident) -> None:
    if incident.status is not IncidentStatus.OPEN:
        raise Conflict(f"incident {incident.id} is {incident.status.value}: open a new one")


def join_call(incident: Incident, call: Call) -> Incident:
    """The incident with one more call: a duplicate the handler chose to merge."""
    _require_open(incident)
    if any(c.id == call.id for c in incident.calls):
        raise Conflict(f"call {call.id} is already on incident {incident.id}")
    return replace(incident, calls=(*incident.calls, call))


def merge_incidents(keep: Incident, absorb: Incident) -> tuple[Incident, Incident]:
    """Two incidents that are one: `keep` takes all calls and flags; `absorb` is marked merged."""
    _require_open(keep)
    _require_open(absorb)
    if keep.id == absorb.id:
        raise Conflict("an incident cannot be merged into itself")
    seen = {c.id for c in keep.calls}
    calls = (*keep.calls, *(c for c in absorb.calls if c.id not in seen))
    kept = flag(replace(keep, calls=calls), *absorb.flags)
    return kept, replace(absorb, status=IncidentStatus.MERGED, merged_into=keep.id)
