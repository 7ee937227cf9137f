"""The London demo: agencies, staff and a few dozen cases at every stage of the journey.

Cases are made through the same service functions the public and staff use, at times spread
over the last weeks (a clock set in the past), so every screen has real-looking work on it.
Loading twice changes nothing.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

from safercity.cases import service as cases
from safercity.cases.triage import RecordingDecision
from safercity.cases.victims_code import EnhancedRightsAnswers
from safercity.cases.vocabulary import SuspectAction
from safercity.platform.clock import FixedClock
from safercity.platform.errors import Conflict
from safercity.platform.http import AppContext
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role, StaffUser
from safercity.reporting import service as reporting
from safercity.reporting.model import ReportDraft


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
    ("SOUTHWARK", "London Borough of Southwark", AgencyKind.COUNCIL),
    ("SLAM", "South London and Maudsley NHS Foundation Trust", AgencyKind.NHS_TRUST),
    ("VSUPPORT", "Victim Support", AgencyKind.CHARITY),
)

STAFF = (
    ("handler", "Jo Bennett", Role.CALL_HANDLER, "MPS"),
    ("investigator", "DC Priya Shah", Role.INVESTIGATOR, "MPS"),
    ("investigator2", "DC Marcus Cole", Role.INVESTIGATOR, "MPS"),
    ("supervisor", "DS Tom Reid", Role.SUPERVISOR, "MPS"),
    ("witnesscare", "Ann Okafor", Role.WITNESS_CARE_OFFICER, "MPS"),
    ("prosecutor", "Aisha Khan", Role.PROSECUTOR, "CPS-LDN"),
    ("clerk", "Rob Ellis", Role.COURT_CLERK, "CAMB-MC"),
    ("admin", "Sys Admin", Role.ADMIN, "MPS"),
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
    """Load the demo once; return the accounts to print."""
    for code, name, kind in AGENCIES:
        identity.ensure_agency(ctx.db, code, name, kind)
    try:
        staff = {
            username: identity.add_user(
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
            for username, display, role, agency in STAFF
        }
    except Conflict:
        return _accounts()  # already loaded
    _DemoCases(ctx, staff).load()
    return _accounts()


class _DemoCases:
    """Walks demo cases through the real use cases, on a clock set in the past."""

    def __init__(self, ctx: AppContext, staff: dict[str, StaffUser]) -> None:
        self.ctx = ctx
        self.staff = staff
        self.random = random.Random(2026)
        self.places = _locations()
        self.now = ctx.clock.now()

    def load(self) -> None:
        stages: list[tuple[int, Callable[[str, FixedClock], None]]] = [
            (7, self._leave_for_triage),
            (3, self._not_a_crime),
            (2, self._not_investigated),
            (5, self._investigating),
            (4, self._suspect_in_custody),
            (3, self._no_suspect_found),
            (4, self._with_prosecutor),
            (2, self._returned_by_prosecutor),
            (3, self._awaiting_court),
            (3, self._court_result),
        ]
        index = 0
        for count, stage in stages:
            for _ in range(count):
                days_ago = 1 if stage == self._leave_for_triage else self.random.randint(8, 40)
                clock = FixedClock(
                    self.now - timedelta(days=days_ago, hours=self.random.randint(0, 20))
                )
                reference = self._report(index, clock)
                stage(reference, clock)
                index += 1

    def _step(self, clock: FixedClock, hours: float = 0.0) -> FixedClock:
        clock.advance(timedelta(hours=hours or self.random.uniform(2, 30)))
        clock.set(min(clock.now(), self.now))
        return clock

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
            phone="07700 900" + f"{index:03d}",
            address=None,
        )
        answers = EnhancedRightsAnswers(
            persistently_targeted=index % 5 == 0, under_18=index % 11 == 3
        )
        return reporting.submit(
            self.ctx.db, clock, self.ctx.settings.signing_key, draft, answers
        ).reference

    def _leave_for_triage(self, reference: str, clock: FixedClock) -> None:
        return None

    def _record(self, reference: str, clock: FixedClock, decision: RecordingDecision) -> None:
        reasons = {
            RecordingDecision.CRIME: "The account meets the NCRS test: a crime on the balance "
            "of probabilities, with lines of enquiry.",
            RecordingDecision.CRIME_NOT_INVESTIGATED: "Recorded as a crime; no CCTV, witnesses "
            "or forensic opportunities to follow.",
            RecordingDecision.NOT_A_CRIME: "The property was found to have been lost, not stolen.",
        }
        cases.record_decision(
            self.ctx.db,
            self._step(clock, 3),
            self.staff["handler"],
            reference,
            decision=decision,
            reason=reasons[decision],
        )

    def _not_a_crime(self, reference: str, clock: FixedClock) -> None:
        self._record(reference, clock, RecordingDecision.NOT_A_CRIME)

    def _not_investigated(self, reference: str, clock: FixedClock) -> None:
        self._record(reference, clock, RecordingDecision.CRIME_NOT_INVESTIGATED)

    def _investigating(self, reference: str, clock: FixedClock) -> None:
        self._record(reference, clock, RecordingDecision.CRIME)
        officer = self.random.choice(["investigator", "investigator2"])
        cases.allocate(self.ctx.db, self._step(clock), self.staff["supervisor"], reference, officer)
        cases.add_log_entry(
            self.ctx.db,
            self._step(clock),
            self.staff[officer],
            reference,
            "House-to-house enquiries done; requested CCTV from the council.",
        )

    def _suspect_in_custody(self, reference: str, clock: FixedClock) -> None:
        self._investigating(reference, clock)
        officer = self.staff["investigator"]
        cases.allocate(
            self.ctx.db, self._step(clock, 1), self.staff["supervisor"], reference, "investigator"
        )
        suspect = cases.add_suspect(
            self.ctx.db,
            self._step(clock),
            officer,
            reference,
            self.random.choice(SUSPECTS),
            date(1994, 5, 17),
        )
        cases.act_on_suspect(
            self.ctx.db, self._step(clock), officer, reference, suspect, SuspectAction.ARREST
        )
        cases.act_on_suspect(
            self.ctx.db, self._step(clock, 4), officer, reference, suspect, SuspectAction.INTERVIEW
        )
        if self.random.random() < 0.5:
            cases.act_on_suspect(
                self.ctx.db,
                self._step(clock, 2),
                officer,
                reference,
                suspect,
                SuspectAction.BAIL,
                bail_return=(self.now + timedelta(days=21)).date(),
            )
        else:
            cases.act_on_suspect(
                self.ctx.db,
                self._step(clock, 2),
                officer,
                reference,
                suspect,
                SuspectAction.RELEASE_UNDER_INVESTIGATION,
            )

    def _no_suspect_found(self, reference: str, clock: FixedClock) -> None:
        self._investigating(reference, clock)
        cases.allocate(
            self.ctx.db, self._step(clock, 1), self.staff["supervisor"], reference, "investigator"
        )
        cases.close_with_police_outcome(
            self.ctx.db,
            self._step(clock, 48),
            self.staff["investigator"],
            reference,
            "Investigation complete; no suspect identified",
            "CCTV did not show the offender's face and there were no forensic matches.",
        )

    def _charged(self, reference: str, clock: FixedClock) -> None:
        self._record(reference, clock, RecordingDecision.CRIME)
        officer = self.staff["investigator"]
        cases.allocate(
            self.ctx.db, self._step(clock), self.staff["supervisor"], reference, "investigator"
        )
        suspect = cases.add_suspect(
            self.ctx.db, self._step(clock), officer, reference, self.random.choice(SUSPECTS), None
        )
        cases.act_on_suspect(
            self.ctx.db, self._step(clock), officer, reference, suspect, SuspectAction.ARREST
        )
        cases.act_on_suspect(
            self.ctx.db, self._step(clock, 3), officer, reference, suspect, SuspectAction.INTERVIEW
        )
        cases.charge(
            self.ctx.db,
            self._step(clock, 5),
            officer,
            reference,
            suspect,
            "Burglary of a dwelling, contrary to s.9(1)(b) Theft Act 1968",
        )

    def _with_prosecutor(self, reference: str, clock: FixedClock) -> None:
        self._charged(reference, clock)

    def _returned_by_prosecutor(self, reference: str, clock: FixedClock) -> None:
        self._charged(reference, clock)
        cases.return_case(
            self.ctx.db,
            self._step(clock),
            self.staff["prosecutor"],
            reference,
            "Please add the CCTV continuity statement and the victim's "
            "personal statement before I can review the file.",
        )

    def _awaiting_court(self, reference: str, clock: FixedClock) -> int:
        self._charged(reference, clock)
        cases.accept_case(
            self.ctx.db,
            self._step(clock),
            self.staff["prosecutor"],
            reference,
            "Full Code test met; proceed.",
        )
        starts = (self.now + timedelta(days=self.random.randint(3, 30))).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        return cases.list_hearing(
            self.ctx.db,
            self._step(clock),
            self.staff["clerk"],
            reference,
            starts_at=starts,
            place="Courtroom 2",
        )

    def _court_result(self, reference: str, clock: FixedClock) -> None:
        self._charged(reference, clock)
        cases.accept_case(
            self.ctx.db,
            self._step(clock),
            self.staff["prosecutor"],
            reference,
            "Full Code test met; proceed.",
        )
        hearing_at = self._step(clock, 72).now() + timedelta(hours=1)
        hearing = cases.list_hearing(
            self.ctx.db,
            clock,
            self.staff["clerk"],
            reference,
            starts_at=hearing_at,
            place="Courtroom 1",
        )
        clock.set(min(hearing_at + timedelta(hours=3), self.now))
        cases.record_court_result(
            self.ctx.db,
            clock,
            self.staff["clerk"],
            reference,
            hearing,
            self.random.choice(
                ["Offender given community sentence", "Offender fined", "Offender sent to prison"]
            ),
        )


__all__ = ["DemoAccount", "load_demo"]
