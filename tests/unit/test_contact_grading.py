"""Grading: each service's priority and the predetermined attendance it sends."""

from __future__ import annotations

import pytest

from safercity.contact.grading import grade, right_care_right_person
from safercity.contact.priority import AmbulanceCategory, FireResponse, PoliceGrade
from safercity.contact.taxonomy import KeyAnswers, Taxonomy, load_taxonomy
from safercity.dispatch.capabilities import Capability, Service


@pytest.fixture(scope="module")
def london() -> Taxonomy:
    return load_taxonomy()


def test_cardiac_arrest_needs_a_paramedic_and_defibrillator_at_once(london: Taxonomy) -> None:
    grading = grade(london.get("cardiac_arrest"), KeyAnswers(conscious=False, breathing=False))
    assert grading.priority(Service.AMBULANCE) is AmbulanceCategory.C1
    assert grading.count(Capability.PARAMEDIC) == 1
    assert grading.count(Capability.DEFIBRILLATOR) == 1
    assert grading.deadline_s(Capability.PARAMEDIC) == 7 * 60
    assert grading.deadline_s(Capability.DEFIBRILLATOR) == 7 * 60


def test_house_fire_with_people_inside_needs_two_engines_an_ambulance_and_police_cordon(
    london: Taxonomy,
) -> None:
    grading = grade(london.get("house_fire_persons_reported"), KeyAnswers(persons_reported=True))
    assert grading.priority(Service.FIRE) is FireResponse.EMERGENCY
    assert grading.count(Capability.FIREFIGHTING) == 2
    assert grading.count(Capability.PATIENT_TRANSPORT) == 1
    assert grading.count(Capability.PARAMEDIC) == 1
    police = grading.grades[Service.POLICE]
    assert police.priority is PoliceGrade.I
    assert [n.purpose for n in police.needs] == ["cordon"]


def test_first_engine_is_due_in_6_minutes_and_the_second_in_8(london: Taxonomy) -> None:
    grading = grade(london.get("house_fire_persons_reported"), KeyAnswers())
    engines = [n for n in grading.attendance if n.capability is Capability.FIREFIGHTING]
    assert sorted(n.deadline_s for n in engines) == [360, 480]


def test_mental_health_crisis_without_crime_or_risk_to_life_goes_to_health_not_police(
    london: Taxonomy,
) -> None:
    answers = KeyAnswers(crime_in_progress=False, risk_to_life=False)
    grading = grade(london.get("mental_health_crisis"), answers)
    assert grading.count(Capability.MENTAL_HEALTH_PROFESSIONAL) == 1
    assert grading.count(Capability.POLICE_OFFICER) == 0
    assert grading.priority(Service.POLICE) is PoliceGrade.R
    assert "Right Care, Right Person" in grading.grades[Service.POLICE].reason


def test_mental_health_crisis_with_risk_to_life_sends_police_immediately_as_well(
    london: Taxonomy,
) -> None:
    answers = KeyAnswers(crime_in_progress=False, risk_to_life=True)
    grading = grade(london.get("mental_health_crisis"), answers)
    assert grading.priority(Service.POLICE) is PoliceGrade.I
    assert grading.count(Capability.POLICE_OFFICER) == 2
    assert grading.count(Capability.MENTAL_HEALTH_PROFESSIONAL) == 1


def test_mental_health_crisis_with_crime_in_progress_sends_police(london: Taxonomy) -> None:
    answers = KeyAnswers(crime_in_progress=True, risk_to_life=False)
    grading = grade(london.get("mental_health_crisis"), answers)
    assert grading.count(Capability.POLICE_OFFICER) >= 1


def test_right_care_right_person_keeps_police_until_risk_is_ruled_out() -> None:
    assert right_care_right_person(crime_in_progress=False, risk_to_life=None).police_attend
    assert right_care_right_person(crime_in_progress=None, risk_to_life=False).police_attend
    decision = right_care_right_person(crime_in_progress=False, risk_to_life=False)
    assert not decision.police_attend


def test_not_breathing_raises_breathing_difficulty_to_category_1(london: Taxonomy) -> None:
    kind = london.get("breathing_difficulty")
    assert grade(kind, KeyAnswers()).priority(Service.AMBULANCE) is AmbulanceCategory.C2
    grading = grade(kind, KeyAnswers(breathing=False))
    assert grading.priority(Service.AMBULANCE) is AmbulanceCategory.C1
    assert grading.grades[Service.AMBULANCE].reason == "not breathing"


def test_fall_without_injury_is_category_4(london: Taxonomy) -> None:
    grading = grade(london.get("fall_with_injury"), KeyAnswers(injured=False))
    assert grading.priority(Service.AMBULANCE) is AmbulanceCategory.C4


def test_ambulance_goes_to_a_knife_call_only_when_someone_is_injured(london: Taxonomy) -> None:
    kind = london.get("weapon_seen_knife")
    assert Service.AMBULANCE not in grade(kind, KeyAnswers(injured=False)).grades
    injured = grade(kind, KeyAnswers(injured=True))
    assert injured.priority(Service.AMBULANCE) is AmbulanceCategory.C1


def test_firearm_seen_needs_an_armed_response(london: Taxonomy) -> None:
    grading = grade(london.get("weapon_seen_firearm"), KeyAnswers(weapons=True))
    assert grading.count(Capability.FIREARMS) == 1
    assert grading.priority(Service.POLICE) is PoliceGrade.I


def test_burglary_over_with_no_suspect_is_an_extended_appointment(london: Taxonomy) -> None:
    answers = KeyAnswers(crime_in_progress=False, suspect_on_scene=False)
    grading = grade(london.get("burglary_in_progress"), answers)
    assert grading.priority(Service.POLICE) is PoliceGrade.E


def test_small_outdoor_fire_with_no_risk_to_life_is_not_an_emergency(london: Taxonomy) -> None:
    grading = grade(london.get("rubbish_or_grass_fire"), KeyAnswers(risk_to_life=False))
    assert grading.priority(Service.FIRE) is FireResponse.NON_EMERGENCY


def test_handler_may_override_a_priority_the_type_has_an_attendance_for(
    london: Taxonomy,
) -> None:
    kind = london.get("anti_social_behaviour")
    grading = grade(kind, KeyAnswers(), overrides={Service.POLICE: PoliceGrade.S})
    assert grading.priority(Service.POLICE) is PoliceGrade.S
    assert grading.grades[Service.POLICE].reason == "set by the call handler"


def test_handler_override_to_a_priority_without_attendance_is_refused(london: Taxonomy) -> None:
    kind = london.get("cardiac_arrest")
    with pytest.raises(ValueError, match="cannot take priority C4"):
        grade(kind, KeyAnswers(), overrides={Service.AMBULANCE: AmbulanceCategory.C4})
    with pytest.raises(ValueError, match="not attended by police"):
        grade(kind, KeyAnswers(), overrides={Service.POLICE: PoliceGrade.I})


def test_the_attendance_goes_to_the_recommender_as_its_needs(london: Taxonomy) -> None:
    grading = grade(london.get("cardiac_arrest"), KeyAnswers())
    needs = grading.for_dispatch()
    assert [(n.capability, n.count, n.deadline_s) for n in needs] == [
        (Capability.PARAMEDIC, 1, 420),
        (Capability.DEFIBRILLATOR, 1, 420),
        (Capability.PATIENT_TRANSPORT, 1, 900),
    ]
