"""The case file's use cases, one function per thing a person does.

The public's side (``open_from_report``, ``exists``, ``victim_view``, ``add_victim_message``)
takes the caller's connection: reporting runs it inside its own transaction. Staff use cases
take ``db``, ``clock`` and the ``StaffUser``; each runs in one transaction with its access check
and its audit entry.
"""

from __future__ import annotations

from safercity.cases.casefile import RecordedCrime
from safercity.cases.intake import add_victim_message, exists, open_from_report, victim_view
from safercity.cases.investigation import (
    act_on_suspect,
    add_suspect,
    charge,
    close_with_police_outcome,
    prosecutor_choices,
)
from safercity.cases.prosecution import (
    accept_case,
    list_hearing,
    record_court_result,
    resubmit_to_prosecutor,
    return_case,
)
from safercity.cases.queries import (
    CourtWork,
    Tile,
    TriageItem,
    WorkItem,
    actions_for,
    allocation_queue,
    check_case_access,
    court_queue,
    dashboard,
    force_cases,
    my_cases,
    prosecutor_queue,
    recorded_crimes,
    sections_for,
    staff_case,
    triage_queue,
)
from safercity.cases.triage import (
    RecordingDecision,
    add_log_entry,
    allocate,
    allocation_candidates,
    record_decision,
)
from safercity.cases.updates import mark_told, recent_updates, updates_needing_attention

__all__ = [
    "CourtWork",
    "RecordedCrime",
    "RecordingDecision",
    "Tile",
    "TriageItem",
    "WorkItem",
    "accept_case",
    "act_on_suspect",
    "actions_for",
    "add_log_entry",
    "add_suspect",
    "add_victim_message",
    "allocate",
    "allocation_candidates",
    "allocation_queue",
    "charge",
    "check_case_access",
    "close_with_police_outcome",
    "court_queue",
    "dashboard",
    "exists",
    "force_cases",
    "list_hearing",
    "mark_told",
    "my_cases",
    "open_from_report",
    "prosecutor_choices",
    "prosecutor_queue",
    "recent_updates",
    "record_court_result",
    "record_decision",
    "recorded_crimes",
    "resubmit_to_prosecutor",
    "return_case",
    "sections_for",
    "staff_case",
    "triage_queue",
    "updates_needing_attention",
    "victim_view",
]
