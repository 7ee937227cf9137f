"""The case file's rules: the order of steps, suspects' actions, references and the NCRS clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from safercity.cases.model import (
    CaseStep,
    after_step,
    check_chargeable,
    check_date_of_birth,
    check_text,
    format_reference,
    message_read_by,
    next_steps,
    recording_clock,
    suspect_after,
)
from safercity.cases.vocabulary import (
    COURT_OUTCOMES,
    OUTCOME_CATEGORIES,
    POLICE_OUTCOMES,
    CaseStatus,
    SuspectAction,
    SuspectStatus,
)
from safercity.platform.errors import Conflict, InvalidInput

S = CaseStatus


@pytest.mark.parametrize(
    ("status", "step", "after"),
    [
        (S.REPORTED, CaseStep.RECORD_CRIME, S.RECORDED),
        (S.REPORTED, CaseStep.RECORD_NOT_A_CRIME, S.NOT_A_CRIME),
        (S.REPORTED, CaseStep.RECORD_NOT_INVESTIGATED, S.CLOSED),
        (S.RECORDED, CaseStep.ALLOCATE, S.UNDER_INVESTIGATION),
        (S.UNDER_INVESTIGATION, CaseStep.CHARGE, S.WITH_PROSECUTOR),
        (S.WITH_PROSECUTOR, CaseStep.RETURN, S.RETURNED_BY_PROSECUTOR),
        (S.RETURNED_BY_PROSECUTOR, CaseStep.RESUBMIT, S.WITH_PROSECUTOR),
        (S.WITH_PROSECUTOR, CaseStep.ACCEPT, S.AWAITING_COURT),
        (S.AWAITING_COURT, CaseStep.LIST_HEARING, S.AWAITING_COURT),
        (S.UNDER_INVESTIGATION, CaseStep.POLICE_OUTCOME, S.CLOSED),
    ],
)
def test_steps_in_order_move_the_case_on(status: S, step: CaseStep, after: S) -> None:
    assert after_step(status, step) is after


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (S.RECORDED, CaseStep.RECORD_CRIME),
        (S.REPORTED, CaseStep.ALLOCATE),
        (S.RECORDED, CaseStep.INVESTIGATE),
        (S.REPORTED, CaseStep.CHARGE),
        (S.UNDER_INVESTIGATION, CaseStep.ACCEPT),
        (S.AWAITING_COURT, CaseStep.RETURN),
        (S.WITH_PROSECUTOR, CaseStep.LIST_HEARING),
        (S.CLOSED, CaseStep.RECORD_RESULT),
        (S.AWAITING_COURT, CaseStep.POLICE_OUTCOME),
        (S.NOT_A_CRIME, CaseStep.ALLOCATE),
    ],
)
def test_steps_out_of_order_are_refused_with_conflict(status: S, step: CaseStep) -> None:
    with pytest.raises(Conflict, match="Not possible while the case is"):
        after_step(status, step)


def test_a_suspect_is_arrested_interviewed_then_bailed() -> None:
    status = suspect_after(SuspectStatus.IDENTIFIED, SuspectAction.ARREST)
    status = suspect_after(status, SuspectAction.INTERVIEW)
    assert suspect_after(status, SuspectAction.BAIL) is SuspectStatus.BAILED


def test_a_suspect_not_in_custody_cannot_be_bailed() -> None:
    with pytest.raises(Conflict, match="Arrest or interview them first"):
        suspect_after(SuspectStatus.IDENTIFIED, SuspectAction.BAIL)


def test_nothing_more_happens_to_a_suspect_after_no_further_action() -> None:
    with pytest.raises(Conflict):
        suspect_after(SuspectStatus.NO_FURTHER_ACTION, SuspectAction.ARREST)


def test_a_suspect_is_charged_only_after_an_interview_and_only_once() -> None:
    with pytest.raises(Conflict, match="Interview"):
        check_chargeable(SuspectStatus.ARRESTED, interviewed=False)
    with pytest.raises(Conflict, match="already"):
        check_chargeable(SuspectStatus.CHARGED, interviewed=True)
    check_chargeable(SuspectStatus.BAILED, interviewed=True)


def test_references_use_crockford_base32_without_confusable_letters() -> None:
    assert format_reference(0) == "SC-0000-0000"
    assert format_reference(2**40 - 1) == "SC-ZZZZ-ZZZZ"
    for n in (12345, 2**39 + 7, 987654321987):
        assert re.fullmatch(r"SC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", format_reference(n))


def test_the_ncrs_clock_runs_24_hours_from_the_report() -> None:
    reported = datetime(2026, 11, 23, 9, tzinfo=UTC)
    running = recording_clock(reported, reported + timedelta(hours=20, minutes=30))
    assert not running.overdue and running.label == "3 h 30 min left"
    late = recording_clock(reported, reported + timedelta(hours=25))
    assert late.overdue and late.label == "Overdue by 1 h 00 min"


def test_victim_messages_are_read_within_two_working_days() -> None:
    friday = datetime(2026, 11, 27, 15, tzinfo=UTC)
    assert message_read_by(friday).date() == date(2026, 12, 1)


def test_every_status_tells_the_victim_what_happens_next() -> None:
    assert all(next_steps(status) for status in CaseStatus)


def test_police_outcomes_and_court_outcomes_split_the_police_uk_categories() -> None:
    assert set(POLICE_OUTCOMES).isdisjoint(COURT_OUTCOMES)
    assert set(POLICE_OUTCOMES) | set(COURT_OUTCOMES) | {"Awaiting court outcome"} == set(
        OUTCOME_CATEGORIES
    )


@pytest.mark.parametrize("text", ["", "   ", "x" * 201, "nul\x00byte", "bell\x07"])
def test_free_text_that_is_empty_too_long_or_has_control_characters_is_refused(
    text: str,
) -> None:
    with pytest.raises(InvalidInput) as error:
        check_text("note", text, max_length=200)
    assert error.value.field_errors[0].field == "note"


def test_a_date_of_birth_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput):
        check_date_of_birth(date(2030, 1, 1), date(2026, 11, 23))
