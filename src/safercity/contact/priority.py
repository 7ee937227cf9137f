"""Priority in each service's own words, with the response standard each grade promises.

An incident is graded once per service that attends it: the ambulance service's category, the
police grade, the fire brigade's emergency or not. Each grade carries the deadline a
predetermined attendance uses when the data names none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from safercity.dispatch.capabilities import Service

MINUTE = 60
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class ResponseStandard:
    """A national or local promise: the mean and/or 90th-centile time to arrive, in seconds."""

    mean_s: int | None
    p90_s: int | None
    source: str

    @property
    def target_s(self) -> int | None:
        """The tightest figure, the one a dispatcher plans to."""
        figures = [s for s in (self.mean_s, self.p90_s) if s is not None]
        return min(figures) if figures else None


# NHS England Ambulance Response Programme standards (2017), in force in London.
_ARP = "NHS England, Ambulance Response Programme response standards (2017)"
_STANDARDS: dict[str, ResponseStandard] = {
    "C1": ResponseStandard(7 * MINUTE, 15 * MINUTE, _ARP),
    "C2": ResponseStandard(18 * MINUTE, 40 * MINUTE, _ARP),
    "C3": ResponseStandard(None, 120 * MINUTE, _ARP),
    "C4": ResponseStandard(None, 180 * MINUTE, _ARP),
    # Home Office National Call Handling Standards grades; 15 min is the Met's urban target for
    # Immediate and 60 min for Significant. Extended is a scheduled appointment: the 24 h figure
    # is a planning assumption of ours, not a national standard. Referral sends nobody.
    "I": ResponseStandard(None, 15 * MINUTE, "Metropolitan Police, emergency response target"),
    "S": ResponseStandard(None, 60 * MINUTE, "Metropolitan Police, priority response target"),
    "E": ResponseStandard(None, 24 * HOUR, "SaferCity planning assumption (appointment)"),
    "R": ResponseStandard(None, None, "Home Office National Call Handling Standards"),
    # London Fire Brigade targets: first appliance within 6 min, second within 8 (London Safety
    # Plan). Non-emergency attendance has no public target: 20 min is our planning assumption.
    "emergency": ResponseStandard(
        6 * MINUTE, 8 * MINUTE, "London Fire Brigade, London Safety Plan"
    ),
    "non_emergency": ResponseStandard(None, 20 * MINUTE, "SaferCity planning assumption"),
}


class AmbulanceCategory(StrEnum):
    """NHS ambulance response categories, 1 (life-threatening) to 4 (less urgent)."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"

    @property
    def label(self) -> str:
        return {
            "C1": "Category 1: life-threatening",
            "C2": "Category 2: emergency",
            "C3": "Category 3: urgent",
            "C4": "Category 4: less urgent",
        }[self.value]

    @property
    def colour(self) -> str:
        return {"C1": "#b10e1e", "C2": "#d4351c", "C3": "#f47738", "C4": "#505a5f"}[self.value]


class PoliceGrade(StrEnum):
    """Police grades: Immediate, Significant (priority), Extended (scheduled), Referral."""

    I = "I"  # noqa: E741 - the grade's own letter
    S = "S"
    E = "E"
    R = "R"

    @property
    def label(self) -> str:
        return {
            "I": "I: immediate",
            "S": "S: significant",
            "E": "E: extended (appointment)",
            "R": "R: referral or resolution without deployment",
        }[self.value]

    @property
    def colour(self) -> str:
        return {"I": "#b10e1e", "S": "#f47738", "E": "#1d70b8", "R": "#505a5f"}[self.value]


class FireResponse(StrEnum):
    """The fire brigade's one distinction: blue lights or not."""

    EMERGENCY = "emergency"
    NON_EMERGENCY = "non_emergency"

    @property
    def label(self) -> str:
        return "Emergency" if self is FireResponse.EMERGENCY else "Non-emergency"

    @property
    def colour(self) -> str:
        return "#b10e1e" if self is FireResponse.EMERGENCY else "#505a5f"


Priority = AmbulanceCategory | PoliceGrade | FireResponse

# The NHS mental-health response car is sent through ambulance triage, so it takes categories.
_PRIORITY_TYPES: dict[Service, type[AmbulanceCategory] | type[PoliceGrade] | type[FireResponse]] = {
    Service.AMBULANCE: AmbulanceCategory,
    Service.HEALTH: AmbulanceCategory,
    Service.POLICE: PoliceGrade,
    Service.FIRE: FireResponse,
}


def parse_priority(service: Service, code: str) -> Priority:
    """The priority named `code` in `service`'s own scale; ValueError if it has no such grade."""
    kind = _PRIORITY_TYPES[service]
    try:
        return kind(code)
    except ValueError:
        allowed = ", ".join(p.value for p in kind)
        raise ValueError(f"{service.value} has no priority {code!r} (use {allowed})") from None


def standard(priority: Priority) -> ResponseStandard:
    """The response standard a priority promises."""
    return _STANDARDS[priority.value]


def deploys(priority: Priority) -> bool:
    """False for a grade that sends nobody (police Referral)."""
    return priority is not PoliceGrade.R
