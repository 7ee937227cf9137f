"""The staff case page, shown after a form succeeds and again when a form has a problem."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from safercity.cases import service
from safercity.cases.casefile import Suspect
from safercity.cases.forms import FormState, day, when
from safercity.cases.model import may_act, recording_clock
from safercity.cases.vocabulary import (
    COURT_OUTCOMES,
    OFFENCE_CLASSIFICATIONS,
    POLICE_OUTCOMES,
    CaseStatus,
    SuspectAction,
)
from safercity.platform.http import ContextDep, render
from safercity.platform.identity.model import Permission, StaffUser

# Notices shown after a form succeeds, chosen by a fixed key so nothing typed is echoed.
DONE: dict[str, str] = {
    "record": "Recording decision saved.",
    "allocate": "Allocation saved.",
    "log": "Log entry added.",
    "suspect": "Suspect added.",
    "action": "Saved. Any update the victim is owed is on its way.",
    "charge": "Charge recorded and the case file sent to the prosecutor.",
    "resubmit": "Case file sent back to the prosecutor.",
    "review": "Your decision on the case file is saved.",
    "hearing": "Hearing listed. The victim will be told its date, time and place.",
    "result": "Court result recorded. The victim will be told.",
    "outcome": "Outcome recorded and the case closed.",
    "told": "Marked as told.",
}


def case_page(
    request: Request,
    ctx: ContextDep,
    user: StaffUser,
    reference: str,
    state: FormState | None = None,
    status_code: int = 200,
    done: str = "",
) -> Response:
    view = service.staff_case(ctx.db, ctx.clock, user, reference)
    actions = service.actions_for(user, view)
    return render(
        request,
        "cases/case.html",
        status_code=status_code,
        view=view,
        case=view.case,
        actions=actions,
        state=state or FormState(),
        done=DONE.get(done, ""),
        now=ctx.clock.now(),
        when=when,
        day=day,
        officer_pairs=_officers(ctx, user) if "allocate" in actions else [],
        prosecutor_pairs=[(a.code, a.name) for a in service.prosecutor_choices(ctx.db)]
        if "charge" in actions
        else [],
        decisions=[(d.value, d.label) for d in service.RecordingDecision],
        offence_pairs=_pairs(OFFENCE_CLASSIFICATIONS),
        outcome_pairs=_pairs(POLICE_OUTCOMES),
        result_pairs=_pairs(COURT_OUTCOMES),
        action_options=_action_options,
        evidence_url=f"/staff/cases/{view.case.reference}/evidence"
        if user.can(Permission.HANDLE_EVIDENCE)
        else "",
        recording=(
            recording_clock(view.case.reported_at, ctx.clock.now())
            if view.case.status is CaseStatus.REPORTED
            else None
        ),
    )


def _pairs(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


def _officers(ctx: ContextDep, user: StaffUser) -> list[tuple[str, str]]:
    return [
        (o.username, f"{o.display_name} ({o.role.label})")
        for o in service.allocation_candidates(ctx.db, user)
    ]


def _action_options(suspect: Suspect) -> list[tuple[str, str]]:
    """The actions that make sense for this suspect now."""
    return [(a.value, a.label) for a in SuspectAction if may_act(suspect.status, a)]
