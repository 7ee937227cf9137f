"""The Victims' Code rules: who has Enhanced Rights, and by when the victim must be told."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from safercity.cases.victims_code import (
    EnhancedRightsAnswers,
    UpdateEvent,
    UpdateFacts,
    enhanced_rights_reasons,
    sent_on_time,
    update_deadline,
    update_text,
    working_days_to_tell,
)

DECISIONS = [
    e for e in UpdateEvent if e not in (UpdateEvent.HEARING_LISTED, UpdateEvent.COURT_RESULT)
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_no_answers_means_standard_rights() -> None:
    assert enhanced_rights_reasons(EnhancedRightsAnswers()) == ()


def test_each_yes_gives_its_reason_for_enhanced_rights() -> None:
    reasons = enhanced_rights_reasons(EnhancedRightsAnswers(under_18=True, hate_crime=True))
    assert len(reasons) == 2
    assert "Under 18" in reasons[0]


@pytest.mark.parametrize("event", DECISIONS)
def test_police_decisions_are_due_in_5_working_days_or_1_with_enhanced_rights(
    event: UpdateEvent,
) -> None:
    assert working_days_to_tell(event, enhanced_rights=False) == 5
    assert working_days_to_tell(event, enhanced_rights=True) == 1


@pytest.mark.parametrize("event", [UpdateEvent.HEARING_LISTED, UpdateEvent.COURT_RESULT])
@pytest.mark.parametrize("enhanced", [False, True])
def test_hearings_and_court_results_are_due_in_1_working_day_for_everyone(
    event: UpdateEvent, enhanced: bool
) -> None:
    assert working_days_to_tell(event, enhanced) == 1


def test_an_arrest_on_monday_is_due_by_the_end_of_the_next_monday() -> None:
    due = update_deadline(UpdateEvent.ARRESTED, utc(2026, 11, 23, 9), enhanced_rights=False)
    assert (due.date(), due.hour, due.minute) == (date(2026, 11, 30), 23, 59)


def test_a_friday_hearing_listing_is_due_by_the_end_of_monday() -> None:
    due = update_deadline(UpdateEvent.HEARING_LISTED, utc(2026, 11, 27, 16), False)
    assert due.date() == date(2026, 11, 30)


def test_christmas_and_boxing_day_bank_holidays_are_skipped() -> None:
    # Thursday 24 December 2026: Friday 25th and Monday 28th (Boxing Day substitute) are bank
    # holidays, so one working day on is Tuesday 29th.
    due = update_deadline(UpdateEvent.COURT_RESULT, utc(2026, 12, 24, 10), False)
    assert due.date() == date(2026, 12, 29)


def test_new_years_day_is_skipped_for_an_enhanced_rights_victim() -> None:
    # Thursday 31 December 2026 → Friday 1 January 2027 is a bank holiday → Monday 4th.
    due = update_deadline(UpdateEvent.CHARGED, utc(2026, 12, 31, 12), enhanced_rights=True)
    assert due.date() == date(2027, 1, 4)


def test_five_working_days_over_christmas_skip_three_bank_holidays_and_weekends() -> None:
    # From Wednesday 23 December 2026: 24, 29, 30, 31 December and 4 January 2027.
    due = update_deadline(UpdateEvent.NO_FURTHER_ACTION, utc(2026, 12, 23, 12), False)
    assert due.date() == date(2027, 1, 4)


def test_the_deadline_is_the_end_of_the_day_in_london_time() -> None:
    # Late on Monday evening in London in summer (BST) is still Monday's event.
    due = update_deadline(UpdateEvent.COURT_RESULT, utc(2026, 6, 1, 22, 30), False)
    assert due.astimezone(UTC) == utc(2026, 6, 2, 22, 59, 59)


def test_an_update_sent_by_the_deadline_is_on_time_and_one_after_is_late() -> None:
    due = utc(2026, 11, 30, 23, 59, 59)
    assert sent_on_time(due, due)
    assert not sent_on_time(utc(2026, 12, 1, 0, 0, 0), due)
    assert not sent_on_time(None, due)


def test_update_texts_never_need_a_suspects_name() -> None:
    text = update_text(UpdateEvent.BAILED, UpdateFacts(bail_return=date(2027, 2, 1)))
    assert text.startswith("A suspect has been released on police bail until Monday 1 February")


def test_a_hearing_update_gives_date_time_and_place_in_london_time() -> None:
    text = update_text(
        UpdateEvent.HEARING_LISTED,
        UpdateFacts(
            hearing_at=utc(2026, 12, 7, 10),
            court="Camberwell Green Magistrates' Court",
            place="Courtroom 2",
        ),
    )
    assert text == (
        "A court hearing has been listed for Monday 7 December 2026 at 10:00 at "
        "Camberwell Green Magistrates' Court, Courtroom 2."
    )
