"""The public's use cases: submit a report, follow it, add to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from safercity.cases import service as cases
from safercity.cases.model import NewCrimeReport, VictimDetails, VictimView
from safercity.cases.victims_code import EnhancedRightsAnswers, enhanced_rights_reasons
from safercity.cases.vocabulary import ContactChannel
from safercity.city.boroughs import Borough, city_boroughs
from safercity.platform import ratelimit
from safercity.platform.clock import Clock
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.errors import Conflict, FieldError, InvalidInput, NotFound
from safercity.reporting import store
from safercity.reporting.model import (
    IDEMPOTENCY_KEY_PATTERN,
    ReportDraft,
    problems,
    tracking_code,
    tracking_code_matches,
)

IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)
MAX_MESSAGE_LENGTH = 5000
_NOT_FOUND = (
    "No report matches this reference and tracking code. Check both against the "
    "confirmation you were given; the code looks like ABCDE-FGHIJ."
)


@dataclass(frozen=True)
class Submitted:
    reference: str
    tracking_code: str
    replayed: bool


@dataclass(frozen=True)
class TrackingPolicy:
    max_failures: int = 10
    window: timedelta = timedelta(minutes=5)

    @classmethod
    def from_settings(cls, settings: Settings) -> TrackingPolicy:
        return cls(
            max_failures=settings.tracking_failures_per_window,
            window=timedelta(seconds=settings.tracking_window_seconds),
        )


def _borough_of(draft: ReportDraft) -> Borough | None:
    if draft.latitude is None or draft.longitude is None:
        return None
    return city_boroughs().borough_at(draft.latitude, draft.longitude)


def _pin_in_city(draft: ReportDraft, borough: Borough | None) -> bool | None:
    pinned = draft.latitude is not None and draft.longitude is not None
    return borough is not None if pinned else None


def problems_with(draft: ReportDraft, now: datetime) -> list[FieldError]:
    """Everything wrong with a draft, its pin checked against the city's boroughs.

    ``submit`` checks the same; a form calls this to show every problem at once.
    """
    return problems(draft, now, _pin_in_city(draft, _borough_of(draft)))


def submit(
    db: Database,
    clock: Clock,
    secret: str,
    draft: ReportDraft,
    answers: EnhancedRightsAnswers,
    *,
    reporter_is_victim: bool = True,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> Submitted:
    """Accept a crime report and open its case file, once per idempotency key."""
    if idempotency_key is not None and not IDEMPOTENCY_KEY_PATTERN.match(idempotency_key):
        raise InvalidInput(
            "The Idempotency-Key header must be 8 to 200 letters, digits or . _ : -"
            " (a UUID works well)."
        )
    now = clock.now()
    borough = _borough_of(draft)
    if errors := problems(draft, now, _pin_in_city(draft, borough)):
        raise InvalidInput("Some answers need changing before the report can be sent.", errors)
    assert draft.occurred_from is not None  # problems() refuses a draft without it
    report = NewCrimeReport(
        crime_type=draft.crime_type,
        description=draft.description.strip(),
        occurred_from=draft.occurred_from,
        occurred_to=draft.occurred_to,
        location_text=(draft.location_text or "").strip() or None,
        latitude=draft.latitude,
        longitude=draft.longitude,
        borough=borough.name if borough else None,
        victim=VictimDetails(
            name=draft.victim_name.strip(),
            preferred_channel=ContactChannel(draft.preferred_channel),
            email=(draft.email or "").strip() or None,
            phone=(draft.phone or "").strip() or None,
            address=(draft.address or "").strip() or None,
            enhanced_rights_reasons=enhanced_rights_reasons(answers),
        ),
        reporter_is_victim=reporter_is_victim,
    )
    if idempotency_key is None:
        with db.transaction() as conn:
            reference = cases.open_from_report(conn, clock, report)
        return Submitted(reference, tracking_code(secret, reference), replayed=False)
    try:
        with db.transaction() as conn:
            reference = cases.open_from_report(conn, clock, report)
            # A concurrent submission with the same key fails here, on the key's primary key,
            # and its whole transaction (its case file included) rolls back.
            store.claim_key(conn, idempotency_key, fingerprint, reference, now)
        return Submitted(reference, tracking_code(secret, reference), replayed=False)
    except IntegrityError:
        return _replay(db, secret, idempotency_key, fingerprint)


def forget_expired_keys(db: Database, clock: Clock) -> None:
    """Idempotency keys only need to outlive a client's retries (a day, as payment APIs do)."""
    with db.transaction() as conn:
        store.forget_keys_before(conn, clock.now() - IDEMPOTENCY_KEY_LIFETIME)


def _replay(db: Database, secret: str, key: str, fingerprint: str) -> Submitted:
    with db.transaction() as conn:
        row = store.find_key(conn, key)
    if row is None or not row["reference"]:
        raise Conflict(
            "A report with this Idempotency-Key is still being saved. Retry in a "
            "second with the same key."
        )
    if row["fingerprint"] != fingerprint:
        raise Conflict(
            "This Idempotency-Key was used for a different report. Use a new key for a "
            "new report, or resend exactly the same report."
        )
    return Submitted(row["reference"], tracking_code(secret, row["reference"]), replayed=True)


def _rate_keys(reference: str, client: str) -> list[str]:
    return [f"track:client:{client}"[:200], f"track:reference:{reference}"[:200]]


def _checked_reference(
    db: Database,
    clock: Clock,
    secret: str,
    policy: TrackingPolicy,
    reference: str,
    code: str,
    client: str,
) -> str:
    """The normalised reference if the code matches, counting a failure (and raising) if not."""
    reference = reference.strip().upper()
    if any(ord(c) < 32 for c in reference):
        # No reference has control characters, and PostgreSQL refuses NUL in a query.
        raise NotFound(_NOT_FOUND)
    keys = _rate_keys(reference, client)
    with db.transaction() as conn:
        ratelimit.check(conn, clock, keys, policy.max_failures, policy.window)
        if tracking_code_matches(secret, reference, code) and cases.exists(conn, reference):
            return reference
        ratelimit.count_failure(conn, clock, keys, policy.window)
    raise NotFound(_NOT_FOUND)


def track(
    db: Database,
    clock: Clock,
    secret: str,
    policy: TrackingPolicy,
    reference: str,
    code: str,
    client: str,
) -> VictimView:
    """What the victim may see of their case, for the right reference and code only."""
    reference = _checked_reference(db, clock, secret, policy, reference, code, client)
    with db.transaction() as conn:
        view = cases.victim_view(conn, clock, reference)
    if view is None:
        raise NotFound(_NOT_FOUND)
    return view


def add_to_report(
    db: Database,
    clock: Clock,
    secret: str,
    policy: TrackingPolicy,
    reference: str,
    code: str,
    client: str,
    kind: str,
    text: str,
) -> VictimView:
    """The victim adds information or messages the officer in the case."""
    if kind not in ("information", "message"):
        raise InvalidInput(
            "Say whether this is more information or a message.",
            [FieldError("kind", "Choose information or message.")],
        )
    if len(text.strip()) < 2 or any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise InvalidInput(
            "Write something to send.",
            [FieldError("text", "Write at least two characters of plain text.")],
        )
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            "This is too long to send in one go.",
            [
                FieldError(
                    "text",
                    f"Shorten this to {MAX_MESSAGE_LENGTH} characters or fewer, or "
                    "send it in parts.",
                )
            ],
        )
    reference = _checked_reference(db, clock, secret, policy, reference, code, client)
    with db.transaction() as conn:
        cases.add_victim_message(conn, clock, reference, kind, text.strip())
        view = cases.victim_view(conn, clock, reference)
    assert view is not None
    return view
