"""Safeguarding risk: the DASH checklist with its Marac criteria, and missing-person risk."""

from __future__ import annotations

import json
from datetime import date, datetime
from importlib import resources

import pytest

from safercity.platform.errors import InvalidInput
from safercity.safeguarding.risk import (
    Answer,
    DashAssessment,
    DashHistory,
    DashLevel,
    MaracReason,
    MissingAssessment,
    MissingLevel,
    assess,
    dash_checklist_from_dict,
    dash_trend,
    grade_missing,
    load_dash_checklist,
)

ASSESSED_AT = datetime(2025, 3, 10, 14, 30)


def answers(yes: int, not_known: int = 0) -> dict[int, Answer]:
    """All 27 questions answered: the first `yes` yes, then `not_known` not known, the rest no."""
    result = {}
    for n in range(1, 28):
        if n <= yes:
            result[n] = Answer.YES
        elif n <= yes + not_known:
            result[n] = Answer.NOT_KNOWN
        else:
            result[n] = Answer.NO
    return result


def dash(yes: int = 0, **kwargs: object) -> DashAssessment:
    fields: dict[str, object] = {
        "assessed_by": "PC 1234 Okafor",
        "assessed_at": ASSESSED_AT,
        "answers": answers(yes),
    }
    fields.update(kwargs)
    return DashAssessment(**fields)  # type: ignore[arg-type]


def test_the_bundled_checklist_has_exactly_the_27_dash_questions() -> None:
    raw = json.loads(
        resources.files("safercity.safeguarding")
        .joinpath("data", "dash_questions.json")
        .read_text(encoding="utf-8")
    )
    numbers = [q["number"] for q in raw["questions"]]
    assert sorted(numbers) == list(range(1, 28))
    assert "SafeLives" in raw["source"] and "2009" in raw["source"]
    checklist = load_dash_checklist()
    assert list(checklist.questions) == list(range(1, 28))
    assert all(q.text.endswith("?") for q in checklist.questions.values())
    assert "strangle" in checklist.questions[18].text


def test_a_checklist_with_a_question_listed_twice_is_refused() -> None:
    raw = {
        "source": "test",
        "questions": [{"number": n % 27 or 1, "topic": "t", "text": "?"} for n in range(1, 28)],
    }
    with pytest.raises(ValueError, match="listed twice"):
        dash_checklist_from_dict(raw)


def test_15_yes_is_visible_high_risk_and_goes_to_marac() -> None:
    result = assess(dash(yes=15))
    assert result.yes_count == 15
    assert result.level is DashLevel.HIGH
    assert result.marac_required
    assert result.marac_reasons == (MaracReason.VISIBLE_HIGH_RISK,)


def test_14_yes_is_the_visible_high_risk_threshold_and_13_is_not() -> None:
    assert assess(dash(yes=14)).level is DashLevel.HIGH
    below = assess(dash(yes=13))
    assert below.level is DashLevel.MEDIUM
    assert not below.marac_required


def test_10_to_13_yes_is_medium_and_fewer_is_standard() -> None:
    assert assess(dash(yes=10)).level is DashLevel.MEDIUM
    assert assess(dash(yes=9)).level is DashLevel.STANDARD
    assert assess(dash(yes=0)).level is DashLevel.STANDARD


def test_not_known_answers_do_not_count_as_yes_but_are_listed_for_follow_up() -> None:
    result = assess(dash(answers=answers(yes=12, not_known=4)))
    assert result.yes_count == 12
    assert result.level is DashLevel.MEDIUM
    assert result.not_known == (13, 14, 15, 16)


def test_13_yes_with_professional_judgement_is_high_and_goes_to_marac() -> None:
    result = assess(
        dash(
            yes=13,
            professional_judgement=True,
            judgement_reason="recent separation, threats to kill and non-fatal strangulation",
        )
    )
    assert result.level is DashLevel.HIGH
    assert result.marac_reasons == (MaracReason.PROFESSIONAL_JUDGEMENT,)


def test_professional_judgement_without_a_reason_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        assess(dash(yes=3, professional_judgement=True))
    assert [e.field for e in caught.value.field_errors] == ["judgement_reason"]


def test_3_police_incidents_in_12_months_go_to_marac_for_escalation_even_at_standard_risk() -> None:
    result = assess(dash(yes=4, incidents_last_12_months=3))
    assert result.level is DashLevel.STANDARD
    assert result.marac_required
    assert result.marac_reasons == (MaracReason.POTENTIAL_ESCALATION,)
    assert not assess(dash(yes=4, incidents_last_12_months=2)).marac_required


def test_a_new_incident_within_12_months_of_the_last_referral_is_a_repeat() -> None:
    result = assess(dash(yes=2, last_marac_referral=date(2024, 6, 1), incident_on=date(2025, 3, 9)))
    assert result.marac_reasons == (MaracReason.REPEAT,)
    assert result.level is DashLevel.STANDARD


def test_an_incident_exactly_12_months_after_the_referral_is_still_a_repeat() -> None:
    result = assess(dash(last_marac_referral=date(2024, 3, 9), incident_on=date(2025, 3, 9)))
    assert MaracReason.REPEAT in result.marac_reasons


def test_12_months_and_a_day_after_the_referral_is_not_a_repeat() -> None:
    result = assess(dash(last_marac_referral=date(2024, 3, 8), incident_on=date(2025, 3, 9)))
    assert not result.marac_required


def test_the_repeat_window_uses_the_assessment_date_when_no_incident_date_is_given() -> None:
    assert assess(dash(last_marac_referral=date(2024, 3, 10))).marac_required
    assert not assess(dash(last_marac_referral=date(2024, 3, 9))).marac_required


def test_a_referral_on_29_february_stays_repeat_until_28_february_next_year() -> None:
    leap = date(2024, 2, 29)
    assert assess(dash(last_marac_referral=leap, incident_on=date(2025, 2, 28))).marac_required
    assert not assess(dash(last_marac_referral=leap, incident_on=date(2025, 3, 1))).marac_required


def test_every_marac_criterion_that_applies_is_given_as_a_reason() -> None:
    result = assess(
        dash(
            yes=16,
            professional_judgement=True,
            judgement_reason="stalking after separation",
            incidents_last_12_months=5,
            last_marac_referral=date(2024, 11, 1),
        )
    )
    assert result.marac_reasons == (
        MaracReason.VISIBLE_HIGH_RISK,
        MaracReason.PROFESSIONAL_JUDGEMENT,
        MaracReason.POTENTIAL_ESCALATION,
        MaracReason.REPEAT,
    )
    assert "14 or more" in result.marac_reasons[0].label


def test_missing_answers_are_named_by_question() -> None:
    partial = answers(yes=5)
    del partial[7], partial[22]
    with pytest.raises(InvalidInput) as caught:
        assess(dash(answers=partial))
    assert [e.field for e in caught.value.field_errors] == ["question_7", "question_22"]
    assert "question_7" in str(caught.value)


def test_an_unknown_question_number_is_named() -> None:
    extra = {**answers(yes=5), 28: Answer.YES}
    with pytest.raises(InvalidInput) as caught:
        assess(dash(answers=extra))
    assert [e.field for e in caught.value.field_errors] == ["question_28"]


def test_an_answer_that_is_not_yes_no_or_not_known_is_named() -> None:
    bad = {**answers(yes=5), 3: "maybe"}
    with pytest.raises(InvalidInput) as caught:
        assess(dash(answers=bad))
    assert [e.field for e in caught.value.field_errors] == ["question_3"]


def test_a_referral_dated_after_the_incident_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        assess(dash(last_marac_referral=date(2025, 4, 1)))
    assert [e.field for e in caught.value.field_errors] == ["last_marac_referral"]


def test_history_shows_risk_went_up_since_the_previous_assessment() -> None:
    first = dash(yes=6)
    second = dash(yes=11, assessed_at=datetime(2025, 5, 2, 9, 0))
    history = DashHistory().add(first).add(second)
    trend = dash_trend(history)
    assert trend.previous is not None and trend.previous.level is DashLevel.STANDARD
    assert trend.latest.level is DashLevel.MEDIUM
    assert trend.risk_increased


def test_history_shows_no_increase_when_risk_stays_or_falls() -> None:
    history = DashHistory((dash(yes=15), dash(yes=14, assessed_at=datetime(2025, 4, 1))))
    assert not dash_trend(history).risk_increased
    assert not dash_trend(DashHistory((dash(yes=15),))).risk_increased


def test_history_refuses_an_assessment_older_than_the_latest() -> None:
    history = DashHistory((dash(yes=3),))
    with pytest.raises(InvalidInput):
        history.add(dash(yes=3, assessed_at=datetime(2025, 1, 1)))


def test_an_empty_history_has_no_trend() -> None:
    with pytest.raises(InvalidInput):
        dash_trend(DashHistory())


def missing(**kwargs: object) -> MissingAssessment:
    fields: dict[str, object] = {
        "assessed_by": "PS 77 Hughes",
        "assessed_at": ASSESSED_AT,
        "age": 34,
        "previous_episodes": 2,
    }
    fields.update(kwargs)
    return MissingAssessment(**fields)  # type: ignore[arg-type]


def test_an_adult_who_has_gone_missing_before_with_no_risk_factors_is_low_risk() -> None:
    risk = grade_missing(missing())
    assert risk.level is MissingLevel.LOW
    assert len(risk.reasons) == 1


def test_an_adult_missing_for_the_first_time_is_medium_risk() -> None:
    risk = grade_missing(missing(previous_episodes=0))
    assert risk.level is MissingLevel.MEDIUM
    assert risk.reasons == ("missing for the first time: out of character",)


def test_a_15_year_old_is_at_least_medium_risk() -> None:
    risk = grade_missing(missing(age=15))
    assert risk.level is MissingLevel.MEDIUM
    assert "a child (under 18)" in risk.reasons


def test_a_repeat_missing_child_is_flagged_for_exploitation() -> None:
    risk = grade_missing(missing(age=15, previous_episodes=4))
    assert risk.level is MissingLevel.MEDIUM
    assert any("repeat missing child" in r for r in risk.reasons)


def test_a_child_at_risk_of_exploitation_is_high_risk() -> None:
    risk = grade_missing(missing(age=15, exploitation=True))
    assert risk.level is MissingLevel.HIGH
    assert risk.reasons[0] == "a child or vulnerable adult at risk of exploitation"


def test_an_adult_in_mental_health_crisis_is_high_risk_with_every_factor_explained() -> None:
    risk = grade_missing(missing(mental_health_crisis=True, vulnerable=True, previous_episodes=0))
    assert risk.level is MissingLevel.HIGH
    assert risk.reasons == (
        "in a mental-health crisis",
        "a vulnerable adult",
        "missing for the first time: out of character",
    )


def test_a_risk_of_harm_to_others_is_high_risk() -> None:
    assert grade_missing(missing(risk_of_harm_to_others=True)).level is MissingLevel.HIGH


def test_a_young_child_is_high_risk() -> None:
    assert grade_missing(missing(age=7)).level is MissingLevel.HIGH


def test_grading_is_deterministic() -> None:
    case = missing(age=16, exploitation=True, risk_of_harm_to_self=True, previous_episodes=0)
    assert grade_missing(case) == grade_missing(case)


def test_an_impossible_age_is_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        grade_missing(missing(age=-1, previous_episodes=-2))
    assert [e.field for e in caught.value.field_errors] == ["age", "previous_episodes"]
