"""The policy decision point: may this member of staff see this safeguarding record, and which
fields of it?

The rules, in the order they are applied (deny by default: anything not allowed below is denied):

1. No stated purpose, no access (UK GDPR Art 5(1)(b), purpose limitation).
   The data protection officer reads and exports whole records for a subject access request
   (Art 15), and erases them for retention (Art 17), and for nothing else.
2. Only roles that handle safeguarding get anything (a teacher, a call handler or a user
   administrator does not; the school's designated safeguarding lead does).
   A referral or a Marac case is read by the agencies it was sent to.
3. Break-glass: a written justification of at least 20 characters, for reading only, shows the
   whole record and raises an alert for the supervisor and the data protection officer.
4. The owning agency's own safeguarding staff may read, search, create, update and export their
   agency's records.
5. Another agency may read, search or (where the agreement says so) export what an
   information-sharing agreement in force on the day allows it, for the stated purpose, down to
   named fields; every other field is withheld. No agency creates or changes another's records.

Why our own rules and not Casbin or Cedar. Both engines answer "allow or deny" for one
(subject, object, action); ours must also answer "which fields", "under which agreement and
lawful basis" (for the reason a regulator reads and the DPA 2018 s.62 log) and "in force on
which day". In Casbin that means either one enforce call per field or field lists smuggled into
policy lines, validity dates as custom matcher functions, and `enforce_ex` that names only one
matching line, so the agreement ids, bases and withheld fields would be worked out by our code
anyway. Cedar (`cedarpy`) expresses the conditions well, but returns only the ids of determining
policies; field-level answers again need a call per field, and our agreements (the signed-off
source of truth) would have to be translated into Cedar policies and entities on every load, a
second representation to keep in step. What is left for our code is five rules over two dict
lookups (agreements indexed by provider agency or provider kind, recipient, category and purpose),
about a hundred lines with no dependency, and the tests enumerate every role, agency, category,
purpose and action against the agreement tables, which is as hard a test as an engine's policy
would get. If the rules grow conditions on the subject's attributes (age, consent, a court
order), Cedar is the engine to revisit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.errors import FieldError, InvalidInput
from safercity.platform.identity.model import ROLE_PERMISSIONS, Permission, Role, StaffUser
from safercity.safeguarding.agreements import (
    SHAREABLE_ACTIONS,
    Action,
    Agreement,
    AgreementIndex,
    Grant,
    PartnerKind,
    Purpose,
    RecordCategory,
    agency_key,
    build_index,
    kind_key,
)

MIN_JUSTIFICATION = 20


# Who may handle safeguarding information at all. Paramedics raise safeguarding referrals from
# the scene; a teacher passes concerns to the school's designated safeguarding lead (Keeping
# Children Safe in Education, Part 1) rather than holding the records; 999 handlers, prosecutors
# and user administrators have no safeguarding function.
HANDLES_SAFEGUARDING: frozenset[str] = frozenset(
    role for role, granted in ROLE_PERMISSIONS.items() if Permission.SAFEGUARDING in granted
)


@dataclass(frozen=True)
class Actor:
    """The member of staff asking, as the policy sees them."""

    name: str  # username@agency, as in the audit log
    agency: str
    agency_kind: PartnerKind
    role: str

    @classmethod
    def from_staff(cls, user: StaffUser, agency_kind: PartnerKind) -> Actor:
        return cls(user.audit_name, user.agency_code, agency_kind, user.role)


@dataclass(frozen=True)
class RecordRef:
    """What the policy needs to know about one record: whose it is, what it is, about whom."""

    record_id: str
    owner_agency: str
    owner_kind: PartnerKind
    category: RecordCategory
    subject_id: str
    fields: frozenset[str]
    addressed_to: frozenset[str] = frozenset()  # agencies a referral or Marac case went to


@dataclass(frozen=True)
class AccessRequest:
    actor: Actor
    action: Action
    record: RecordRef
    purpose: Purpose | None
    on: date  # agreements are in force by calendar day; the caller passes the clock's date
    break_glass: str | None = None  # the written justification, if the user broke the glass


@dataclass(frozen=True)
class Decision:
    """The answer, and everything the audit entry needs: who, what, purpose, recipient, why."""

    request: AccessRequest
    allowed: bool
    reason: str
    fields: frozenset[str] = frozenset()
    agreement_ids: tuple[str, ...] = ()
    break_glass: bool = False
    alert: bool = False  # tell the supervisor and the data protection officer

    @property
    def purpose(self) -> Purpose | None:
        return self.request.purpose

    @property
    def agreement_id(self) -> str | None:
        return self.agreement_ids[0] if self.agreement_ids else None

    @property
    def recipient(self) -> str | None:
        """The agency the data goes to, when it leaves the owning agency."""
        record, actor = self.request.record, self.request.actor
        return actor.agency if actor.agency != record.owner_agency else None

    @property
    def withheld(self) -> frozenset[str]:
        return self.request.record.fields - self.fields

    def audit_record(self) -> AuditRecord:
        record = self.request.record
        outcome = "allowed" if self.allowed else "denied"
        shown = ", ".join(sorted(self.fields)) or "none"
        return AuditRecord(
            actor=self.request.actor.name,
            action=_audit_action(self.request.action, self.recipient is not None),
            subject_type="person",
            subject_id=record.subject_id,
            purpose=self.purpose.value if self.purpose else "none stated",
            recipient=self.recipient,
            detail=f"{outcome}: {self.reason} Record {record.record_id} "
            f"({record.category}); fields: {shown}.",
        )


def _audit_action(action: Action, leaves_agency: bool) -> AuditAction:
    # DPA 2018 s.62: reading another agency's record is a disclosure to the reader's agency.
    if action is Action.CREATE:
        return AuditAction.COLLECTION
    if action is Action.UPDATE:
        return AuditAction.ALTERATION
    if action is Action.ERASE:
        return AuditAction.ERASURE
    if action is Action.EXPORT or leaves_agency:
        return AuditAction.DISCLOSURE
    return AuditAction.CONSULTATION


@dataclass(frozen=True)
class SharingPolicy:
    """The decision point over one set of agreements; build it once, ask it per record."""

    index: AgreementIndex = field(default_factory=lambda: build_index(()))

    @classmethod
    def from_agreements(cls, agreements: Iterable[Agreement]) -> SharingPolicy:
        return cls(build_index(agreements))

    def decide(self, request: AccessRequest) -> Decision:
        if request.purpose is None:
            return _deny(request, "No purpose was stated; access is purpose-limited (Art 5(1)(b)).")
        if request.actor.role == Role.DATA_PROTECTION_OFFICER:
            return _data_protection(request)
        if request.purpose in DATA_PROTECTION_PURPOSES or request.action is Action.ERASE:
            return _deny(
                request,
                "Only the data protection officer answers subject access "
                "requests and erases records.",
            )
        if request.actor.role not in HANDLES_SAFEGUARDING:
            return _deny(request, f"The role {request.actor.role} does not handle safeguarding.")
        if request.break_glass is not None:
            return _break_glass(request)
        if request.actor.agency == request.record.owner_agency:
            return _own_agency(request)
        if request.actor.agency in request.record.addressed_to:
            return _addressed(request)
        return _shared(request, self.index)


def _deny(request: AccessRequest, reason: str) -> Decision:
    return Decision(request, allowed=False, reason=reason)


DATA_PROTECTION_PURPOSES = frozenset({Purpose.SUBJECT_ACCESS, Purpose.RETENTION})
_DPO_ACTIONS = {
    Purpose.SUBJECT_ACCESS: frozenset({Action.READ, Action.SEARCH, Action.EXPORT}),
    Purpose.RETENTION: frozenset({Action.READ, Action.SEARCH, Action.ERASE}),
}


def _data_protection(request: AccessRequest) -> Decision:
    purpose = request.purpose
    if purpose not in DATA_PROTECTION_PURPOSES or request.action not in _DPO_ACTIONS[purpose]:
        return _deny(
            request,
            "The data protection officer reads records only to answer a subject access request "
            "or to apply retention, and erases only for retention.",
        )
    article = "Art 15" if purpose is Purpose.SUBJECT_ACCESS else "Art 5(1)(e) and Art 17"
    return Decision(
        request,
        allowed=True,
        reason=f"Data protection officer, {purpose} (UK GDPR {article}); the hub's partners are "
        "joint controllers of its records.",
        fields=request.record.fields,
    )


def _addressed(request: AccessRequest) -> Decision:
    if request.action not in (Action.READ, Action.SEARCH, Action.UPDATE):
        return _deny(request, "A referral's recipient may read it and answer it, nothing more.")
    return Decision(
        request,
        allowed=True,
        reason=f"Sent to {request.actor.agency} by {request.record.owner_agency}.",
        fields=request.record.fields,
    )


def _own_agency(request: AccessRequest) -> Decision:
    return Decision(
        request,
        allowed=True,
        reason=f"{request.actor.agency}'s own record, handled by its own safeguarding staff.",
        fields=request.record.fields,
    )


def _break_glass(request: AccessRequest) -> Decision:
    justification = (request.break_glass or "").strip()
    if request.action is not Action.READ:
        return _deny(request, "Break-glass allows reading only.")
    if len(justification) < MIN_JUSTIFICATION:
        return _deny(
            request,
            f"Break-glass needs a written justification of at least {MIN_JUSTIFICATION} "
            "characters.",
        )
    return Decision(
        request,
        allowed=True,
        reason=f"Break-glass by {request.actor.name}: {justification!r}. Supervisor and data "
        "protection officer alerted for review.",
        fields=request.record.fields,
        break_glass=True,
        alert=True,
    )


def grants_for(request: AccessRequest, index: AgreementIndex) -> tuple[Grant, ...]:
    """Every agreement naming this provider agency or its kind, recipient, category, purpose."""
    record, recipient = request.record, request.actor.agency
    purpose = request.purpose
    if purpose is None:
        return ()
    by_agency = index.lookup(agency_key(record.owner_agency), recipient, record.category, purpose)
    by_kind = index.lookup(kind_key(record.owner_kind), recipient, record.category, purpose)
    return by_agency + by_kind


def _shared(request: AccessRequest, index: AgreementIndex) -> Decision:
    if request.action not in SHAREABLE_ACTIONS:
        return _deny(request, "Only the owning agency creates or changes its records.")
    candidates = grants_for(request, index)
    usable = [
        g
        for g in candidates
        if g.agreement.in_force(request.on) and request.action in g.agreement.actions
    ]
    if not usable:
        return _deny(request, _why_no_agreement(request, candidates))
    fields = _shared_fields(usable, request.record.fields)
    if not fields:
        return _deny(request, "The agreements share none of the fields this record holds.")
    return Decision(
        request,
        allowed=True,
        reason=_sharing_reason(request, usable),
        fields=fields,
        agreement_ids=tuple(g.agreement.id for g in usable),
    )


def _shared_fields(grants: list[Grant], record_fields: frozenset[str]) -> frozenset[str]:
    allowed: set[str] = set()
    for grant in grants:
        if grant.fields is None:  # the whole category is shared
            return record_fields
        allowed |= grant.fields
    return record_fields & allowed


def _why_no_agreement(request: AccessRequest, candidates: tuple[Grant, ...]) -> str:
    record = request.record
    if not candidates:
        return (
            f"No sharing agreement lets {record.owner_agency} share {record.category} records "
            f"with {request.actor.agency} for {request.purpose}."
        )
    lapsed = [g.agreement for g in candidates if not g.agreement.in_force(request.on)]
    if len(lapsed) == len(candidates):
        ids = ", ".join(f"{a.id} ({_period(a)})" for a in lapsed)
        return f"No agreement in force on {request.on.isoformat()}: {ids}."
    ids = ", ".join(g.agreement.id for g in candidates)
    return f"Agreements {ids} do not allow {request.action}."


def _period(agreement: Agreement) -> str:
    until = agreement.valid_until.isoformat() if agreement.valid_until else "open-ended"
    return f"{agreement.valid_from.isoformat()} to {until}"


def _sharing_reason(request: AccessRequest, grants: list[Grant]) -> str:
    cited = "; ".join(
        f"agreement {a.id} ({a.title}), lawful basis: {a.lawful_basis}"
        for a in (g.agreement for g in grants)
    )
    record = request.record
    return (
        f"{record.owner_agency} shares {record.category} with {request.actor.agency} "
        f"for {request.purpose} under {cited}."
    )


def parse_purpose(value: str | None) -> Purpose | None:
    """The purpose a form or query string names; None when none was given."""
    if value is None or not value.strip():
        return None
    try:
        return Purpose(value.strip())
    except ValueError:
        known = ", ".join(p.value for p in Purpose)
        raise InvalidInput(
            "Unknown purpose.", [FieldError("purpose", f"Choose one of: {known}.")]
        ) from None
