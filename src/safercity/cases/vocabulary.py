"""The case file's words, each with a label and a colour shared by API, badges and pages."""

from __future__ import annotations

from enum import StrEnum

# The crime types data.police.uk publishes (its "Crime type" column), which the public chooses
# from. Source: data.police.uk/about/#columns, as seen in the Met's street-level files.
CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
    "Other crime",
)

# Outcome categories as data.police.uk publishes them ("Last outcome category").
OUTCOME_CATEGORIES: tuple[str, ...] = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Formal action is not in the public interest",
    "Further investigation is not in the public interest",
    "Further action is not in the public interest",
    "Action to be taken by another organisation",
    "Local resolution",
    "Offender given a caution",
    "Offender given a drugs possession warning",
    "Offender given penalty notice",
    "Suspect charged as part of another case",
    "Awaiting court outcome",
    "Defendant sent to Crown Court",
    "Offender sent to prison",
    "Offender given suspended prison sentence",
    "Offender given community sentence",
    "Offender fined",
    "Offender given conditional discharge",
    "Offender given absolute discharge",
    "Offender ordered to pay compensation",
    "Offender otherwise dealt with",
    "Defendant found not guilty",
    "Court case unable to proceed",
)

# Outcomes a court records, as opposed to ones police reach without a prosecution.
COURT_OUTCOMES: tuple[str, ...] = (
    "Offender sent to prison",
    "Offender given suspended prison sentence",
    "Offender given community sentence",
    "Offender fined",
    "Offender given conditional discharge",
    "Offender given absolute discharge",
    "Offender ordered to pay compensation",
    "Offender otherwise dealt with",
    "Defendant found not guilty",
    "Court case unable to proceed",
    "Defendant sent to Crown Court",
)


class ContactChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    POST = "post"

    @property
    def label(self) -> str:
        return {"email": "Email", "sms": "Text message", "phone": "Phone call", "post": "Letter"}[
            self.value
        ]


class CaseStatus(StrEnum):
    """Where a case file stands, from the public's report to its final outcome."""

    REPORTED = "reported"
    RECORDED = "recorded"
    NOT_A_CRIME = "not_a_crime"
    UNDER_INVESTIGATION = "under_investigation"
    WITH_PROSECUTOR = "with_prosecutor"
    RETURNED_BY_PROSECUTOR = "returned_by_prosecutor"
    AWAITING_COURT = "awaiting_court"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self][0]

    @property
    def colour(self) -> str:
        return _STATUS_LABELS[self][1]

    @property
    def is_open(self) -> bool:
        return self not in (CaseStatus.NOT_A_CRIME, CaseStatus.CLOSED)


# Colours are the GOV.UK tag palette, so badges read the same across the platform.
_STATUS_LABELS: dict[CaseStatus, tuple[str, str]] = {
    CaseStatus.REPORTED: ("Reported, awaiting review", "#1d70b8"),
    CaseStatus.RECORDED: ("Recorded as a crime", "#4c2c92"),
    CaseStatus.NOT_A_CRIME: ("Not recorded as a crime", "#505a5f"),
    CaseStatus.UNDER_INVESTIGATION: ("Under investigation", "#f47738"),
    CaseStatus.WITH_PROSECUTOR: ("With the prosecutor", "#912b88"),
    CaseStatus.RETURNED_BY_PROSECUTOR: ("Returned by the prosecutor", "#d4351c"),
    CaseStatus.AWAITING_COURT: ("Going to court", "#005ea5"),
    CaseStatus.CLOSED: ("Closed", "#00703c"),
}


class SuspectStatus(StrEnum):
    """Where a suspect stands in the investigation."""

    IDENTIFIED = "identified"
    ARRESTED = "arrested"
    INTERVIEWED = "interviewed"
    BAILED = "bailed"
    RELEASED_UNDER_INVESTIGATION = "released_under_investigation"
    NO_FURTHER_ACTION = "no_further_action"
    CHARGED = "charged"

    @property
    def label(self) -> str:
        return _SUSPECT_LABELS[self][0]

    @property
    def colour(self) -> str:
        return _SUSPECT_LABELS[self][1]


_SUSPECT_LABELS: dict[SuspectStatus, tuple[str, str]] = {
    SuspectStatus.IDENTIFIED: ("Identified", "#1d70b8"),
    SuspectStatus.ARRESTED: ("Arrested", "#d4351c"),
    SuspectStatus.INTERVIEWED: ("Interviewed under caution", "#f47738"),
    SuspectStatus.BAILED: ("On police bail", "#912b88"),
    SuspectStatus.RELEASED_UNDER_INVESTIGATION: ("Released under investigation", "#4c2c92"),
    SuspectStatus.NO_FURTHER_ACTION: ("No further action", "#505a5f"),
    SuspectStatus.CHARGED: ("Charged", "#00703c"),
}


class SuspectAction(StrEnum):
    """What investigators do with a suspect (charging is its own step: it hands the file over)."""

    ARREST = "arrest"
    INTERVIEW = "interview"
    BAIL = "bail"
    RELEASE_UNDER_INVESTIGATION = "release_under_investigation"
    NO_FURTHER_ACTION = "no_further_action"

    @property
    def label(self) -> str:
        return {
            "arrest": "Arrest",
            "interview": "Interview under caution",
            "bail": "Release on bail",
            "release_under_investigation": "Release under investigation",
            "no_further_action": "No further action",
        }[self.value]


class UpdateStatus(StrEnum):
    """Whether a victim update owed under the Victims' Code has reached the victim."""

    DUE = "due"
    OVERDUE = "overdue"
    SENT_ON_TIME = "sent_on_time"
    SENT_LATE = "sent_late"

    @property
    def label(self) -> str:
        return {
            "due": "Due",
            "overdue": "Overdue",
            "sent_on_time": "Sent on time",
            "sent_late": "Sent late",
        }[self.value]

    @property
    def colour(self) -> str:
        return {
            "due": "#1d70b8",
            "overdue": "#d4351c",
            "sent_on_time": "#00703c",
            "sent_late": "#f47738",
        }[self.value]


# Offence classifications in the style of the Home Office Counting Rules, set when a report is
# recorded as a crime. A selection of the common ones; "Other" covers the rest.
OFFENCE_CLASSIFICATIONS: tuple[str, ...] = (
    "Residential burglary of a home",
    "Residential burglary of an unconnected building",
    "Burglary - business and community",
    "Theft of a pedal cycle",
    "Theft from the person",
    "Theft of or unauthorised taking of a motor vehicle",
    "Theft from a vehicle",
    "Shoplifting",
    "Other theft",
    "Robbery of personal property",
    "Robbery of business property",
    "Criminal damage to a dwelling",
    "Criminal damage to a vehicle",
    "Other criminal damage",
    "Arson",
    "Common assault",
    "Assault occasioning actual bodily harm",
    "Wounding with intent to do grievous bodily harm",
    "Harassment",
    "Stalking",
    "Malicious communications",
    "Public fear, alarm or distress",
    "Racially or religiously aggravated public fear, alarm or distress",
    "Possession of an article with a blade or point",
    "Possession of controlled drugs",
    "Fraud by false representation",
    "Other offence",
)

# Courts' results that leave the case open: it continues in another court.
CONTINUING_COURT_RESULTS: frozenset[str] = frozenset({"Defendant sent to Crown Court"})

# Outcomes the police reach without a court (the rest of OUTCOME_CATEGORIES, less the court's
# and the interim "Awaiting court outcome").
POLICE_OUTCOMES: tuple[str, ...] = tuple(
    o for o in OUTCOME_CATEGORIES if o not in COURT_OUTCOMES and o != "Awaiting court outcome"
)
