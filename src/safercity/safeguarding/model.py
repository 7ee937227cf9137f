"""The hub's records: a vulnerable person, what each agency holds on them, referrals and Marac.

Everything an agency adds about a person is one record of one category (identity, contacts,
flags, chronology, risk assessments, health, criminal history, education), owned by that agency
and made of named fields, because the sharing agreements and the policy decision point work
down to fields. A view is what one member of staff may see of a record: the fields the
decision allowed, and the names (never the values) of those withheld.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from safercity.platform.errors import FieldError, InvalidInput
from safercity.safeguarding.agreements import PartnerKind, RecordCategory

MAX_TEXT = 4000
# A chronology event may point at the platform's own records: a case file (a public report
# becomes one, under the same reference) or a 999 incident.
LINK_TYPES = ("case", "incident")
MIN_OVERRIDE_BASIS = 20


class RecordKind(StrEnum):
    """What a record is; each kind belongs to one category and has its own fields."""

    IDENTITY = "identity"
    CONTACT = "contact"
    FLAG = "flag"
    EVENT = "event"
    DASH = "dash"
    MISSING_RISK = "missing_risk"
    HEALTH_NOTE = "health_note"
    OFFENCE = "offence"
    EDUCATION_NOTE = "education_note"


@dataclass(frozen=True)
class KindSpec:
    category: RecordCategory
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.optional)


KINDS: dict[RecordKind, KindSpec] = {
    RecordKind.IDENTITY: KindSpec(
        RecordCategory.IDENTITY,
        ("given_name", "family_name"),
        ("date_of_birth", "gender", "address", "postcode", "phone", "nhs_number"),
    ),
    RecordKind.CONTACT: KindSpec(
        RecordCategory.CONTACTS, ("name", "relationship"), ("phone", "address", "notes")
    ),
    RecordKind.FLAG: KindSpec(RecordCategory.FLAGS, ("flag",), ("details", "review_on")),
    RecordKind.EVENT: KindSpec(
        RecordCategory.CHRONOLOGY, ("occurred_on", "summary"), ("details", "link_type", "link_ref")
    ),
    RecordKind.DASH: KindSpec(
        RecordCategory.RISK_ASSESSMENTS,
        ("risk_level", "yes_count", "marac_required"),
        ("marac_reasons", "answers", "judgement_reason", "safety_plan"),
    ),
    RecordKind.MISSING_RISK: KindSpec(
        RecordCategory.RISK_ASSESSMENTS, ("risk_level", "reasons"), ("age", "notes")
    ),
    RecordKind.HEALTH_NOTE: KindSpec(
        RecordCategory.HEALTH, ("summary",), ("diagnosis", "medication", "crisis_plan_summary")
    ),
    RecordKind.OFFENCE: KindSpec(
        RecordCategory.CRIMINAL_HISTORY,
        ("offence_summary",),
        ("offence_date", "outcome", "bail_conditions"),
    ),
    RecordKind.EDUCATION_NOTE: KindSpec(
        RecordCategory.EDUCATION, ("school",), ("attendance", "exclusions", "concerns")
    ),
}

# Who sees a record's owner, kind and date is itself need-to-know: a view shows them only when
# at least one field is shown.


class Flag(StrEnum):
    CHILD_PROTECTION_PLAN = "child_protection_plan"
    DOMESTIC_ABUSE_VICTIM = "domestic_abuse_victim"
    MENTAL_HEALTH_CRISIS_PLAN = "mental_health_crisis_plan"
    MISSING_PERSON_HISTORY = "missing_person_history"
    MARAC_CASE = "marac_case"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ReferralStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"


REFERRAL_FIELDS = frozenset(
    {"person_name", "reason", "consent", "lawful_basis_override", "status", "decline_reason",
     "outcome", "purpose"}
)  # fmt: skip
MARAC_FIELDS = frozenset({"person_name", "risk_level", "referral_reason", "actions"})


@dataclass(frozen=True)
class Partner:
    """An agency of the hub: its code on the platform and its kind in the agreements."""

    agency_id: int
    code: str
    name: str
    kind: PartnerKind


@dataclass(frozen=True)
class Person:
    id: int
    ref: str  # the hub's reference, e.g. SG-7K3M9Q2D
    created_at: datetime
    created_by_agency: str
    retain_until: date | None
    erased_at: datetime | None = None


@dataclass(frozen=True)
class Record:
    id: int
    person_id: int
    person_ref: str
    owner_agency: str
    owner_kind: PartnerKind
    kind: RecordKind
    values: Mapping[str, str]
    created_at: datetime
    created_by: str

    @property
    def category(self) -> RecordCategory:
        return KINDS[self.kind].category


@dataclass(frozen=True)
class RecordView:
    """One record as one member of staff may see it."""

    record: Record
    shown: Mapping[str, str]
    withheld: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Referral:
    id: int
    person_id: int
    person_ref: str
    from_agency: str
    from_kind: PartnerKind
    to_agency: str
    purpose: str
    reason: str
    person_name: str
    consent: bool
    lawful_basis_override: str | None
    status: ReferralStatus
    decline_reason: str | None
    outcome: str | None
    created_at: datetime
    created_by: str

    def values(self) -> dict[str, str]:
        return {
            "person_name": self.person_name,
            "purpose": self.purpose,
            "reason": self.reason,
            "consent": "yes" if self.consent else "no",
            "lawful_basis_override": self.lawful_basis_override or "",
            "status": self.status.value,
            "decline_reason": self.decline_reason or "",
            "outcome": self.outcome or "",
        }


@dataclass(frozen=True)
class MaracAction:
    id: int
    meeting_id: int
    person_id: int
    agency: str
    action: str
    due_on: date | None
    done: bool


@dataclass(frozen=True)
class MaracCase:
    meeting_id: int
    person_id: int
    person_ref: str
    referral_id: int | None
    risk_level: str
    referral_reason: str
    person_name: str


@dataclass(frozen=True)
class MaracMeeting:
    id: int
    held_on: date
    title: str
    chair_agency: str
    chair_kind: PartnerKind
    agencies: frozenset[str]
    cases: tuple[MaracCase, ...] = ()
    actions: tuple[MaracAction, ...] = field(default=())


def clean_values(kind: RecordKind, raw: Mapping[str, object]) -> dict[str, str]:
    """A record's fields as text, every problem named by its field."""
    spec = KINDS[kind]
    errors: list[FieldError] = []
    values: dict[str, str] = {}
    for name in sorted(set(raw) - spec.fields):
        known = ", ".join(sorted(spec.fields))
        errors.append(FieldError(name, f"A {kind} record has no field {name!r}; use {known}."))
    for name in spec.fields & set(raw):
        value = raw[name]
        text = "" if value is None else str(value).strip()
        if len(text) > MAX_TEXT:
            errors.append(FieldError(name, f"Keep it under {MAX_TEXT} characters."))
        elif text:
            values[name] = text
    for name in spec.required:
        if name not in values:
            errors.append(FieldError(name, "This is needed."))
    if kind is RecordKind.FLAG and "flag" in values and values["flag"] not in set(Flag):
        known = ", ".join(f.value for f in Flag)
        errors.append(FieldError("flag", f"Choose one of: {known}."))
    link_type, link_ref = values.get("link_type"), values.get("link_ref")
    if link_type is not None and link_type not in LINK_TYPES:
        errors.append(FieldError("link_type", "Link to a case or an incident."))
    if (link_type is None) != (link_ref is None):
        errors.append(FieldError("link_ref", "Give both what it links to and its reference."))
    for name in ("date_of_birth", "occurred_on", "review_on", "offence_date"):
        if name in values and not _is_date(values[name]):
            errors.append(FieldError(name, "Give a date as YYYY-MM-DD."))
    if errors:
        raise InvalidInput(f"The {kind.value.replace('_', ' ')} record is not complete.", errors)
    return values


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_referral(consent: bool, lawful_basis_override: str | None, reason: str) -> None:
    """A referral shares a person's information: it needs their consent or a recorded lawful
    basis for sharing without it (e.g. a child at risk of significant harm, Children Act 1989
    s.47; the prevention or detection of crime, DPA 2018 Sch 1 para 10)."""
    errors: list[FieldError] = []
    if not reason.strip():
        errors.append(FieldError("reason", "Say why you are referring."))
    basis = (lawful_basis_override or "").strip()
    if not consent and len(basis) < MIN_OVERRIDE_BASIS:
        errors.append(
            FieldError(
                "lawful_basis_override",
                "Without the person's recorded consent, record the lawful basis for sharing "
                f"without it (at least {MIN_OVERRIDE_BASIS} characters), or record consent.",
            )
        )
    if errors:
        raise InvalidInput("The referral cannot be made yet.", errors)


def display_name(values: Mapping[str, str]) -> str:
    return " ".join(v for v in (values.get("given_name"), values.get("family_name")) if v)


# Retention, as the hub's records management policy sets it (after the IRMS toolkit for local
# authorities and the NPCC's guidance on police information): six years after the last record,
# except that a child's protection records are kept until their 25th birthday if that is later.
RETAIN_YEARS = 6
CHILD_PROTECTION_UNTIL_AGE = 25


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retain_until(records: Sequence[Record]) -> date | None:
    """The day the person's records fall due for review and erasure."""
    if not records:
        return None
    until = _years_after(max(r.created_at.date() for r in records), RETAIN_YEARS)
    protected = any(
        r.kind is RecordKind.FLAG and r.values.get("flag") == Flag.CHILD_PROTECTION_PLAN
        for r in records
    )
    births = [
        r.values["date_of_birth"]
        for r in records
        if r.kind is RecordKind.IDENTITY and _is_date(r.values.get("date_of_birth", ""))
    ]
    if protected and births:
        born = date.fromisoformat(births[0])
        until = max(until, _years_after(born, CHILD_PROTECTION_UNTIL_AGE))
    return until
