"""Rules for what the public may submit, and for the codes that let them follow it. Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from safercity.cases.vocabulary import CRIME_TYPES, ContactChannel
from safercity.platform.errors import FieldError

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{6,19}$")
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")
# Crimes reported online may be old, but not older than this: older ones need a conversation.
OLDEST_REPORTABLE = timedelta(days=366 * 5)
TRACKING_CODE_LENGTH = 10
# The longest answer each field takes, so one submission cannot fill the disk (the API's schema
# holds the same bounds; the web form is checked here).
MAX_LENGTHS: dict[str, int] = {
    "description": 5000,
    "location.text": 500,
    "victim.name": 200,
    "victim.email": 200,
    "victim.phone": 40,
    "victim.address": 500,
}


@dataclass(frozen=True)
class ReportDraft:
    """A submission as typed, before validation. ``occurred_from`` is None when left blank."""

    crime_type: str
    description: str
    occurred_from: datetime | None
    occurred_to: datetime | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    victim_name: str
    preferred_channel: str
    email: str | None
    phone: str | None
    address: str | None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _control_characters(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\n\r\t" for c in text)


def problems(draft: ReportDraft, now: datetime, pin_in_city: bool | None) -> list[FieldError]:
    """Everything wrong with a draft, each next to its field; empty when it can be accepted.

    ``pin_in_city`` is whether a given pin fell inside the city (None when no pin was given).
    """
    errors: list[FieldError] = []
    if draft.crime_type not in CRIME_TYPES:
        errors.append(FieldError("crime_type", "Choose what happened from the list."))
    if len(draft.description.strip()) < 10:
        errors.append(FieldError("description", "Tell us what happened in at least 10 characters."))
    texts = {
        "description": draft.description,
        "location.text": draft.location_text or "",
        "victim.name": draft.victim_name,
        "victim.address": draft.address or "",
    }
    errors += [
        FieldError(name, "Remove control characters from this text.")
        for name, text in texts.items()
        if _control_characters(text)
    ]
    errors += _length_problems(draft)
    errors += _when_problems(draft, now)
    if _blank(draft.location_text) and draft.latitude is None:
        errors.append(
            FieldError("location.text", "Give an address or postcode, or drop a pin on the map.")
        )
    if (draft.latitude is None) != (draft.longitude is None):
        errors.append(FieldError("location.latitude", "Give both latitude and longitude."))
    elif pin_in_city is False:
        errors.append(
            FieldError(
                "location.latitude",
                "The pin is outside the city. Move it to where it "
                "happened, or report to the local police force.",
            )
        )
    if _blank(draft.victim_name):
        errors.append(FieldError("victim.name", "Give the victim's name."))
    errors += _contact_problems(draft)
    return errors


def _length_problems(draft: ReportDraft) -> list[FieldError]:
    texts = {
        "description": draft.description,
        "location.text": draft.location_text,
        "victim.name": draft.victim_name,
        "victim.email": draft.email,
        "victim.phone": draft.phone,
        "victim.address": draft.address,
    }
    return [
        FieldError(name, f"Shorten this to {MAX_LENGTHS[name]} characters or fewer.")
        for name, text in texts.items()
        if text is not None and len(text) > MAX_LENGTHS[name]
    ]


def _when_problems(draft: ReportDraft, now: datetime) -> list[FieldError]:
    errors = []
    if draft.occurred_from is None:
        return [
            FieldError(
                "occurred_from", "Give the date and time it happened (your best guess is fine)."
            )
        ]
    if draft.occurred_from.tzinfo is None:
        return [FieldError("occurred_from", "Give the time with a time zone, e.g. 18:30Z.")]
    if draft.occurred_from > now + timedelta(minutes=5):
        errors.append(FieldError("occurred_from", "This is in the future. When did it happen?"))
    elif draft.occurred_from < now - OLDEST_REPORTABLE:
        errors.append(
            FieldError(
                "occurred_from", "This is over five years ago: please call 101 to report it."
            )
        )
    if draft.occurred_to is not None:
        if draft.occurred_to.tzinfo is None:
            errors.append(FieldError("occurred_to", "Give the time with a time zone."))
        elif draft.occurred_to < draft.occurred_from:
            errors.append(FieldError("occurred_to", "The end is before the start."))
        elif draft.occurred_to > now + timedelta(minutes=5):
            errors.append(FieldError("occurred_to", "This is in the future."))
    return errors


def _contact_problems(draft: ReportDraft) -> list[FieldError]:
    errors = []
    try:
        channel = ContactChannel(draft.preferred_channel)
    except ValueError:
        return [
            FieldError("victim.preferred_channel", "Choose email, text message, phone or letter.")
        ]
    if draft.email and not EMAIL_PATTERN.match(draft.email.strip()):
        errors.append(FieldError("victim.email", "Enter an email address like name@example.com."))
    if draft.phone and not PHONE_PATTERN.match(draft.phone.strip()):
        errors.append(FieldError("victim.phone", "Enter a phone number like 07700 900123."))
    needed = {
        ContactChannel.EMAIL: ("victim.email", draft.email, "an email address"),
        ContactChannel.SMS: ("victim.phone", draft.phone, "a mobile number"),
        ContactChannel.PHONE: ("victim.phone", draft.phone, "a phone number"),
        ContactChannel.POST: ("victim.address", draft.address, "a postal address"),
    }
    field, value, what = needed[channel]
    if _blank(value):
        how = channel.label.lower()
        errors.append(FieldError(field, f"To hear from us by {how}, give {what}."))
    return errors


def tracking_code(secret: str, reference: str) -> str:
    """The victim's private code for a reference: an HMAC, so it is never stored anywhere.

    Ten Crockford-style base32 characters (50 bits) shown as XXXXX-XXXXX; guessing is further
    held back by rate limiting.
    """
    digest = hmac.new(secret.encode(), b"tracking:" + reference.encode(), hashlib.sha256)
    code = base64.b32encode(digest.digest()).decode()[:TRACKING_CODE_LENGTH]
    return f"{code[:5]}-{code[5:]}"


def tracking_code_matches(secret: str, reference: str, given: str) -> bool:
    normalised = given.strip().upper().replace(" ", "")
    return hmac.compare_digest(tracking_code(secret, reference).encode(), normalised.encode())


def fingerprint(canonical_body: str) -> str:
    return hashlib.sha256(canonical_body.encode()).hexdigest()
