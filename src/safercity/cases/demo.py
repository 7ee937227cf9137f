"""Walking a case file to a given stage through the real use cases, for demo data.

Nothing here writes to a table: every step is the same service call a person would make, so a
demo case has the timeline, updates, outbox messages and audit trail a real one would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from safercity.cases.investigation import act_on_suspect, add_suspect, charge
from safercity.cases.investigation import close_with_police_outcome as police_outcome
from safercity.cases.prosecution import (
    accept_case,
    list_hearing,
    record_court_result,
    resubmit_to_prosecutor,
    return_case,
)
from safercity.cases.triage import RecordingDecision, add_log_entry, allocate, record_decision
from safercity.cases.vocabulary import SuspectAction
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.identity.model import StaffUser
from safercity.platform.workdays import LONDON


class DemoStage(StrEnum):
    """Where the demo should leave a case."""

    REPORTED = "reported"
    NOT_A_CRIME = "not_a_crime"
    NOT_INVESTIGATED = "not_investigated"
    RECORDED = "recorded"
    UNDER_INVESTIGATION = "under_investigation"
    SUSPECT_BAILED = "suspect_bailed"
    WITH_PROSECUTOR = "with_prosecutor"
    RETURNED_BY_PROSECUTOR = "returned_by_prosecutor"
    AWAITING_COURT = "awaiting_court"
    CLOSED_BY_POLICE = "closed_by_police"
    CLOSED_BY_COURT = "closed_by_court"


@dataclass(frozen=True)
class DemoCast:
    """The people who move a demo case along."""

    triage: StaffUser
    investigator: StaffUser
    supervisor: StaffUser
    prosecutor: StaffUser
    clerk: StaffUser


def walk_to(
    db: Database,
    clock: Clock,
    cast: DemoCast,
    reference: str,
    stage: DemoStage,
    *,
    suspect_name: str = "Jordan Ellis",
    court_result: str = "Offender fined",
    between_steps: Callable[[], None] = lambda: None,
) -> None:
    """Take a newly reported case to ``stage``; ``between_steps`` may move a test clock on."""
    if _triage(db, clock, cast, reference, stage):
        return
    between_steps()
    suspect = _investigate(db, clock, cast, reference, stage, suspect_name)
    if suspect is None:
        return
    between_steps()
    charge(
        db,
        clock,
        cast.investigator,
        reference,
        suspect,
        "Burglary, contrary to s.9(1)(b) Theft Act 1968",
    )
    _prosecution(db, clock, cast, reference, stage, court_result, between_steps)


def _triage(db: Database, clock: Clock, cast: DemoCast, reference: str, stage: DemoStage) -> bool:
    """The recording decision; True when the stage is reached."""
    if stage is DemoStage.REPORTED:
        return True
    decision = {
        DemoStage.NOT_A_CRIME: RecordingDecision.NOT_A_CRIME,
        DemoStage.NOT_INVESTIGATED: RecordingDecision.CRIME_NOT_INVESTIGATED,
    }.get(stage, RecordingDecision.CRIME)
    reason = (
        "The account discloses a crime on the balance of probabilities."
        if decision is RecordingDecision.CRIME
        else "No lines of enquiry: no witnesses, CCTV or forensic leads."
    )
    record_decision(db, clock, cast.triage, reference, decision=decision, reason=reason)
    return stage in (DemoStage.NOT_A_CRIME, DemoStage.NOT_INVESTIGATED, DemoStage.RECORDED)


def _investigate(
    db: Database, clock: Clock, cast: DemoCast, reference: str, stage: DemoStage, suspect_name: str
) -> int | None:
    """Allocation, enquiries and a suspect; the suspect's id when the case goes on to charge."""
    allocate(db, clock, cast.supervisor, reference, cast.investigator.username)
    add_log_entry(
        db,
        clock,
        cast.investigator,
        reference,
        "Spoke to the victim; house-to-house enquiries on the street.",
    )
    if stage is DemoStage.CLOSED_BY_POLICE:
        police_outcome(
            db,
            clock,
            cast.investigator,
            reference,
            "Investigation complete; no suspect identified",
            "House-to-house and CCTV enquiries found no suspect.",
        )
        return None
    suspect = add_suspect(db, clock, cast.investigator, reference, suspect_name, date(1994, 3, 12))
    act_on_suspect(db, clock, cast.investigator, reference, suspect, SuspectAction.ARREST)
    act_on_suspect(db, clock, cast.investigator, reference, suspect, SuspectAction.INTERVIEW)
    if stage is DemoStage.SUSPECT_BAILED:
        back = clock.now().astimezone(LONDON).date() + timedelta(days=28)
        act_on_suspect(
            db, clock, cast.investigator, reference, suspect, SuspectAction.BAIL, bail_return=back
        )
    if stage in (DemoStage.UNDER_INVESTIGATION, DemoStage.SUSPECT_BAILED):
        return None
    return suspect


def _prosecution(
    db: Database,
    clock: Clock,
    cast: DemoCast,
    reference: str,
    stage: DemoStage,
    court_result: str,
    between_steps: Callable[[], None],
) -> None:
    if stage is DemoStage.WITH_PROSECUTOR:
        return
    between_steps()
    return_case(
        db,
        clock,
        cast.prosecutor,
        reference,
        "Please add the shop's CCTV and a statement from the neighbour.",
    )
    if stage is DemoStage.RETURNED_BY_PROSECUTOR:
        return
    resubmit_to_prosecutor(
        db,
        clock,
        cast.investigator,
        reference,
        "CCTV and the neighbour's statement are on the file.",
    )
    accept_case(
        db,
        clock,
        cast.prosecutor,
        reference,
        "The evidential and public interest stages of the Full Code Test are met.",
    )
    between_steps()
    hearing = list_hearing(
        db,
        clock,
        cast.clerk,
        reference,
        place="Courtroom 1",
        starts_at=clock.now() + timedelta(days=14),
    )
    if stage is DemoStage.AWAITING_COURT:
        return
    between_steps()
    record_court_result(db, clock, cast.clerk, reference, hearing, court_result)
