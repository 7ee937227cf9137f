"""Grading: from an incident type and the key answers to each service's priority and attendance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from safercity.contact.priority import PoliceGrade, Priority, deploys, parse_priority
from safercity.contact.taxonomy import IncidentType, KeyAnswers, Need, ServicePlan
from safercity.dispatch import recommend
from safercity.dispatch.capabilities import Capability, Service

RIGHT_CARE_RIGHT_PERSON_SOURCE = (
    "Right Care, Right Person: National Partnership Agreement (Home Office, DHSC, NPCC, "
    "July 2023), adopted by the Metropolitan Police from November 2023"
)


@dataclass(frozen=True)
class ServiceGrade:
    """One service's priority for an incident, the attendance it sends, and why."""

    service: Service
    priority: Priority
    needs: tuple[Need, ...]
    reason: str


@dataclass(frozen=True)
class Grading:
    """Every attending service's grade for one incident: the whole predetermined attendance."""

    incident_type: str
    grades: Mapping[Service, ServiceGrade] = field(default_factory=dict)

    def priority(self, service: Service) -> Priority | None:
        grade = self.grades.get(service)
        return grade.priority if grade else None

    @property
    def attendance(self) -> tuple[Need, ...]:
        """All needs of all services that deploy, in service order."""
        return tuple(need for grade in self.grades.values() for need in grade.needs)

    def count(self, capability: Capability) -> int:
        """How many units with `capability` the attendance asks for in all."""
        return sum(n.count for n in self.attendance if n.capability is capability)

    def deadline_s(self, capability: Capability) -> int | None:
        """The earliest deadline for `capability`, or None if it is not needed."""
        times = [n.deadline_s for n in self.attendance if n.capability is capability]
        return min(times) if times else None

    def for_dispatch(self) -> list[recommend.Need]:
        """The attendance as the unit recommender takes it."""
        return [recommend.Need(n.capability, n.count, n.deadline_s) for n in self.attendance]

    @property
    def most_urgent_s(self) -> int | None:
        """The tightest deadline of the attendance: the incident queue sorts on it."""
        times = [n.deadline_s for n in self.attendance]
        return min(times) if times else None


@dataclass(frozen=True)
class RightCareDecision:
    """Whether police attend a mental-health call, with the rule's reason."""

    police_attend: bool
    reason: str


def right_care_right_person(
    *, crime_in_progress: bool | None, risk_to_life: bool | None
) -> RightCareDecision:
    """Right Care, Right Person: police attend a mental-health call only for a crime or a risk.

    The threshold is a crime to investigate or in progress, or a real and immediate risk to life
    or of serious harm. Otherwise health professionals, not police, attend (see
    RIGHT_CARE_RIGHT_PERSON_SOURCE). An unanswered question counts as a yes: until the handler
    knows there is no risk, the police stay in the attendance.
    """
    if crime_in_progress is not False:
        why = "crime in progress" if crime_in_progress else "crime not yet ruled out"
        return RightCareDecision(True, f"Right Care, Right Person: {why}, police attend")
    if risk_to_life is not False:
        why = "risk to life" if risk_to_life else "risk to life not yet ruled out"
        return RightCareDecision(True, f"Right Care, Right Person: {why}, police attend")
    return RightCareDecision(
        False, "Right Care, Right Person: no crime and no risk to life, health attends, not police"
    )


def grade(
    incident_type: IncidentType,
    answers: KeyAnswers,
    overrides: Mapping[Service, Priority] | None = None,
) -> Grading:
    """Each service's priority and attendance for a call of `incident_type` with `answers`.

    A service whose plan attends only on some answers (an ambulance when someone is injured) is
    left out otherwise, unless the handler overrides its priority. The first rule whose answers
    all match sets a service's priority, else its default. A handler's override replaces it, but
    only with a priority the type has an attendance for.
    """
    overrides = overrides or {}
    unknown = set(overrides) - set(incident_type.plans)
    if unknown:
        names = ", ".join(sorted(s.value for s in unknown))
        raise ValueError(f"{incident_type.label} is not attended by {names}")
    grades: dict[Service, ServiceGrade] = {}
    for service, plan in incident_type.plans.items():
        if not plan.attends(answers) and service not in overrides:
            continue
        priority, reason = _priority(plan, answers)
        if service is Service.POLICE and incident_type.right_care_right_person:
            priority, reason = _right_care(plan, priority, reason, answers)
        if service in overrides:
            priority, reason = _override(plan, overrides[service])
        needs = plan.attendances[priority] if deploys(priority) else ()
        grades[service] = ServiceGrade(service, priority, needs, reason)
    return Grading(incident_type.code, grades)


def _priority(plan: ServicePlan, answers: KeyAnswers) -> tuple[Priority, str]:
    for rule in plan.rules:
        if rule.matches(answers):
            return rule.priority, rule.reason
    return plan.default, "default for this incident type"


def _right_care(
    plan: ServicePlan, priority: Priority, reason: str, answers: KeyAnswers
) -> tuple[Priority, str]:
    decision = right_care_right_person(
        crime_in_progress=answers.crime_in_progress, risk_to_life=answers.risk_to_life
    )
    if decision.police_attend:
        return priority, f"{reason}; {decision.reason}"
    if PoliceGrade.R not in plan.attendances:
        raise ValueError("a Right Care, Right Person type needs a police R attendance")
    return PoliceGrade.R, decision.reason


def _override(plan: ServicePlan, priority: Priority) -> tuple[Priority, str]:
    if priority not in plan.attendances:
        allowed = ", ".join(p.value for p in plan.attendances)
        raise ValueError(
            f"{plan.service.value} cannot take priority {priority.value} here (use {allowed})"
        )
    return priority, "set by the call handler"


def grading_to_dict(grading: Grading) -> dict[str, Any]:
    """The grading as JSON-ready data: kept with the incident exactly as it was decided."""
    return {
        "incident_type": grading.incident_type,
        "grades": [
            {
                "service": g.service.value,
                "priority": g.priority.value,
                "reason": g.reason,
                "needs": [
                    {
                        "capability": n.capability.value,
                        "count": n.count,
                        "deadline_s": n.deadline_s,
                        "purpose": n.purpose,
                    }
                    for n in g.needs
                ],
            }
            for g in grading.grades.values()
        ],
    }


def grading_from_dict(data: Mapping[str, Any]) -> Grading:
    """The grading `grading_to_dict` wrote."""
    grades: dict[Service, ServiceGrade] = {}
    for entry in data["grades"]:
        service = Service(entry["service"])
        needs = tuple(
            Need(Capability(n["capability"]), int(n["count"]), int(n["deadline_s"]), n["purpose"])
            for n in entry["needs"]
        )
        priority = parse_priority(service, entry["priority"])
        grades[service] = ServiceGrade(service, priority, needs, entry["reason"])
    return Grading(str(data["incident_type"]), grades)
