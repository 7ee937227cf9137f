"""Near-repeat warnings: who registered to hear of crime near them, who is in range of a new
crime, for how long, and what to tell them.

A *near repeat* is a crime close in space and time to an earlier one: after a burglary the homes
around it run a raised risk for weeks (the Knox test measures it; the literature finds 200–400 m
for two weeks to two months). A household, a neighbourhood-watch group or a partner agency
registers an area (a point and a radius) and a channel; when a crime of a type they follow is
recorded within the near-repeat range of their area, they are told once, with advice, and not
again while that warning is in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from safercity.platform.errors import FieldError, InvalidInput
from safercity.prevention.model import distance_m

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UK_MOBILE = re.compile(r"^(?:\+44\s?7|07)\d{3}\s?\d{6}$")
MIN_RADIUS_M = 50
MAX_RADIUS_M = 2000


class SubscriberKind(StrEnum):
    HOUSEHOLD = "household"
    WATCH_GROUP = "watch_group"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return {
            "household": "A household",
            "watch_group": "A neighbourhood-watch group",
            "partner": "A partner organisation",
        }[self.value]


class WarningChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"

    @property
    def label(self) -> str:
        return {"email": "Email", "sms": "Text message"}[self.value]


@dataclass(frozen=True)
class NearRepeatRule:
    """How far and how long a crime raises its neighbours' risk. 400 m and 28 days sit inside
    the published range (200–400 m, two weeks to two months) and cover the bands where the
    Knox test finds the raised risk in Chicago 2016 burglary (docs/prevention.md)."""

    range_m: float = 400.0
    days: int = 28

    def lasts_until(self, recorded_at: datetime) -> datetime:
        return recorded_at + timedelta(days=self.days)


@dataclass(frozen=True)
class Subscription:
    id: int
    kind: SubscriberKind
    name: str
    channel: WarningChannel
    contact: str
    lat: float
    lon: float
    radius_m: float
    crime_types: tuple[str, ...]
    warned_until: datetime | None = None


def in_range(subscription: Subscription, lat: float, lon: float, rule: NearRepeatRule) -> bool:
    """The subscriber's area (their point and radius) meets the crime's risk circle."""
    reach = subscription.radius_m + rule.range_m
    return distance_m(subscription.lat, subscription.lon, lat, lon) <= reach


def needs_warning(subscription: Subscription, crime_type: str, now: datetime) -> bool:
    """Once, not repeatedly: a subscriber already warned and still inside that warning's risk
    period is not messaged again for another crime nearby."""
    follows = crime_type in subscription.crime_types
    return follows and (subscription.warned_until is None or subscription.warned_until <= now)


# Advice after a nearby crime, from the Metropolitan Police's and Neighbourhood Watch's
# published crime-prevention guidance, shortened.
_ADVICE = {
    "Burglary": (
        "Lock doors and windows every time you go out, even for a few minutes, and keep keys "
        "out of sight and reach of the letterbox. Put lights on timers when you are away. "
        "Mark valuables with your postcode and photograph them. Check side gates and sheds "
        "are locked. Tell your neighbours, and report anyone acting suspiciously by calling "
        "101, or 999 if a crime is happening now."
    ),
    "Vehicle crime": (
        "Lock your vehicle and close its windows; take valuables and sat-nav mounts out of "
        "sight. Park in busy, well-lit places. Report anyone tampering with vehicles: 101, "
        "or 999 if it is happening now."
    ),
    "Bicycle theft": (
        "Lock your bike to something fixed with two good locks, through the frame and a wheel, "
        "and register it on BikeRegister. Keep it indoors at night if you can."
    ),
}
_GENERAL = (
    "Take extra care over the coming weeks: keep doors and windows locked, look out for your "
    "neighbours, and report anything suspicious by calling 101, or 999 in an emergency."
)


def advice(crime_type: str) -> str:
    return _ADVICE.get(crime_type, _GENERAL)


def check_contact(channel: WarningChannel, contact: str) -> str:
    """An email address or a UK mobile number, as the channel needs; InvalidInput otherwise."""
    value = contact.strip()
    if channel is WarningChannel.EMAIL and not EMAIL.match(value):
        raise InvalidInput(
            "Check the email address.",
            [FieldError("contact", "Enter an email address like name@example.com.")],
        )
    if channel is WarningChannel.SMS and not UK_MOBILE.match(value):
        raise InvalidInput(
            "Check the mobile number.",
            [FieldError("contact", "Enter a UK mobile number like 07700 900123.")],
        )
    return value


def check_radius(radius_m: float) -> float:
    if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        raise InvalidInput(
            "Check the area's radius.",
            [
                FieldError(
                    "radius_m",
                    f"Choose a radius from {MIN_RADIUS_M} to {MAX_RADIUS_M} metres.",
                )
            ],
        )
    return float(radius_m)


def message(crime_type: str, location: str, until: datetime) -> tuple[str, str]:
    """The warning's subject and body. It names the street-level map point only: never the
    victim, never the address."""
    subject = f"{crime_type} reported near you: prevention advice"
    place = location.removeprefix("On or near").strip() or "your area"
    body = (
        f"A {crime_type.lower()} was recorded near {place}. Homes nearby are at a raised risk "
        f"until {until:%d %B %Y}.\n\n{advice(crime_type)}\n\nYou registered for these warnings "
        "with SaferCity; the link to stop them is in your registration confirmation."
    )
    return subject, body
