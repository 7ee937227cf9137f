"""The London demo: agencies, staff and a few dozen cases at every stage of the journey.

Cases are made through the same service functions the public and staff use, at times spread
over the last weeks (a clock set in the past), so every screen has real-looking work on it.
Loading twice changes nothing.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources

from safercity.cases.demo import DemoCast, DemoStage, walk_to
from safercity.cases.victims_code import EnhancedRightsAnswers
from safercity.dispatch import service as dispatch
from safercity.dispatch.fleet import home_base_positions, london_fleet
from safercity.platform.clock import FixedClock
from safercity.platform.errors import Conflict
from safercity.platform.http import AppContext
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role, StaffUser
from safercity.reporting import service as reporting
from safercity.reporting.model import ReportDraft
from safercity.safeguarding import service as safeguarding
from safercity.safeguarding.agreements import PartnerKind, Purpose
from safercity.safeguarding.model import RecordKind
from safercity.web.demo_incidents import load_demo_incidents


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    agency: str


AGENCIES = (
    ("MPS", "Metropolitan Police Service", AgencyKind.POLICE),
    ("CPS-LDN", "Crown Prosecution Service London", AgencyKind.PROSECUTOR),
    ("CAMB-MC", "Camberwell Green Magistrates' Court", AgencyKind.COURT),
    ("ILCC", "Inner London Crown Court", AgencyKind.COURT),
    ("LAS", "London Ambulance Service NHS Trust", AgencyKind.AMBULANCE),
    ("LFB", "London Fire Brigade", AgencyKind.FIRE),
    ("SOUTHWARK", "London Borough of Southwark Children's Services", AgencyKind.COUNCIL),
    ("SOUTHWARK-ASC", "London Borough of Southwark Adult Social Care", AgencyKind.COUNCIL),
    ("SLAM", "South London and Maudsley NHS Foundation Trust", AgencyKind.NHS_TRUST),
    ("VSUPPORT", "Victim Support", AgencyKind.CHARITY),
    ("PROB-LDN", "Probation Service London", AgencyKind.PROBATION),
    ("SCH-PECKHAM", "Peckham Demo Academy", AgencyKind.SCHOOL),
    ("SOLACE", "Solace Women's Aid", AgencyKind.CHARITY),
)

# The safeguarding hub's partners and their kind in London's sharing agreements.
HUB_PARTNERS = (
    ("MPS", PartnerKind.POLICE),
    ("SOUTHWARK", PartnerKind.CHILDREN_SOCIAL_CARE),
    ("SOUTHWARK-ASC", PartnerKind.ADULT_SOCIAL_CARE),
    ("SLAM", PartnerKind.MENTAL_HEALTH_TRUST),
    ("LAS", PartnerKind.AMBULANCE),
    ("PROB-LDN", PartnerKind.PROBATION),
    ("SCH-PECKHAM", PartnerKind.SCHOOL),
    ("SOLACE", PartnerKind.DOMESTIC_ABUSE_CHARITY),
)

STAFF = (
    ("handler", "Jo Bennett", Role.CALL_HANDLER, "MPS"),
    ("dispatcher", "Lee Park", Role.DISPATCHER, "LAS"),
    ("investigator", "DC Priya Shah", Role.INVESTIGATOR, "MPS"),
    ("investigator2", "DC Marcus Cole", Role.INVESTIGATOR, "MPS"),
    ("supervisor", "DS Tom Reid", Role.SUPERVISOR, "MPS"),
    ("witnesscare", "Ann Okafor", Role.WITNESS_CARE_OFFICER, "MPS"),
    ("prosecutor", "Aisha Khan", Role.PROSECUTOR, "CPS-LDN"),
    ("clerk", "Rob Ellis", Role.COURT_CLERK, "CAMB-MC"),
    ("admin", "Sys Admin", Role.ADMIN, "MPS"),
    ("socialworker", "Nadia Bello", Role.SOCIAL_WORKER, "SOUTHWARK"),
    ("ascworker", "Owen Price", Role.SAFEGUARDING_LEAD, "SOUTHWARK-ASC"),
    ("mhpractitioner", "Dr Ife Ojo", Role.MENTAL_HEALTH_PRACTITIONER, "SLAM"),
    ("paramedic", "Sian Evans", Role.PARAMEDIC, "LAS"),
    ("probation", "Gary Simms", Role.PROBATION_OFFICER, "PROB-LDN"),
    ("schoollead", "Dev Patel", Role.DESIGNATED_SAFEGUARDING_LEAD, "SCH-PECKHAM"),
    ("teacher", "Lucy Hall", Role.TEACHER, "SCH-PECKHAM"),
    ("idvaworker", "Ruth Adams", Role.IDVA, "SOLACE"),
    ("dataprotection", "Helen Marsh", Role.DATA_PROTECTION_OFFICER, "MPS"),
)

NAMES = (
    "Sam Taylor",
    "Alex Morgan",
    "Chris Patel",
    "Jordan Lee",
    "Maya Singh",
    "Olu Adeyemi",
    "Grace Walker",
    "Tomasz Nowak",
    "Fatima Hussain",
    "Ben Clarke",
    "Ella Rossi",
    "Kwame Mensah",
    "Hannah Green",
    "Luis Garcia",
    "Zara Ahmed",
    "Daniel Wright",
)
SUSPECTS = (
    "Kyle Harris",
    "Dean Mills",
    "Ryan Foster",
    "Lee Barnes",
    "Shane Doyle",
    "Craig Watts",
    "Jake Porter",
    "Wayne Lloyd",
)
STORIES = {
    "Burglary": "Came home to find the back door forced. A laptop, jewellery and cash are gone.",
    "Bicycle theft": "My bike was locked outside the station; the lock was cut when I came back.",
    "Vehicle crime": "The car window was smashed overnight and the satnav and a bag taken.",
    "Criminal damage and arson": "Someone sprayed paint across the front door and broke a window.",
    "Theft from the person": "My phone was snatched from my hand by a man on a moped.",
    "Shoplifting": "A man filled a bag with razors and walked out past the tills without paying.",
    "Violence and sexual offences": "I was punched in the face outside a pub after an argument.",
    "Robbery": "Two men threatened me with a knife and took my phone and wallet.",
    "Public order": "A neighbour has been shouting threats and abuse at my family in the street.",
    "Other theft": "A parcel was taken from my doorstep; the doorbell camera shows a man.",
}


def _password(username: str) -> str:
    return f"{username}-demo"


def _locations() -> list[dict[str, str]]:
    text = resources.files("safercity.city").joinpath("data", "demo_locations.csv").read_text()
    return list(csv.DictReader(text.splitlines()))


def _accounts() -> list[DemoAccount]:
    codes = {code: name for code, name, _ in AGENCIES}
    return [DemoAccount(u, _password(u), role.value, codes[agency]) for u, _, role, agency in STAFF]


def load_demo(ctx: AppContext) -> list[DemoAccount]:
    """Load the demo; what is already there is kept. Return the accounts to print."""
    for code, name, kind in AGENCIES:
        identity.ensure_agency(ctx.db, code, name, kind)
    for code, partner_kind in HUB_PARTNERS:
        safeguarding.register_partner(ctx.db, code, partner_kind)
    fleet = london_fleet()
    dispatch.load_fleet(ctx.db, ctx.clock, fleet, home_base_positions(fleet))
    staff: dict[str, StaffUser] = {}
    for username, display, role, agency in STAFF:
        try:
            staff[username] = identity.add_user(
                ctx.db,
                ctx.clock,
                username=username,
                password=_password(username),
                role=role,
                agency_code=agency,
                display_name=display,
                email=f"{username}@demo.safercity.invalid",
                phone="020 7946 0123",
            )
        except Conflict:
            continue  # loaded before
    if len(staff) == len(STAFF):
        _DemoCases(ctx, staff).load()
        load_demo_incidents(ctx, staff["handler"])
    if {"investigator", "socialworker", "mhpractitioner"} <= set(staff):
        _load_safeguarding(ctx, staff)
    return _accounts()


# How many demo cases to leave at each stage of the journey.
STAGES: tuple[tuple[DemoStage, int], ...] = (
    (DemoStage.REPORTED, 7),
    (DemoStage.NOT_A_CRIME, 3),
    (DemoStage.NOT_INVESTIGATED, 2),
    (DemoStage.UNDER_INVESTIGATION, 5),
    (DemoStage.SUSPECT_BAILED, 4),
    (DemoStage.CLOSED_BY_POLICE, 3),
    (DemoStage.WITH_PROSECUTOR, 4),
    (DemoStage.RETURNED_BY_PROSECUTOR, 2),
    (DemoStage.AWAITING_COURT, 3),
    (DemoStage.CLOSED_BY_COURT, 3),
)
COURT_RESULTS = ("Offender given community sentence", "Offender fined", "Offender sent to prison")


class _DemoCases:
    """Reports demo crimes as the public would, then walks each case to its stage through the
    real use cases, on a clock set back in time so each case has a believable history."""

    def __init__(self, ctx: AppContext, staff: dict[str, StaffUser]) -> None:
        self.ctx = ctx
        self.random = random.Random(2026)
        self.places = _locations()
        self.now = ctx.clock.now()
        self.cast = DemoCast(
            triage=staff["handler"],
            investigator=staff["investigator"],
            supervisor=staff["supervisor"],
            prosecutor=staff["prosecutor"],
            clerk=staff["clerk"],
        )

    def load(self) -> None:
        index = 0
        for stage, count in STAGES:
            for _ in range(count):
                # New reports from the last day and a half (some past the 24-hour recording
                # deadline); the rest began one to six weeks ago.
                age = (
                    timedelta(hours=self.random.randint(2, 36))
                    if stage is DemoStage.REPORTED
                    else timedelta(
                        days=self.random.randint(8, 40), hours=self.random.randint(0, 20)
                    )
                )
                clock = FixedClock(self.now - age)
                reference = self._report(index, clock)

                def between_steps(clock: FixedClock = clock) -> None:
                    clock.advance(timedelta(hours=self.random.uniform(2, 30)))
                    clock.set(min(clock.now(), self.now))

                walk_to(
                    self.ctx.db,
                    clock,
                    self.cast,
                    reference,
                    stage,
                    suspect_name=SUSPECTS[index % len(SUSPECTS)],
                    court_result=COURT_RESULTS[index % len(COURT_RESULTS)],
                    between_steps=between_steps,
                )
                index += 1

    def _report(self, index: int, clock: FixedClock) -> str:
        crime_type = list(STORIES)[index % len(STORIES)]
        place = self.places[index % len(self.places)]
        name = NAMES[index % len(NAMES)]
        channel = ("email", "sms", "phone", "email")[index % 4]
        happened = clock.now() - timedelta(hours=self.random.randint(1, 30))
        draft = ReportDraft(
            crime_type=crime_type,
            description=STORIES[crime_type],
            occurred_from=happened,
            occurred_to=None,
            location_text=place["location"].replace("On or near ", ""),
            latitude=float(place["latitude"]),
            longitude=float(place["longitude"]),
            victim_name=name,
            preferred_channel=channel,
            email=f"{name.split()[0].lower()}@example.com",
            phone=f"07700 900{index:03d}",
            address=None,
        )
        answers = EnhancedRightsAnswers(
            persistently_targeted=index % 5 == 0, under_18=index % 11 == 3
        )
        return reporting.submit(
            self.ctx.db, clock, self.ctx.settings.signing_key, draft, answers
        ).reference


def _load_safeguarding(ctx: AppContext, staff: dict[str, StaffUser]) -> None:
    """Three people on the hub, each recorded by the agency that knows them first."""
    policy = safeguarding.hub_policy(ctx.settings.sharing_agreements)
    db, clock = ctx.db, ctx.clock
    child = Purpose.SAFEGUARDING_CHILD
    police, social, health = staff["investigator"], staff["socialworker"], staff["mhpractitioner"]
    jay = safeguarding.create_person(
        db, clock, policy, social,
        {"given_name": "Jay", "family_name": "Okoro", "date_of_birth": "2013-02-11",
         "address": "14 Demo Court, SE15", "postcode": "SE15 4AA"},
        child,
    )  # fmt: skip
    for kind, values in (
        (RecordKind.FLAG, {"flag": "child_protection_plan", "details": "Neglect, since May"}),
        (RecordKind.EVENT, {"occurred_on": "2026-10-02", "summary": "Strategy meeting held"}),
        (RecordKind.CONTACT, {"name": "Ama Okoro", "relationship": "mother"}),
    ):
        safeguarding.add_record(db, clock, policy, social, jay, kind, values, child)
    missing = Purpose.MISSING_PERSON
    safeguarding.add_record(
        db, clock, policy, police, jay, RecordKind.EVENT,
        {"occurred_on": "2026-11-08", "summary": "Reported missing overnight, found next day"},
        missing,
    )  # fmt: skip
    crisis = Purpose.MENTAL_HEALTH_CRISIS
    sam = safeguarding.create_person(
        db, clock, policy, health,
        {"given_name": "Sam", "family_name": "Reid", "date_of_birth": "1984-07-30",
         "address": "3 Example Mews, SE5"},
        crisis,
    )  # fmt: skip
    safeguarding.add_record(
        db, clock, policy, health, sam, RecordKind.HEALTH_NOTE,
        {"summary": "Known to the home treatment team", "diagnosis": "Bipolar affective disorder",
         "crisis_plan_summary": "Calm approach; call the crisis line 0800 000 0000 first"},
        crisis,
    )  # fmt: skip
    safeguarding.add_record(
        db, clock, policy, health, sam, RecordKind.FLAG, {"flag": "mental_health_crisis_plan"},
        crisis,
    )  # fmt: skip


__all__ = ["DemoAccount", "load_demo"]
