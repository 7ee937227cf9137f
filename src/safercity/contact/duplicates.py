"""Likely duplicate calls: a second caller reporting an emergency already open.

In 2023, 15.8% of London fire incidents had more than one 999 call. A new call near an open
incident in space and time, or from a number already on it, is offered to the handler, who
decides: merge it into the incident (all calls kept) or keep it separate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from safercity.contact.grading import Grading
from safercity.contact.model import Call, Incident, IncidentStatus, join_call, open_incident
from safercity.platform.errors import Conflict, FieldError, InvalidInput

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class DuplicateRule:
    """How close in time and distance makes a likely duplicate.

    Defaults follow common CAD practice: about 10 minutes and 200 m from the incident's latest
    call. A call from a number already on an open incident is always offered, however far.
    """

    within_s: int = 10 * 60
    within_m: float = 200.0

    def __post_init__(self) -> None:
        if not (0 < self.within_s <= 24 * 3600 and 0 < self.within_m <= 50_000):
            raise InvalidInput(
                "duplicate window out of range",
                [FieldError("within", "Use 1 s to 24 h and 1 m to 50 km")],
            )

    def closeness(self, metres: float, seconds_since: float) -> float | None:
        """How close a call lies to an incident, space and time each as a share of the window
        (lower is closer); None when it lies outside the window."""
        if metres > self.within_m or abs(seconds_since) > self.within_s:
            return None
        return metres / self.within_m + abs(seconds_since) / self.within_s


class MatchReason(StrEnum):
    SAME_NUMBER = "same_number"
    NEARBY = "nearby"


@dataclass(frozen=True)
class DuplicateCandidate:
    """An open incident the new call may be about, with how near it is and why it was offered."""

    incident_id: str
    reasons: frozenset[MatchReason]
    distance_m: float
    seconds_since: float

    @property
    def same_number(self) -> bool:
        return MatchReason.SAME_NUMBER in self.reasons


def distance_m(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp, dl = p2 - p1, math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def likely_duplicates(
    call: Call, incidents: Iterable[Incident], rule: DuplicateRule | None = None
) -> list[DuplicateCandidate]:
    """Open incidents this call may duplicate: same number first, then nearest in space and time.

    Space and time are ranked together, each as a share of the rule's window.
    """
    rule = rule or DuplicateRule()
    found: list[DuplicateCandidate] = []
    for incident in incidents:
        if incident.status is not IncidentStatus.OPEN:
            continue
        metres = distance_m(
            call.location.lat, call.location.lon, incident.location.lat, incident.location.lon
        )
        since = (call.received_at - incident.last_call_at).total_seconds()
        reasons = set()
        if call.callback_number and call.callback_number in incident.callback_numbers:
            reasons.add(MatchReason.SAME_NUMBER)
        if rule.closeness(metres, since) is not None:
            reasons.add(MatchReason.NEARBY)
        if reasons:
            found.append(DuplicateCandidate(incident.id, frozenset(reasons), metres, since))
    return sorted(
        found,
        key=lambda c: (
            not c.same_number,
            _rank(rule, c),
            c.incident_id,
        ),
    )


def _rank(rule: DuplicateRule, candidate: DuplicateCandidate) -> float:
    # A same-number match may lie outside the window: it is ranked by the same measure.
    return candidate.distance_m / rule.within_m + abs(candidate.seconds_since) / rule.within_s


class Decision(StrEnum):
    """What the handler chose for a call offered as a likely duplicate."""

    MERGE = "merge"
    KEEP_SEPARATE = "keep_separate"


@dataclass(frozen=True)
class IntakeOutcome:
    """The incident a call ended on, and whether it joined an existing one."""

    incident: Incident
    joined: bool


def decide(
    call: Call,
    decision: Decision,
    *,
    merge_into: Incident | None = None,
    new_incident_id: str | None = None,
    grading: Grading | None = None,
) -> IntakeOutcome:
    """Apply the handler's decision: join `merge_into`, or open a new incident from the call."""
    if decision is Decision.MERGE:
        if merge_into is None:
            raise InvalidInput(
                "say which incident to merge the call into",
                [FieldError("incident_id", "Choose one of the offered incidents")],
            )
        return IntakeOutcome(join_call(merge_into, call), joined=True)
    if merge_into is not None:
        raise Conflict("a call kept separate is not merged into another incident")
    if new_incident_id is None or grading is None:
        raise InvalidInput(
            "a separate incident needs an id and a grading",
            [FieldError("incident_type", "Choose the incident type")],
        )
    return IntakeOutcome(open_incident(new_incident_id, call, grading), joined=False)
