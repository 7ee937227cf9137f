"""The Code of Practice for Victims of Crime in England and Wales (the Victims' Code, 2020).

Enhanced Rights (Code, "Enhanced Rights" and Right 1 annex) go to victims of the most serious
crime, persistently targeted victims, and vulnerable or intimidated victims. With them, the
deadlines to tell the victim about key decisions shrink from 5 working days to 1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EnhancedRightsAnswers:
    """The questions the report form asks to decide Enhanced Rights."""

    under_18: bool = False
    disability_or_mental_health: bool = False
    fear_or_distress_about_giving_evidence: bool = False
    persistently_targeted: bool = False
    domestic_abuse: bool = False
    hate_crime: bool = False
    sexual_offence: bool = False
    bereaved_by_crime: bool = False


_REASONS: dict[str, str] = {
    "under_18": "Under 18 at the time of the offence (vulnerable victim)",
    "disability_or_mental_health": (
        "Has a mental disorder, a significant impairment of intelligence and social "
        "functioning, or a physical disability (vulnerable victim)"
    ),
    "fear_or_distress_about_giving_evidence": (
        "Fear or distress about giving evidence (intimidated victim)"
    ),
    "persistently_targeted": "Persistently targeted victim",
    "domestic_abuse": "Victim of domestic abuse (victim of the most serious crime)",
    "hate_crime": "Victim of hate crime (victim of the most serious crime)",
    "sexual_offence": "Victim of a sexual offence (victim of the most serious crime)",
    "bereaved_by_crime": "Close relative bereaved by criminal conduct",
}

QUESTIONS: dict[str, str] = {
    "under_18": "Was the victim under 18 when this happened?",
    "disability_or_mental_health": (
        "Does the victim have a disability, a mental health condition or a learning disability?"
    ),
    "fear_or_distress_about_giving_evidence": (
        "Is the victim frightened or distressed about giving evidence?"
    ),
    "persistently_targeted": "Has the victim been targeted repeatedly over a period of time?",
    "domestic_abuse": "Was this done by a partner, ex-partner or family member?",
    "hate_crime": (
        "Do you think it happened because of race, religion, sexuality, disability or "
        "gender identity?"
    ),
    "sexual_offence": "Was this a sexual offence?",
    "bereaved_by_crime": "Has someone close to you died as a result of a crime?",
}


def enhanced_rights_reasons(answers: EnhancedRightsAnswers) -> tuple[str, ...]:
    """Every reason the answers give for Enhanced Rights; empty means standard rights."""
    return tuple(reason for key, reason in _REASONS.items() if getattr(answers, key))
