"""The live board's picture as JSON: what the page draws and what each update sends.

No callers' names, numbers or words: the board is watched all day, and reading those is an
audited act on the incident's own panel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from safercity.contact.service import Board, IncidentView
from safercity.dispatch.assignment import STATUS_COLOURS, AssignmentStatus

OFF_DUTY_COLOUR = "#b1b4b6"


def priority_summary(view: IncidentView) -> str:
    """Each service's priority in its own terms: "Ambulance C1 · Police I"."""
    return " · ".join(
        f"{g.service.value.capitalize()} {g.priority.value}"
        for g in view.incident.grading.grades.values()
    )


def status_label(status: str) -> str:
    return "Available" if status == "available" else AssignmentStatus(status).label


def board_json(board: Board, now: datetime) -> dict[str, Any]:
    incidents = []
    for view in board.incidents:
        incident = view.incident
        incidents.append(
            {
                "id": view.id,
                "type": view.type_label,
                "priority": priority_summary(view),
                "urgency_s": view.row.urgency_s,
                "address": incident.location.address,
                "borough": view.row.borough or "",
                "lat": incident.location.lat,
                "lon": incident.location.lon,
                "opened_at": incident.opened_at.isoformat(),
                "calls": len(incident.calls),
                "risk": incident.thrive.overall.value,
                "duplicate_of": [int(d.incident_id) for d in board.duplicates.get(view.id, ())],
                "units": [
                    {"call_sign": a.call_sign, "status": a.status.value}
                    for a in view.assignments
                    if a.active
                ],
            }
        )
    units = [
        {
            "call_sign": s.unit.call_sign,
            "service": s.unit.service.value,
            "type": s.unit.unit_type.label,
            "status": s.status if s.on_duty else "off_duty",
            "status_label": status_label(s.status) if s.on_duty else "Off duty",
            "colour": STATUS_COLOURS.get(s.status, OFF_DUTY_COLOUR)
            if s.on_duty
            else OFF_DUTY_COLOUR,
            "lat": round(s.position[0], 6),
            "lon": round(s.position[1], 6),
            "incident_id": int(s.assignment.incident_id) if s.assignment else None,
        }
        for s in board.units
    ]
    return {"now": now.isoformat(), "incidents": incidents, "units": units}
