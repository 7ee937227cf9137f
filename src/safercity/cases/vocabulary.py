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
        return {"email": "Email", "sms": "Text message", "phone": "Phone call",
                "post": "Letter"}[self.value]
