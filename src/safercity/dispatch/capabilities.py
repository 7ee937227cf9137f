"""What a unit can do at a scene: the words incident types and fleets share.

A predetermined attendance asks for capabilities, never for vehicle types, so one unit that
carries two needed capabilities (a paramedic with a defibrillator) can answer both.
"""

from __future__ import annotations

from enum import StrEnum


class Service(StrEnum):
    POLICE = "police"
    AMBULANCE = "ambulance"
    FIRE = "fire"
    HEALTH = "health"  # NHS mental-health response


class Capability(StrEnum):
    PARAMEDIC = "paramedic"
    DEFIBRILLATOR = "defibrillator"
    FIRST_AID = "first_aid"
    PATIENT_TRANSPORT = "patient_transport"
    FIREFIGHTING = "firefighting"
    AERIAL = "aerial"
    RESCUE = "rescue"
    WATER_RESCUE = "water_rescue"
    HAZMAT = "hazmat"
    POLICE_OFFICER = "police_officer"
    FIREARMS = "firearms"
    MENTAL_HEALTH_PROFESSIONAL = "mental_health_professional"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()
