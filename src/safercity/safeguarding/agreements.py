"""Information-sharing agreements between the partner agencies of a safeguarding hub.

An information-sharing agreement (ISA) is the written deal under which one agency (or every
agency of a kind, e.g. "all schools") discloses categories of record to one receiving agency,
for named purposes, on a stated lawful basis, between two dates. It may narrow a category to
named fields ("health: crisis_plan_summary only, never the diagnosis").

Agreements are data, signed off by each agency's data protection officer and loaded from JSON;
this module validates them (naming every bad field) and indexes them so that the policy decision
point finds the agreements for one request with a couple of dict lookups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from safercity.platform.errors import FieldError, InvalidInput


class PartnerKind(StrEnum):
    """The kinds of agency in a multi-agency safeguarding hub (MASH)."""

    POLICE = "police"
    CHILDREN_SOCIAL_CARE = "children_social_care"
    ADULT_SOCIAL_CARE = "adult_social_care"
    MENTAL_HEALTH_TRUST = "mental_health_trust"
    AMBULANCE = "ambulance"
    PROBATION = "probation"
    SCHOOL = "school"
    DOMESTIC_ABUSE_CHARITY = "domestic_abuse_charity"
    HOUSING = "housing"
    YOUTH_JUSTICE = "youth_justice"


class RecordCategory(StrEnum):
    IDENTITY = "identity"
    CONTACTS = "contacts"
    FLAGS = "flags"
    CHRONOLOGY = "chronology"
    RISK_ASSESSMENTS = "risk_assessments"
    REFERRALS = "referrals"
    HEALTH = "health"
    CRIMINAL_HISTORY = "criminal_history"
    EDUCATION = "education"


class Purpose(StrEnum):
    """Why someone looks: the purpose limitation of UK GDPR Art 5(1)(b)."""

    SAFEGUARDING_CHILD = "safeguarding_child"
    SAFEGUARDING_ADULT = "safeguarding_adult"
    DOMESTIC_ABUSE_MARAC = "domestic_abuse_marac"
    MISSING_PERSON = "missing_person"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"
    PUBLIC_PROTECTION_MAPPA = "public_protection_mappa"
    CHILD_EXPLOITATION = "child_exploitation"
    # The data protection officer's own purposes; no sharing agreement names them.
    SUBJECT_ACCESS = "subject_access"
    RETENTION = "retention"


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    EXPORT = "export"
    SEARCH = "search"
    ERASE = "erase"


# An agreement discloses; it never lets the receiver create or change the provider's records,
# because the provider stays the controller of what it holds (UK GDPR Art 5(1)(d), accuracy).
SHAREABLE_ACTIONS = frozenset({Action.READ, Action.SEARCH, Action.EXPORT})
DEFAULT_ACTIONS = frozenset({Action.READ, Action.SEARCH})
MIN_BASIS_LENGTH = 10


@dataclass(frozen=True)
class CategoryShare:
    """One category an agreement shares; `fields` None means every field of it."""

    category: RecordCategory
    fields: frozenset[str] | None = None


@dataclass(frozen=True)
class Agreement:
    id: str
    title: str
    provider_agency: str | None
    provider_kind: PartnerKind | None
    recipient_agency: str
    purposes: frozenset[Purpose]
    shares: tuple[CategoryShare, ...]
    lawful_basis: str
    valid_from: date
    valid_until: date | None = None
    actions: frozenset[Action] = DEFAULT_ACTIONS

    def in_force(self, on: date) -> bool:
        """Both ends inclusive: an agreement ending 31 March still covers 31 March."""
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    @property
    def provider(self) -> str:
        return self.provider_agency or f"every {self.provider_kind} agency"


ProviderKey = tuple[str, str]  # ("agency", code) or ("kind", kind): never confused
IndexKey = tuple[ProviderKey, str, RecordCategory, Purpose]


def agency_key(code: str) -> ProviderKey:
    return ("agency", code)


def kind_key(kind: PartnerKind) -> ProviderKey:
    return ("kind", kind.value)


@dataclass(frozen=True)
class Grant:
    """What one agreement allows for one (provider, recipient, category, purpose)."""

    agreement: Agreement
    fields: frozenset[str] | None


@dataclass(frozen=True)
class AgreementIndex:
    """Agreements keyed by (provider, recipient, category, purpose).

    Validity dates stay on the grants and are checked per request, so the index does not need
    rebuilding when an agreement starts or lapses.
    """

    grants: Mapping[IndexKey, tuple[Grant, ...]]

    def lookup(
        self, provider: ProviderKey, recipient: str, category: RecordCategory, purpose: Purpose
    ) -> tuple[Grant, ...]:
        return self.grants.get((provider, recipient, category, purpose), ())


def build_index(agreements: Iterable[Agreement]) -> AgreementIndex:
    grants: dict[IndexKey, list[Grant]] = {}
    for agreement in agreements:
        provider = (
            agency_key(agreement.provider_agency)
            if agreement.provider_agency is not None
            else kind_key(_known(agreement.provider_kind))
        )
        for share in agreement.shares:
            for purpose in agreement.purposes:
                key = (provider, agreement.recipient_agency, share.category, purpose)
                grants.setdefault(key, []).append(Grant(agreement, share.fields))
    return AgreementIndex({key: tuple(found) for key, found in grants.items()})


def _known(kind: PartnerKind | None) -> PartnerKind:
    if kind is None:  # the loader guarantees one of agency or kind; this guards hand-made ones
        raise ValueError("an agreement needs a provider agency or a provider kind")
    return kind


E = TypeVar("E", bound=StrEnum)


# --- Loading from JSON-like data -------------------------------------------------------------

_KNOWN_KEYS = frozenset(
    {
        "id",
        "title",
        "provider_agency",
        "provider_kind",
        "recipient_agency",
        "purposes",
        "shares",
        "lawful_basis",
        "valid_from",
        "valid_until",
        "actions",
    }
)


def load_agreements(raw: Sequence[Mapping[str, object]]) -> tuple[Agreement, ...]:
    """Agreements from parsed JSON; InvalidInput names every bad field, e.g. `[2].shares[0]`."""
    errors: list[FieldError] = []
    loaded = [_agreement(item, f"[{n}]", errors) for n, item in enumerate(raw)]
    seen: set[str] = set()
    for n, agreement in enumerate(loaded):
        if agreement is not None and agreement.id in seen:
            errors.append(FieldError(f"[{n}].id", f"Agreement id {agreement.id!r} is repeated."))
        if agreement is not None:
            seen.add(agreement.id)
    if errors:
        raise InvalidInput(f"{len(errors)} problem(s) in the sharing agreements.", errors)
    return tuple(a for a in loaded if a is not None)


def _agreement(item: object, at: str, errors: list[FieldError]) -> Agreement | None:
    if not isinstance(item, Mapping):
        errors.append(FieldError(at, "Each agreement must be an object."))
        return None
    before = len(errors)
    for key in sorted(set(item) - _KNOWN_KEYS):
        errors.append(FieldError(f"{at}.{key}", "Unknown field; check its spelling."))
    agency, kind = _provider(item, at, errors)
    recipient = _text(item, "recipient_agency", at, errors)
    if agency is not None and agency == recipient:
        errors.append(FieldError(f"{at}.recipient_agency", "An agency does not share with itself."))
    valid_from = _date(item, "valid_from", at, errors, required=True)
    valid_until = _date(item, "valid_until", at, errors, required=False)
    if valid_from and valid_until and valid_until < valid_from:
        errors.append(FieldError(f"{at}.valid_until", "Ends before it starts."))
    agreement = Agreement(
        id=_text(item, "id", at, errors),
        title=_text(item, "title", at, errors),
        provider_agency=agency,
        provider_kind=kind,
        recipient_agency=recipient,
        purposes=frozenset(_enums(item, "purposes", Purpose, at, errors)),
        shares=_shares(item.get("shares"), f"{at}.shares", errors),
        lawful_basis=_basis(item, at, errors),
        valid_from=valid_from or date.min,
        valid_until=valid_until,
        actions=_actions(item, at, errors),
    )
    return agreement if len(errors) == before else None


def _provider(
    item: Mapping[str, object], at: str, errors: list[FieldError]
) -> tuple[str | None, PartnerKind | None]:
    has_agency, has_kind = "provider_agency" in item, "provider_kind" in item
    if has_agency == has_kind:
        errors.append(
            FieldError(
                f"{at}.provider_agency", "Give exactly one of provider_agency or provider_kind."
            )
        )
        return None, None
    if has_agency:
        return _text(item, "provider_agency", at, errors), None
    kinds = _enum_value(item["provider_kind"], PartnerKind, f"{at}.provider_kind", errors)
    return None, kinds


def _text(item: Mapping[str, object], key: str, at: str, errors: list[FieldError]) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(f"{at}.{key}", "Required: a non-empty text."))
        return ""
    return value.strip()


def _basis(item: Mapping[str, object], at: str, errors: list[FieldError]) -> str:
    # The regulator asks "on what basis?" for every disclosure: the Art 6 basis and, for special
    # category or law-enforcement data, the Art 9 / DPA 2018 Sch 1 condition or Part 3 s.35.
    basis = _text(item, "lawful_basis", at, errors)
    if basis and len(basis) < MIN_BASIS_LENGTH:
        errors.append(
            FieldError(f"{at}.lawful_basis", "Cite the article and condition, not an abbreviation.")
        )
    return basis


def _date(
    item: Mapping[str, object], key: str, at: str, errors: list[FieldError], *, required: bool
) -> date | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(FieldError(f"{at}.{key}", "Required: a date as YYYY-MM-DD."))
    return None


def _enum_value(value: object, enum: type[E], at: str, errors: list[FieldError]) -> E | None:
    if isinstance(value, str) and value in enum._value2member_map_:
        return enum(value)
    known = ", ".join(member.value for member in enum)
    errors.append(FieldError(at, f"Unknown value {value!r}; one of: {known}."))
    return None


def _enums(
    item: Mapping[str, object], key: str, enum: type[E], at: str, errors: list[FieldError]
) -> list[E]:
    values = item.get(key)
    if not isinstance(values, list) or not values:
        errors.append(FieldError(f"{at}.{key}", "Required: a non-empty list."))
        return []
    found = [_enum_value(v, enum, f"{at}.{key}[{n}]", errors) for n, v in enumerate(values)]
    return [v for v in found if v is not None]


def _actions(item: Mapping[str, object], at: str, errors: list[FieldError]) -> frozenset[Action]:
    if "actions" not in item:
        return DEFAULT_ACTIONS
    actions = _enums(item, "actions", Action, at, errors)
    for n, action in enumerate(actions):
        if action not in SHAREABLE_ACTIONS:
            errors.append(
                FieldError(
                    f"{at}.actions[{n}]",
                    "An agreement discloses records; it cannot let another agency create or "
                    "change them.",
                )
            )
    return frozenset(actions)


def _shares(value: object, at: str, errors: list[FieldError]) -> tuple[CategoryShare, ...]:
    if not isinstance(value, list) or not value:
        errors.append(FieldError(at, "Required: a non-empty list of categories."))
        return ()
    shares = [_share(entry, f"{at}[{n}]", errors) for n, entry in enumerate(value)]
    seen: set[RecordCategory] = set()
    for n, share in enumerate(shares):
        if share is not None and share.category in seen:
            errors.append(FieldError(f"{at}[{n}].category", "Category listed twice."))
        if share is not None:
            seen.add(share.category)
    return tuple(s for s in shares if s is not None)


def _share(entry: object, at: str, errors: list[FieldError]) -> CategoryShare | None:
    if not isinstance(entry, Mapping):
        errors.append(
            FieldError(at, 'Each share is an object: {"category": ..., "fields": [...]}.')
        )
        return None
    for key in sorted(set(entry) - {"category", "fields"}):
        errors.append(FieldError(f"{at}.{key}", "Unknown field; check its spelling."))
    category = _enum_value(entry.get("category"), RecordCategory, f"{at}.category", errors)
    fields = entry.get("fields")
    if fields is None:
        return CategoryShare(category, None) if category else None
    if (
        not isinstance(fields, list)
        or not fields
        or not all(isinstance(f, str) and f.strip() for f in fields)
    ):
        errors.append(FieldError(f"{at}.fields", "A non-empty list of field names, or leave out."))
        return None
    return CategoryShare(category, frozenset(f.strip() for f in fields)) if category else None
