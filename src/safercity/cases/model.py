"""The case file's domain types. Pure: no database, no web, no clock reads.

``NewCrimeReport`` and ``VictimView`` are the contract with the reporting capability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from safercity.cases.vocabulary import ContactChannel


@dataclass(frozen=True)
class VictimDetails:
    name: str
    preferred_channel: ContactChannel
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    # Why the victim has Enhanced Rights under the Victims' Code; empty when they do not.
    enhanced_rights_reasons: tuple[str, ...] = ()

    @property
    def has_enhanced_rights(self) -> bool:
        return bool(self.enhanced_rights_reasons)

    @property
    def contact_address(self) -> str:
        """Where updates go on the preferred channel."""
        if self.preferred_channel is ContactChannel.EMAIL and self.email:
            return self.email
        if self.preferred_channel in (ContactChannel.SMS, ContactChannel.PHONE) and self.phone:
            return self.phone
        return self.address or self.email or self.phone or ""


@dataclass(frozen=True)
class NewCrimeReport:
    """What the public told us, validated, ready to open a case file from."""

    crime_type: str
    description: str
    occurred_from: datetime
    occurred_to: datetime | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    borough: str | None
    victim: VictimDetails
    reporter_is_victim: bool = True


@dataclass(frozen=True)
class TimelineEntry:
    """One line of what the victim may see: never evidence, suspects' names or staff notes."""

    at: datetime
    title: str
    detail: str = ""


@dataclass(frozen=True)
class VictimView:
    reference: str
    crime_type: str
    status: str
    status_label: str
    reported_at: datetime
    officer_name: str | None
    officer_contact: str | None
    next_steps: str
    outcome: str | None
    has_enhanced_rights: bool
    timeline: list[TimelineEntry] = field(default_factory=list)
