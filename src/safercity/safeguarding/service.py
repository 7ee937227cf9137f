"""The hub's use cases. Every read, search, export, change and erasure of a person's records is
asked of the one policy decision point (`SharingPolicy.decide`), and every answer, allow and
deny, goes to the hash-chained audit log in the same transaction (DPA 2018 s.62).

A person or record the user may not see is "not found", exactly as one that does not exist, so
guessing references across agencies tells nothing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Connection

from safercity.cases import service as cases
from safercity.contact import service as contact
from safercity.platform import outbox
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditEntry, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    SaferCityError,
)
from safercity.platform.http import require
from safercity.platform.identity import store as identity_store
from safercity.platform.identity.model import Permission, Role, StaffUser
from safercity.safeguarding import store
from safercity.safeguarding.agreements import (
    Action,
    Agreement,
    PartnerKind,
    Purpose,
    RecordCategory,
    load_agreements,
)
from safercity.safeguarding.model import (
    KINDS,
    MARAC_FIELDS,
    REFERRAL_FIELDS,
    Flag,
    MaracMeeting,
    Partner,
    Person,
    Record,
    RecordKind,
    RecordView,
    Referral,
    ReferralStatus,
    check_referral,
    clean_values,
    display_name,
    retain_until,
)
from safercity.safeguarding.policy import (
    MIN_JUSTIFICATION,
    AccessRequest,
    Actor,
    Decision,
    RecordRef,
    SharingPolicy,
)
from safercity.safeguarding.risk import (
    Answer,
    DashAssessment,
    DashResult,
    MissingAssessment,
    MissingRisk,
    assess,
    grade_missing,
)

SUBJECT = "person"
MAX_SEARCH_RESULTS = 50
_REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L: read out over the phone
ALERTED_ROLES = (Role.SUPERVISOR, Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER)


# --- the agreements ---------------------------------------------------------------------------


@lru_cache(maxsize=4)
def hub_policy(path: Path | None = None) -> SharingPolicy:
    """The decision point over the city's agreements: `path`, or London's bundled set."""
    return SharingPolicy.from_agreements(hub_agreements(path))


@lru_cache(maxsize=4)
def hub_agreements(path: Path | None = None) -> tuple[Agreement, ...]:
    if path is None:
        text = resources.files("safercity.safeguarding").joinpath("data/london_agreements.json")
        raw = json.loads(text.read_text(encoding="utf-8"))
    else:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InvalidInput(
                f"Cannot read the sharing agreements in {path}: {error}. Give a JSON list of "
                "agreements (see docs/safeguarding.md)."
            ) from error
    if not isinstance(raw, list):
        raise InvalidInput("The sharing agreements file must hold a JSON list of agreements.")
    return load_agreements(raw)


def agreement_summary(agreement: Agreement) -> dict[str, object]:
    """An agreement as the API and the CLI publish it."""
    return {
        "id": agreement.id,
        "title": agreement.title,
        "provider": agreement.provider,
        "recipient": agreement.recipient_agency,
        "purposes": sorted(p.value for p in agreement.purposes),
        "shares": {
            s.category.value: sorted(s.fields) if s.fields is not None else None
            for s in agreement.shares
        },
        "lawful_basis": agreement.lawful_basis,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
    }


# --- who is asking ----------------------------------------------------------------------------


def register_partner(db: Database, agency_code: str, kind: PartnerKind) -> Partner:
    with db.transaction() as conn:
        agency = identity_store.agency_by_code(conn, agency_code)
        if agency is None:
            raise NotFound(f"There is no agency {agency_code!r}; add it first.")
        store.set_partner(conn, agency.id, kind)
        return Partner(agency.id, agency.code, agency.name, kind)


def partners(db: Database) -> list[Partner]:
    with db.transaction() as conn:
        return store.all_partners(conn)


def _actor(conn: Connection, user: StaffUser) -> Actor:
    for partner in store.all_partners(conn):
        if partner.agency_id == user.agency_id:
            return Actor(user.audit_name, user.agency_code, partner.kind, user.role)
    raise Forbidden(
        f"{user.agency_name} is not a partner of the safeguarding hub, so it sees no "
        "safeguarding records. Ask the hub's administrator if it should be."
    )


def _partner(conn: Connection, code: str) -> Partner:
    for partner in store.all_partners(conn):
        if partner.code == code:
            return partner
    known = ", ".join(p.code for p in store.all_partners(conn))
    raise InvalidInput(
        "Unknown agency.", [FieldError("to_agency", f"Choose a hub partner: {known}.")]
    )


@dataclass
class _Decider:
    """Asks the policy, and keeps every answer for the audit log of this transaction."""

    conn: Connection
    clock: Clock
    policy: SharingPolicy
    actor: Actor
    purpose: Purpose | None
    break_glass: str | None = None
    decisions: list[Decision] = field(default_factory=list)

    def decide(self, ref: RecordRef, action: Action) -> Decision:
        request = AccessRequest(
            self.actor, action, ref, self.purpose, self.clock.now().date(), self.break_glass
        )
        decision = self.policy.decide(request)
        self.decisions.append(decision)
        return decision

    def write_audit(self) -> None:
        records = [d.audit_record() for d in self.decisions]
        audit.record(self.conn, self.clock, *records)
        self.conn.info.setdefault(_LOGGED, []).extend(records)
        self.decisions.clear()

    def refuse(self, error: SaferCityError) -> _Refused:
        """The refusal to raise: the transaction rolls back, its decisions are still logged."""
        self.write_audit()
        return _Refused(error)


_LOGGED = "safeguarding_decisions_logged"


class _Refused(Exception):
    def __init__(self, error: SaferCityError) -> None:
        super().__init__(error.detail)
        self.error = error


@contextmanager
def _transaction(db: Database, clock: Clock) -> Iterator[Connection]:
    """A use case's transaction. When it refuses, whatever it changed rolls back, but every
    access decision it made, allow and deny, is written to the audit log all the same."""
    logged: list[AuditRecord] = []
    try:
        with db.transaction() as conn:
            conn.info[_LOGGED] = logged
            try:
                yield conn
            finally:
                conn.info.pop(_LOGGED, None)
    except _Refused as refused:
        with db.transaction() as conn:
            audit.record(conn, clock, *logged)
        raise refused.error from None


def _log(
    conn: Connection,
    clock: Clock,
    user: StaffUser,
    action: AuditAction,
    person_ref: str,
    purpose: str,
    detail: str,
    recipient: str | None = None,
) -> None:
    """An audit entry about a person that is not a policy decision (a referral sent, a Marac
    listing, an export, an erasure, a read of the audit trail)."""
    audit.record(
        conn,
        clock,
        AuditRecord(user.audit_name, action, SUBJECT, person_ref, purpose, recipient, detail),
    )


def _record_ref(record: Record) -> RecordRef:
    return RecordRef(
        f"record {record.id}",
        record.owner_agency,
        record.owner_kind,
        record.category,
        record.person_ref,
        frozenset(record.values),
    )


def _referral_ref(referral: Referral) -> RecordRef:
    return RecordRef(
        f"referral {referral.id}",
        referral.from_agency,
        referral.from_kind,
        RecordCategory.REFERRALS,
        referral.person_ref,
        REFERRAL_FIELDS,
        addressed_to=frozenset({referral.to_agency}),
    )


def _view(record: Record, decision: Decision) -> RecordView:
    shown = {k: v for k, v in record.values.items() if k in decision.fields}
    return RecordView(record, shown, tuple(sorted(decision.withheld)), decision.reason)


def _not_found(ref: str) -> NotFound:
    return NotFound(
        f"No record you may see has the reference {ref[:40]!r} for this purpose. Check the "
        "reference and the purpose; the owning agency can share more under an agreement."
    )


# --- reading a person -------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonView:
    person: Person
    name: str
    records: tuple[RecordView, ...]
    referrals: tuple[tuple[Referral, Mapping[str, str]], ...]
    withheld_records: int
    break_glass: bool
    purpose: Purpose

    def of_category(self, category: RecordCategory) -> list[RecordView]:
        return [v for v in self.records if v.record.category is category]

    @property
    def flags(self) -> list[str]:
        return [
            v.shown["flag"] for v in self.of_category(RecordCategory.FLAGS) if "flag" in v.shown
        ]


def view_person(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    ref: str,
    purpose: Purpose | None,
    break_glass: str | None = None,
) -> PersonView:
    """Everything on the person this user may see for this purpose; every decision audited.

    Break-glass shows the whole record and alerts the supervisor and data protection officer.
    """
    if break_glass is not None and len(break_glass.strip()) < MIN_JUSTIFICATION:
        raise InvalidInput(
            "Break-glass needs a written justification.",
            [
                FieldError(
                    "justification",
                    f"Say why this emergency needs the whole record (at least "
                    f"{MIN_JUSTIFICATION} characters); it goes to your supervisor and the DPO.",
                )
            ],
        )
    with _transaction(db, clock) as conn:
        actor = _actor(conn, user)
        decider = _Decider(conn, clock, policy, actor, purpose, break_glass)
        view = _person_view(conn, decider, ref, Action.READ)
        if view is None:
            raise decider.refuse(_not_found(ref))
        if view.break_glass:
            _raise_alert(conn, clock, user, view.person.ref, break_glass or "")
        decider.write_audit()
        return view


def _person_view(
    conn: Connection, decider: _Decider, ref: str, action: Action
) -> PersonView | None:
    person = store.person_by_ref(conn, ref.strip().upper())
    if person is None or person.erased_at is not None:
        return None
    views: list[RecordView] = []
    withheld = 0
    glass = False
    for record in store.records_of(conn, [person.id]):
        decision = decider.decide(_record_ref(record), action)
        glass = glass or decision.break_glass
        if decision.allowed:
            views.append(_view(record, decision))
        else:
            withheld += 1
    referrals = []
    for referral in store.referrals_of(conn, person.id):
        decision = decider.decide(_referral_ref(referral), action)
        if decision.allowed:
            values = referral.values()
            referrals.append((referral, {k: v for k, v in values.items() if k in decision.fields}))
        else:
            withheld += 1
    if not views and not referrals:
        return None
    assert decider.purpose is not None  # a decision with no purpose allows nothing
    identity = next((v for v in views if v.record.kind is RecordKind.IDENTITY), None)
    name = display_name(identity.shown) if identity else ""
    return PersonView(
        person, name or person.ref, tuple(views), tuple(referrals), withheld, glass, decider.purpose
    )


def _raise_alert(
    conn: Connection, clock: Clock, user: StaffUser, person_ref: str, justification: str
) -> None:
    store.add_alert(conn, clock.now(), user.audit_name, user.agency_id, person_ref, justification)
    notified: set[str] = set()
    for role in ALERTED_ROLES:
        for reviewer in identity_store.users_with_role(conn, role, user.agency_id):
            if reviewer.email and reviewer.email not in notified and reviewer.id != user.id:
                notified.add(reviewer.email)
                outbox.enqueue(
                    conn,
                    clock,
                    channel=outbox.Channel.EMAIL,
                    recipient=reviewer.email,
                    subject=f"Break-glass access to safeguarding record {person_ref}",
                    # The justification stays inside SaferCity: the e-mail says where to look.
                    body=f"{user.display_name} ({user.role.label}) used break-glass access to "
                    f"safeguarding record {person_ref} at {clock.now():%d %b %Y %H:%M} UTC. "
                    "Review it under Safeguarding > Break-glass alerts.",
                    topic="safeguarding_alert",
                    topic_id=person_ref,
                )


# --- search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    person_ref: str
    owner_agency: str
    shown: Mapping[str, str]


def search_people(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    query: str,
    purpose: Purpose | None,
) -> list[SearchHit]:
    """People whose identity record the user may search, by name words or the hub reference.
    Only the identity fields the agreements allow are returned; every match is audited."""
    words = [w.lower() for w in query.split() if w.strip()][:5]
    if not words or len(" ".join(words)) < 2:
        raise InvalidInput(
            "Say whom to look for.",
            [FieldError("q", "Type at least two letters of a name, or a reference like SG-…")],
        )
    with _transaction(db, clock) as conn:
        actor = _actor(conn, user)
        decider = _Decider(conn, clock, policy, actor, purpose)
        hits = []
        for record in store.identity_matches(conn, words, MAX_SEARCH_RESULTS * 4):
            decision = decider.decide(_record_ref(record), Action.SEARCH)
            if decision.allowed:
                shown = _view(record, decision).shown
                hits.append(SearchHit(record.person_ref, record.owner_agency, shown))
            if len(hits) >= MAX_SEARCH_RESULTS:
                break
        decider.write_audit()
        return hits


# --- adding to the record ---------------------------------------------------------------------


def _own_create(
    decider: _Decider, person_ref: str, kind: RecordKind, values: Mapping[str, str]
) -> None:
    ref = RecordRef(
        "new record",
        decider.actor.agency,
        decider.actor.agency_kind,
        KINDS[kind].category,
        person_ref,
        frozenset(values),
    )
    decision = decider.decide(ref, Action.CREATE)
    if not decision.allowed:
        raise decider.refuse(Forbidden(decision.reason))


def _new_ref(conn: Connection) -> str:
    while True:
        ref = "SG-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
        if store.person_by_ref(conn, ref) is None:
            return ref


def create_person(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    identity: Mapping[str, object],
    purpose: Purpose | None,
) -> str:
    """A new person on the hub, with the identity record the user's agency holds on them."""
    values = clean_values(RecordKind.IDENTITY, identity)
    now = clock.now()
    with _transaction(db, clock) as conn:
        actor = _actor(conn, user)
        decider = _Decider(conn, clock, policy, actor, purpose)
        ref = _new_ref(conn)
        _own_create(decider, ref, RecordKind.IDENTITY, values)
        person_id = store.add_person(conn, ref, now, user.agency_id, None)
        store.add_record(
            conn, person_id, user.agency_id, RecordKind.IDENTITY, values, now, user.audit_name
        )
        _refresh_retention(conn, person_id)
        decider.write_audit()
        return ref


def add_record(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    person_ref: str,
    kind: RecordKind,
    raw: Mapping[str, object],
    purpose: Purpose | None,
) -> int:
    """Add a record the user's agency owns (a flag, contact, chronology entry, note...). The
    person must be one the user may already see for this purpose."""
    values = clean_values(kind, raw)
    with _transaction(db, clock) as conn:
        _check_link(conn, values)
        person = _visible_person(conn, clock, policy, user, person_ref, purpose)
        decider = _Decider(conn, clock, policy, _actor(conn, user), purpose)
        _own_create(decider, person.ref, kind, values)
        record_id = store.add_record(
            conn, person.id, user.agency_id, kind, values, clock.now(), user.audit_name
        )
        _refresh_retention(conn, person.id)
        decider.write_audit()
        return record_id


def _check_link(conn: Connection, values: Mapping[str, str]) -> None:
    link_type, link_ref = values.get("link_type"), values.get("link_ref", "")
    if link_type == "case" and not cases.exists(conn, link_ref):
        message = f"There is no case {link_ref[:40]!r}; check the reference (SC-XXXX-XXXX)."
    elif link_type == "incident" and not contact.incident_exists(conn, link_ref):
        message = f"There is no incident {link_ref[:20]!r}; check the number on the 999 board."
    else:
        return
    raise InvalidInput("The linked record was not found.", [FieldError("link_ref", message)])


def _visible_person(
    conn: Connection,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    ref: str,
    purpose: Purpose | None,
) -> Person:
    decider = _Decider(conn, clock, policy, _actor(conn, user), purpose)
    view = _person_view(conn, decider, ref, Action.READ)
    if view is None:
        raise decider.refuse(_not_found(ref))
    decider.write_audit()
    return view.person


def _refresh_retention(conn: Connection, person_id: int) -> None:
    until = retain_until(store.records_of(conn, [person_id]))
    if until is not None:
        store.set_retain_until(conn, person_id, until)


# --- risk assessments -------------------------------------------------------------------------


def record_dash(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    person_ref: str,
    answers: Mapping[int, Answer],
    purpose: Purpose | None,
    professional_judgement: bool = False,
    judgement_reason: str = "",
    incidents_last_12_months: int = 0,
    safety_plan: str = "",
) -> tuple[int, DashResult]:
    """Score a DASH checklist, keep it in the person's risk history, and say whether Marac is
    needed (repeat: a new incident within 12 months of their last Marac referral)."""
    now = clock.now()
    with _transaction(db, clock) as conn:
        person = _visible_person(conn, clock, policy, user, person_ref, purpose)
        last_marac = max(
            (
                r.created_at.date()
                for r in store.referrals_of(conn, person.id)
                if r.purpose == Purpose.DOMESTIC_ABUSE_MARAC
                and r.status is not ReferralStatus.DECLINED
            ),
            default=None,
        )
    assessment = DashAssessment(
        assessed_by=user.audit_name,
        assessed_at=now,
        answers=answers,
        professional_judgement=professional_judgement,
        judgement_reason=judgement_reason,
        incidents_last_12_months=incidents_last_12_months,
        last_marac_referral=last_marac,
    )
    result = assess(assessment)
    values = {
        "risk_level": result.level.value,
        "yes_count": str(result.yes_count),
        "marac_required": "yes" if result.marac_required else "no",
        "marac_reasons": "; ".join(r.label for r in result.marac_reasons),
        "answers": json.dumps({str(k): v.value for k, v in sorted(answers.items())}),
        "judgement_reason": judgement_reason,
        "safety_plan": safety_plan,
    }
    record_id = add_record(db, clock, policy, user, person.ref, RecordKind.DASH, values, purpose)
    return record_id, result


def record_missing_risk(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    person_ref: str,
    assessment: MissingAssessment,
    purpose: Purpose | None,
    notes: str = "",
) -> tuple[int, MissingRisk]:
    risk = grade_missing(assessment)
    values = {
        "risk_level": risk.level.value,
        "reasons": "; ".join(risk.reasons),
        "age": str(assessment.age),
        "notes": notes,
    }
    record_id = add_record(
        db, clock, policy, user, person_ref, RecordKind.MISSING_RISK, values, purpose
    )
    return record_id, risk


# --- referrals (the MASH workflow) ------------------------------------------------------------


def make_referral(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    person_ref: str,
    to_agency: str,
    purpose: Purpose | None,
    reason: str,
    consent: bool,
    lawful_basis_override: str | None = None,
) -> Referral:
    """Refer a person to another agency: refused unless consent or a lawful basis is recorded.
    The referral discloses the person's name and the reason to the receiving agency."""
    check_referral(consent, lawful_basis_override, reason)
    now = clock.now()
    with _transaction(db, clock) as conn:
        receiver = _partner(conn, to_agency.strip().upper())
        actor = _actor(conn, user)
        if receiver.code == actor.agency:
            raise InvalidInput(
                "A referral goes to another agency.",
                [FieldError("to_agency", "Choose an agency other than your own.")],
            )
        decider = _Decider(conn, clock, policy, actor, purpose)
        view = _person_view(conn, decider, person_ref, Action.READ)
        if view is None:
            raise decider.refuse(_not_found(person_ref))
        person = view.person
        draft = RecordRef(
            "new referral",
            actor.agency,
            actor.agency_kind,
            RecordCategory.REFERRALS,
            person.ref,
            REFERRAL_FIELDS,
        )
        decision = decider.decide(draft, Action.CREATE)
        if not decision.allowed:
            raise decider.refuse(Forbidden(decision.reason))
        referral_id = store.add_referral(
            conn,
            person_id=person.id,
            from_agency_id=user.agency_id,
            to_agency_id=receiver.agency_id,
            purpose=str(purpose),
            reason=reason.strip(),
            person_name=view.name,
            consent=consent,
            lawful_basis_override=(lawful_basis_override or "").strip() or None,
            status=ReferralStatus.OPEN.value,
            created_at=now,
            created_by=user.audit_name,
        )
        basis = "with consent" if consent else f"without consent: {lawful_basis_override}"
        decider.write_audit()
        _log(
            conn,
            clock,
            user,
            AuditAction.DISCLOSURE,
            person.ref,
            str(purpose),
            f"Referral {referral_id} to {receiver.name}, {basis}.",
            recipient=receiver.code,
        )
        if purpose is Purpose.DOMESTIC_ABUSE_MARAC:
            _ensure_flag(conn, user, person, Flag.MARAC_CASE, now)
        referral = store.referral_by_id(conn, referral_id)
        assert referral is not None
        return referral


def _ensure_flag(
    conn: Connection, user: StaffUser, person: Person, flag: Flag, at: datetime
) -> None:
    for record in store.records_of(conn, [person.id]):
        if (
            record.kind is RecordKind.FLAG
            and record.values.get("flag") == flag.value
            and record.owner_agency == user.agency_code
        ):
            return
    store.add_record(
        conn, person.id, user.agency_id, RecordKind.FLAG, {"flag": flag.value}, at, user.audit_name
    )


def referrals_for(
    db: Database, clock: Clock, policy: SharingPolicy, user: StaffUser, purpose: Purpose | None
) -> list[tuple[Referral, Mapping[str, str]]]:
    """Referrals the user's agency sent or received, as far as the user may read them."""
    with _transaction(db, clock) as conn:
        decider = _Decider(conn, clock, policy, _actor(conn, user), purpose)
        shown: list[tuple[Referral, Mapping[str, str]]] = []
        for referral in store.referrals_involving(conn, user.agency_id):
            decision = decider.decide(_referral_ref(referral), Action.READ)
            if decision.allowed:
                values = referral.values()
                shown.append((referral, {k: v for k, v in values.items() if k in decision.fields}))
        decider.write_audit()
        return shown


def answer_referral(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    referral_id: int,
    purpose: Purpose | None,
    accept: bool | None = None,
    decline_reason: str | None = None,
    outcome: str | None = None,
) -> Referral:
    """The receiving agency accepts, declines (with a reason) or records the outcome."""
    with _transaction(db, clock) as conn:
        decider = _Decider(conn, clock, policy, _actor(conn, user), purpose)
        referral = store.referral_by_id(conn, referral_id)
        if referral is None:
            raise _not_found(f"referral {referral_id}")
        decision = decider.decide(_referral_ref(referral), Action.UPDATE)
        if not decision.allowed or decider.actor.agency != referral.to_agency:
            if decision.allowed:  # the sender may read it, but only the receiver answers
                raise decider.refuse(
                    Forbidden("Only the agency the referral was sent to can answer it.")
                )
            raise decider.refuse(_not_found(f"referral {referral_id}"))
        values = _referral_answer(referral, accept, decline_reason, outcome)
        store.update_referral(conn, referral.id, **values)
        decider.write_audit()
        updated = store.referral_by_id(conn, referral.id)
        assert updated is not None
        return updated


def _referral_answer(
    referral: Referral, accept: bool | None, decline_reason: str | None, outcome: str | None
) -> dict[str, object]:
    if accept is True:
        if referral.status is not ReferralStatus.OPEN:
            raise Conflict(f"The referral is already {referral.status}.")
        return {"status": ReferralStatus.ACCEPTED.value}
    if accept is False:
        if referral.status is not ReferralStatus.OPEN:
            raise Conflict(f"The referral is already {referral.status}.")
        if not (decline_reason or "").strip():
            raise InvalidInput(
                "Say why you decline.",
                [FieldError("decline_reason", "Give the reason, so the referrer can act on it.")],
            )
        return {"status": ReferralStatus.DECLINED.value, "decline_reason": decline_reason}
    if outcome is not None and outcome.strip():
        if referral.status is not ReferralStatus.ACCEPTED:
            raise Conflict("Accept the referral before recording its outcome.")
        return {"status": ReferralStatus.CLOSED.value, "outcome": outcome.strip()}
    raise InvalidInput(
        "Say what to do with the referral.",
        [FieldError("outcome", "Accept it, decline it with a reason, or record the outcome.")],
    )


# --- Marac ------------------------------------------------------------------------------------


def create_meeting(
    db: Database,
    clock: Clock,
    user: StaffUser,
    held_on: date,
    title: str,
    agency_codes: Iterable[str],
) -> int:
    require(user, Permission.SAFEGUARDING)
    if not title.strip():
        raise InvalidInput("Name the meeting.", [FieldError("title", "Give the meeting a title.")])
    with _transaction(db, clock) as conn:
        _actor(conn, user)
        members = {_partner(conn, code.strip().upper()).agency_id for code in agency_codes}
        members.add(user.agency_id)
        return store.add_meeting(conn, held_on, title.strip(), user.agency_id, members, clock.now())


def _meeting_ref(meeting: MaracMeeting, person_ref: str) -> RecordRef:
    return RecordRef(
        f"marac {meeting.id}",
        meeting.chair_agency,
        meeting.chair_kind,
        RecordCategory.REFERRALS,
        person_ref,
        MARAC_FIELDS,
        addressed_to=meeting.agencies,
    )


@dataclass(frozen=True)
class MeetingView:
    meeting: MaracMeeting
    cases: tuple[tuple[str, Mapping[str, str]], ...]  # person ref, what the user may see


def view_meeting(
    db: Database, clock: Clock, policy: SharingPolicy, user: StaffUser, meeting_id: int
) -> MeetingView:
    """A Marac meeting's cases and actions, to the agencies that sit on it."""
    with _transaction(db, clock) as conn:
        decider = _Decider(conn, clock, policy, _actor(conn, user), Purpose.DOMESTIC_ABUSE_MARAC)
        meeting = store.meeting_by_id(conn, meeting_id)
        if meeting is None or decider.actor.agency not in meeting.agencies:
            raise _not_found(f"Marac meeting {meeting_id}")
        cases = []
        for case in meeting.cases:
            decision = decider.decide(_meeting_ref(meeting, case.person_ref), Action.READ)
            if decision.allowed:
                actions = "\n".join(
                    f"{a.agency}: {a.action}" + (f" (by {a.due_on})" if a.due_on else "")
                    for a in meeting.actions
                    if a.person_id == case.person_id
                )
                values = {
                    "person_name": case.person_name,
                    "risk_level": case.risk_level,
                    "referral_reason": case.referral_reason,
                    "actions": actions,
                }
                cases.append(
                    (case.person_ref, {k: v for k, v in values.items() if k in decision.fields})
                )
        if meeting.cases and not cases:
            raise decider.refuse(_not_found(f"Marac meeting {meeting_id}"))
        decider.write_audit()
        return MeetingView(meeting, tuple(cases))


def meetings_for(db: Database, user: StaffUser) -> list[MaracMeeting]:
    with db.transaction() as conn:
        _actor(conn, user)
        found = [store.meeting_by_id(conn, i) for i in store.meetings_for(conn, user.agency_id)]
        return [m for m in found if m is not None]


def add_marac_case(
    db: Database,
    clock: Clock,
    policy: SharingPolicy,
    user: StaffUser,
    meeting_id: int,
    person_ref: str,
    referral_id: int | None = None,
) -> None:
    """List a person at a meeting the user's agency chairs; the latest DASH level goes with it."""
    purpose = Purpose.DOMESTIC_ABUSE_MARAC
    with _transaction(db, clock) as conn:
        meeting = _chaired(conn, user, meeting_id)
        decider = _Decider(conn, clock, policy, _actor(conn, user), purpose)
        view = _person_view(conn, decider, person_ref, Action.READ)
        if view is None:
            raise decider.refuse(_not_found(person_ref))
        decider.write_audit()
        if store.marac_case_exists(conn, meeting.id, view.person.id):
            raise Conflict(f"{view.person.ref} is already listed at this meeting.")
        dash = [v for v in view.records if v.record.kind is RecordKind.DASH]
        level = dash[-1].shown.get("risk_level", "not shared") if dash else "not assessed"
        reason = next(
            (r.reason for r, _ in view.referrals if referral_id is None or r.id == referral_id),
            "",
        )
        store.add_marac_case(
            conn,
            meeting_id=meeting.id,
            person_id=view.person.id,
            referral_id=referral_id,
            risk_level=level,
            referral_reason=reason,
            person_name=view.name,
        )
        _log(
            conn,
            clock,
            user,
            AuditAction.DISCLOSURE,
            view.person.ref,
            purpose.value,
            f"Listed at Marac meeting {meeting.id} ({meeting.title}).",
            recipient=", ".join(sorted(meeting.agencies - {user.agency_code})),
        )


def add_marac_action(
    db: Database,
    clock: Clock,
    user: StaffUser,
    meeting_id: int,
    person_ref: str,
    agency: str,
    action: str,
    due_on: date | None = None,
) -> int:
    if not action.strip():
        raise InvalidInput("Say what the action is.", [FieldError("action", "Describe it.")])
    with _transaction(db, clock) as conn:
        meeting = _chaired(conn, user, meeting_id)
        case = next((c for c in meeting.cases if c.person_ref == person_ref.strip().upper()), None)
        if case is None:
            raise _not_found(person_ref)
        owner = _partner(conn, agency.strip().upper())
        if owner.code not in meeting.agencies:
            raise InvalidInput(
                "That agency is not at this meeting.",
                [FieldError("agency", "Choose an agency sitting on this Marac.")],
            )
        return store.add_marac_action(
            conn,
            meeting_id=meeting.id,
            person_id=case.person_id,
            agency_id=owner.agency_id,
            action=action.strip(),
            due_on=due_on,
            done=False,
        )


def _chaired(conn: Connection, user: StaffUser, meeting_id: int) -> MaracMeeting:
    _actor(conn, user)
    meeting = store.meeting_by_id(conn, meeting_id)
    if meeting is None or user.agency_code not in meeting.agencies:
        raise _not_found(f"Marac meeting {meeting_id}")
    if meeting.chair_agency != user.agency_code or not user.can(Permission.SAFEGUARDING):
        raise Forbidden("Only the agency chairing the meeting lists cases and actions.")
    return meeting


# --- audit, subject access, retention ---------------------------------------------------------


def audit_trail(db: Database, clock: Clock, user: StaffUser, person_ref: str) -> list[AuditEntry]:
    """Who did what with a person's records; reading it is itself logged."""
    require(user, Permission.READ_AUDIT)
    ref = person_ref.strip().upper()
    with _transaction(db, clock) as conn:
        if store.person_by_ref(conn, ref) is None:
            raise _not_found(ref)
        entries = audit.trail(conn, SUBJECT, ref)
        _log(
            conn,
            clock,
            user,
            AuditAction.CONSULTATION,
            ref,
            "audit of access to safeguarding records",
            f"Read the audit trail ({len(entries)} entries).",
        )
        return entries


def subject_access_export(
    db: Database, clock: Clock, policy: SharingPolicy, user: StaffUser, person_ref: str
) -> dict[str, object]:
    """Everything held on the person, by every agency, and every disclosure of it (UK GDPR Art
    15), for the data protection officer to review for exemptions and send."""
    require(user, Permission.SUBJECT_ACCESS)
    with _transaction(db, clock) as conn:
        decider = _Decider(conn, clock, policy, _actor(conn, user), Purpose.SUBJECT_ACCESS)
        view = _person_view(conn, decider, person_ref, Action.EXPORT)
        if view is None:
            raise decider.refuse(_not_found(person_ref))
        trail = audit.trail(conn, SUBJECT, view.person.ref)
        decider.write_audit()
        _log(
            conn,
            clock,
            user,
            AuditAction.DISCLOSURE,
            view.person.ref,
            Purpose.SUBJECT_ACCESS.value,
            f"Subject access export: {len(view.records)} records, "
            f"{len(view.referrals)} referrals, {len(trail)} log entries.",
            recipient="the data subject",
        )
        return {
            "person": view.person.ref,
            "created_at": view.person.created_at.isoformat(),
            "retain_until": view.person.retain_until.isoformat()
            if view.person.retain_until
            else None,
            "records": [
                {
                    "id": v.record.id,
                    "agency": v.record.owner_agency,
                    "category": v.record.category.value,
                    "kind": v.record.kind.value,
                    "recorded_at": v.record.created_at.isoformat(),
                    "fields": dict(v.shown),
                }
                for v in view.records
            ],
            "referrals": [
                {"id": r.id, "from": r.from_agency, "to": r.to_agency, **shown}
                for r, shown in view.referrals
            ],
            "disclosures": [_entry_json(e) for e in trail if e.action == AuditAction.DISCLOSURE],
            "processing_log": [_entry_json(e) for e in trail],
        }


def _entry_json(entry: AuditEntry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "purpose": entry.purpose,
        "recipient": entry.recipient,
        "detail": entry.detail,
    }


def erase_person(
    db: Database, clock: Clock, policy: SharingPolicy, user: StaffUser, person_ref: str, reason: str
) -> int:
    """Erase everything held on a person (retention ended, or an upheld Art 17 request). The
    audit log keeps that it happened, by whom and why; the records themselves are gone."""
    require(user, Permission.ERASE)
    if len(reason.strip()) < 10:
        raise InvalidInput(
            "Say why the records are erased.",
            [FieldError("reason", "Give the reason: retention ended, or the request upheld.")],
        )
    with _transaction(db, clock) as conn:
        decider = _Decider(conn, clock, policy, _actor(conn, user), Purpose.RETENTION)
        view = _person_view(conn, decider, person_ref, Action.ERASE)
        if view is None:
            raise decider.refuse(_not_found(person_ref))
        deleted = store.erase_person(conn, view.person.id, clock.now())
        decider.write_audit()
        _log(
            conn,
            clock,
            user,
            AuditAction.ERASURE,
            view.person.ref,
            Purpose.RETENTION.value,
            f"Erased {deleted} records and every referral: {reason.strip()}",
        )
        return deleted


def due_for_erasure(db: Database, clock: Clock, user: StaffUser) -> list[Person]:
    require(user, Permission.ERASE)
    with _transaction(db, clock) as conn:
        return store.people_due_for_erasure(conn, clock.now().date())


@dataclass(frozen=True)
class Alert:
    id: int
    at: datetime
    actor: str
    agency: str
    person_ref: str
    justification: str
    reviewed_by: str | None


def break_glass_alerts(db: Database, user: StaffUser) -> list[Alert]:
    """Break-glass uses to review: the DPO sees every agency's, a supervisor their own."""
    if not (user.can(Permission.READ_AUDIT) or user.role is Role.SAFEGUARDING_LEAD):
        raise Forbidden("Only supervisors, safeguarding leads and the DPO review break-glass use.")
    everyone = user.role is Role.DATA_PROTECTION_OFFICER
    with db.transaction() as conn:
        rows = store.alerts_for(conn, None if everyone else user.agency_id)
    return [
        Alert(
            r["id"],
            r["at"],
            r["actor"],
            r["code"],
            r["person_ref"],
            r["justification"],
            r["reviewed_by"],
        )
        for r in rows
    ]


def review_alert(db: Database, clock: Clock, user: StaffUser, alert_id: int) -> None:
    visible = {a.id for a in break_glass_alerts(db, user)}
    if alert_id not in visible:
        raise _not_found(f"alert {alert_id}")
    if any(a.id == alert_id and a.actor == user.audit_name for a in break_glass_alerts(db, user)):
        raise Forbidden("Someone else must review your own break-glass access.")
    with _transaction(db, clock) as conn:
        if not store.review_alert(conn, alert_id, user.audit_name, clock.now()):
            raise Conflict("This alert has already been reviewed.")


def dash_answers(raw: Mapping[str, str] | Sequence[str]) -> dict[int, Answer]:
    """Answers keyed by question number from a form or JSON ({"1": "yes", ...})."""
    items = raw.items() if isinstance(raw, Mapping) else enumerate(raw, start=1)
    answers: dict[int, Answer] = {}
    errors: list[FieldError] = []
    for key, value in items:
        try:
            answers[int(key)] = Answer(str(value))
        except ValueError:
            errors.append(FieldError(f"q{key}", "Answer yes, no or not_known."))
    if errors:
        raise InvalidInput("Some DASH answers are not valid.", errors)
    return answers
