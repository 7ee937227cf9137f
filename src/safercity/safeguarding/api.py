"""The safeguarding hub's API. Every route goes through the service, and so through the one
policy decision point and the audit log; a `purpose` is required on every read of a person."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from safercity.platform.http import ApiUser, AppContext, ContextDep
from safercity.safeguarding import service
from safercity.safeguarding.agreements import Purpose
from safercity.safeguarding.model import RecordKind, Referral
from safercity.safeguarding.policy import SharingPolicy
from safercity.safeguarding.risk import MissingAssessment

router = APIRouter(prefix="/api/v1/safeguarding", tags=["safeguarding"])

PersonRef = Annotated[
    str,
    Path(min_length=3, max_length=40, description="The hub's reference.", examples=["SG-7K3M9Q2D"]),
]
ItemId = Annotated[int, Path(ge=1, le=2_147_483_647)]
PurposeQuery = Annotated[
    Purpose, Query(description="Why you are looking (UK GDPR Art 5(1)(b)); required.")
]
Text = Annotated[str, Field(max_length=4000)]


def _policy(ctx: AppContext) -> SharingPolicy:
    return service.hub_policy(ctx.settings.sharing_agreements)


class RecordOut(BaseModel):
    id: int
    agency: str
    category: str
    kind: str
    recorded_at: datetime
    recorded_by: str
    fields: dict[str, str] = Field(description="Only the fields you may see for this purpose.")
    withheld: list[str] = Field(description="Names of fields the agreements do not share.")


class ReferralOut(BaseModel):
    id: int
    person_ref: str
    from_agency: str
    to_agency: str
    created_at: datetime
    fields: dict[str, str]


class PersonOut(BaseModel):
    ref: str
    name: str = Field(description="The name, if you may see it; otherwise the reference.")
    purpose: str
    break_glass: bool
    records: list[RecordOut]
    referrals: list[ReferralOut]
    withheld_records: int = Field(description="Records held that you may not see at all.")


def _referral_out(referral: Referral, shown: dict[str, str] | Any) -> ReferralOut:
    return ReferralOut(
        id=referral.id,
        person_ref=referral.person_ref,
        from_agency=referral.from_agency,
        to_agency=referral.to_agency,
        created_at=referral.created_at,
        fields=dict(shown),
    )


def _person_out(view: service.PersonView) -> PersonOut:
    return PersonOut(
        ref=view.person.ref,
        name=view.name,
        purpose=view.purpose.value,
        break_glass=view.break_glass,
        records=[
            RecordOut(
                id=v.record.id,
                agency=v.record.owner_agency,
                category=v.record.category.value,
                kind=v.record.kind.value,
                recorded_at=v.record.created_at,
                recorded_by=v.record.created_by,
                fields=dict(v.shown),
                withheld=list(v.withheld),
            )
            for v in view.records
        ],
        referrals=[_referral_out(r, shown) for r, shown in view.referrals],
        withheld_records=view.withheld_records,
    )


class PersonCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "purpose": "domestic_abuse_marac",
                    "identity": {"given_name": "Maya", "family_name": "Singh"},
                }
            ]
        },
    )
    purpose: Purpose
    identity: dict[Annotated[str, Field(max_length=40)], Text] = Field(
        description="given_name and family_name; optionally date_of_birth (YYYY-MM-DD), gender, "
        "address, postcode, phone, nhs_number."
    )


class PersonCreated(BaseModel):
    ref: str


class SearchHitOut(BaseModel):
    ref: str
    agency: str
    fields: dict[str, str]


class RecordCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "purpose": "domestic_abuse_marac",
                    "kind": "flag",
                    "fields": {"flag": "domestic_abuse_victim"},
                }
            ]
        },
    )
    purpose: Purpose
    kind: RecordKind
    fields: dict[Annotated[str, Field(max_length=40)], Text]


class Created(BaseModel):
    id: int


class BreakGlass(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "purpose": "mental_health_crisis",
                    "justification": "Unconscious at the scene; need the crisis plan and "
                    "next of kin now",
                }
            ]
        },
    )
    purpose: Purpose
    justification: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="Why this emergency needs the whole record (at least 20 characters)."
    )


class DashIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"purpose": "domestic_abuse_marac", "answers": {"1": "yes", "2": "no"}}]
        },
    )
    purpose: Purpose
    answers: dict[Annotated[str, Field(pattern=r"^[0-9]{1,2}$")], str] = Field(
        description="Question number to yes, no or not_known; all 27 questions."
    )
    professional_judgement: bool = False
    judgement_reason: Text = ""
    incidents_last_12_months: int = Field(default=0, ge=0, le=1000)
    safety_plan: Text = ""


class DashOut(BaseModel):
    record_id: int
    yes_count: int
    risk_level: str
    marac_required: bool
    marac_reasons: list[str]


class MissingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "purpose": "missing_person",
                    "age": 14,
                    "exploitation": True,
                    "previous_episodes": 2,
                }
            ]
        },
    )
    purpose: Purpose
    age: int = Field(ge=0, le=130)
    vulnerable: bool = False
    mental_health_crisis: bool = False
    risk_of_harm_to_self: bool = False
    risk_of_harm_to_others: bool = False
    exploitation: bool = False
    previous_episodes: int = Field(default=0, ge=0, le=1000)
    notes: Text = ""


class MissingOut(BaseModel):
    record_id: int
    risk_level: str
    reasons: list[str]


class ReferralCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "person_ref": "SG-7K3M9Q2D",
                    "to_agency": "SOLACE",
                    "purpose": "domestic_abuse_marac",
                    "reason": "DASH high risk (15 yes)",
                    "consent": True,
                }
            ]
        },
    )
    person_ref: Annotated[str, Field(min_length=3, max_length=40)]
    to_agency: Annotated[str, Field(min_length=1, max_length=20)]
    purpose: Purpose
    reason: Text
    consent: bool
    lawful_basis_override: Text | None = None


class ReferralAnswer(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"purpose": "domestic_abuse_marac", "reason": ""}]},
    )
    purpose: Purpose
    reason: Text = ""


class ReferralOutcome(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"purpose": "domestic_abuse_marac", "outcome": "Safety plan agreed; IDVA allocated"}
            ]
        },
    )
    purpose: Purpose
    outcome: Text


class MeetingCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "held_on": "2026-12-01",
                    "title": "Southwark Marac",
                    "agencies": ["SOLACE", "SOUTHWARK"],
                }
            ]
        },
    )
    held_on: date
    title: Annotated[str, Field(max_length=200)]
    agencies: list[Annotated[str, Field(max_length=20)]] = Field(max_length=60)


class MeetingCase(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"person_ref": "SG-7K3M9Q2D"}]}
    )
    person_ref: Annotated[str, Field(min_length=3, max_length=40)]
    referral_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class MeetingAction(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "person_ref": "SG-7K3M9Q2D",
                    "agency": "SOLACE",
                    "action": "IDVA to make contact within 24 hours",
                    "due_on": "2026-12-02",
                }
            ]
        },
    )
    person_ref: Annotated[str, Field(min_length=3, max_length=40)]
    agency: Annotated[str, Field(min_length=1, max_length=20)]
    action: Text
    due_on: date | None = None


class MeetingOut(BaseModel):
    id: int
    held_on: date
    title: str
    chair: str
    agencies: list[str]
    cases: list[dict[str, str]]


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    purpose: str
    recipient: str | None
    detail: str


class ErasureIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Retention period ended with no further involvement"}]
        },
    )
    reason: Text


class Erased(BaseModel):
    records_erased: int


class AlertOut(BaseModel):
    id: int
    at: datetime
    actor: str
    agency: str
    person_ref: str
    justification: str
    reviewed_by: str | None


class AgreementOut(BaseModel):
    id: str
    title: str
    provider: str
    recipient: str
    purposes: list[str]
    shares: dict[str, list[str] | None]
    lawful_basis: str
    valid_from: date
    valid_until: date | None


@router.get("/agreements", response_model=list[AgreementOut], summary="Sharing agreements")
def agreements(ctx: ContextDep, user: ApiUser) -> list[AgreementOut]:
    """The information-sharing agreements in force or on file: what goes where, and why."""
    return [
        AgreementOut.model_validate(service.agreement_summary(a))
        for a in service.hub_agreements(ctx.settings.sharing_agreements)
    ]


@router.post("/people", status_code=201, response_model=PersonCreated, summary="Add a person")
def create_person(ctx: ContextDep, user: ApiUser, body: PersonCreate) -> PersonCreated:
    ref = service.create_person(ctx.db, ctx.clock, _policy(ctx), user, body.identity, body.purpose)
    return PersonCreated(ref=ref)


@router.get("/people", response_model=list[SearchHitOut], summary="Search people")
def search_people(
    ctx: ContextDep,
    user: ApiUser,
    purpose: PurposeQuery,
    q: Annotated[str, Query(max_length=100, description="Name words or an SG- reference.")],
) -> list[SearchHitOut]:
    """Only people whose identity an agreement lets you search for this purpose."""
    hits = service.search_people(ctx.db, ctx.clock, _policy(ctx), user, q, purpose)
    return [
        SearchHitOut(ref=h.person_ref, agency=h.owner_agency, fields=dict(h.shown)) for h in hits
    ]


@router.get("/people/{ref}", response_model=PersonOut, summary="Read a person's records")
def read_person(ctx: ContextDep, user: ApiUser, ref: PersonRef, purpose: PurposeQuery) -> PersonOut:
    view = service.view_person(ctx.db, ctx.clock, _policy(ctx), user, ref, purpose)
    return _person_out(view)


@router.post("/people/{ref}/break-glass", response_model=PersonOut, summary="Break-glass read")
def break_glass(ctx: ContextDep, user: ApiUser, ref: PersonRef, body: BreakGlass) -> PersonOut:
    """The whole record in an emergency; the supervisor and the DPO are alerted at once."""
    view = service.view_person(
        ctx.db, ctx.clock, _policy(ctx), user, ref, body.purpose, body.justification
    )
    return _person_out(view)


@router.post("/people/{ref}/records", status_code=201, response_model=Created)
def add_record(ctx: ContextDep, user: ApiUser, ref: PersonRef, body: RecordCreate) -> Created:
    """Add a record your agency owns: a flag, contact, chronology event, note..."""
    record_id = service.add_record(
        ctx.db, ctx.clock, _policy(ctx), user, ref, body.kind, body.fields, body.purpose
    )
    return Created(id=record_id)


@router.post("/people/{ref}/dash", status_code=201, response_model=DashOut, summary="DASH")
def dash(ctx: ContextDep, user: ApiUser, ref: PersonRef, body: DashIn) -> DashOut:
    """Score the domestic-abuse DASH checklist; 14 or more "yes" is high risk and means Marac."""
    record_id, result = service.record_dash(
        ctx.db,
        ctx.clock,
        _policy(ctx),
        user,
        ref,
        service.dash_answers(body.answers),
        body.purpose,
        professional_judgement=body.professional_judgement,
        judgement_reason=body.judgement_reason,
        incidents_last_12_months=body.incidents_last_12_months,
        safety_plan=body.safety_plan,
    )
    return DashOut(
        record_id=record_id,
        yes_count=result.yes_count,
        risk_level=result.level.value,
        marac_required=result.marac_required,
        marac_reasons=[r.label for r in result.marac_reasons],
    )


@router.post("/people/{ref}/missing-risk", status_code=201, response_model=MissingOut)
def missing_risk(ctx: ContextDep, user: ApiUser, ref: PersonRef, body: MissingIn) -> MissingOut:
    """Grade a missing person's risk: low, medium or high, with every reason."""
    assessment = MissingAssessment(
        assessed_by=user.audit_name,
        assessed_at=ctx.clock.now(),
        age=body.age,
        vulnerable=body.vulnerable,
        mental_health_crisis=body.mental_health_crisis,
        risk_of_harm_to_self=body.risk_of_harm_to_self,
        risk_of_harm_to_others=body.risk_of_harm_to_others,
        exploitation=body.exploitation,
        previous_episodes=body.previous_episodes,
    )
    record_id, risk = service.record_missing_risk(
        ctx.db, ctx.clock, _policy(ctx), user, ref, assessment, body.purpose, body.notes
    )
    return MissingOut(record_id=record_id, risk_level=risk.level.value, reasons=list(risk.reasons))


@router.get("/people/{ref}/audit", response_model=list[AuditEntryOut], summary="Audit trail")
def audit_trail(ctx: ContextDep, user: ApiUser, ref: PersonRef) -> list[AuditEntryOut]:
    """Every access to the person's records, allowed and refused; this read is logged too."""
    entries = service.audit_trail(ctx.db, ctx.clock, user, ref)
    return [
        AuditEntryOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            purpose=e.purpose,
            recipient=e.recipient,
            detail=e.detail,
        )
        for e in entries
    ]


@router.get("/people/{ref}/subject-access", summary="Subject access export")
def subject_access(ctx: ContextDep, user: ApiUser, ref: PersonRef) -> dict[str, object]:
    """Everything held on the person and every disclosure of it (data protection officer)."""
    return service.subject_access_export(ctx.db, ctx.clock, _policy(ctx), user, ref)


class DueOut(BaseModel):
    ref: str
    retain_until: date | None


@router.get("/retention", response_model=list[DueOut], summary="Records due for erasure")
def retention(ctx: ContextDep, user: ApiUser) -> list[DueOut]:
    """People whose retention period has ended, oldest first (data protection officer)."""
    due = service.due_for_erasure(ctx.db, ctx.clock, user)
    return [DueOut(ref=p.ref, retain_until=p.retain_until) for p in due]


@router.post("/people/{ref}/erase", response_model=Erased, summary="Erase a person's records")
def erase(ctx: ContextDep, user: ApiUser, ref: PersonRef, body: ErasureIn) -> Erased:
    deleted = service.erase_person(ctx.db, ctx.clock, _policy(ctx), user, ref, body.reason)
    return Erased(records_erased=deleted)


@router.post("/referrals", status_code=201, response_model=ReferralOut, summary="Refer")
def make_referral(ctx: ContextDep, user: ApiUser, body: ReferralCreate) -> ReferralOut:
    """Refer a person to another agency; refused without consent or a recorded lawful basis."""
    referral = service.make_referral(
        ctx.db,
        ctx.clock,
        _policy(ctx),
        user,
        body.person_ref,
        body.to_agency,
        body.purpose,
        body.reason,
        body.consent,
        body.lawful_basis_override,
    )
    return _referral_out(referral, referral.values())


@router.get("/referrals", response_model=list[ReferralOut], summary="My agency's referrals")
def referrals(ctx: ContextDep, user: ApiUser, purpose: PurposeQuery) -> list[ReferralOut]:
    found = service.referrals_for(ctx.db, ctx.clock, _policy(ctx), user, purpose)
    return [_referral_out(r, shown) for r, shown in found]


@router.post("/referrals/{referral_id}/accept", response_model=ReferralOut)
def accept(
    ctx: ContextDep, user: ApiUser, referral_id: ItemId, body: ReferralAnswer
) -> ReferralOut:
    referral = service.answer_referral(
        ctx.db, ctx.clock, _policy(ctx), user, referral_id, body.purpose, accept=True
    )
    return _referral_out(referral, referral.values())


@router.post("/referrals/{referral_id}/decline", response_model=ReferralOut)
def decline(
    ctx: ContextDep, user: ApiUser, referral_id: ItemId, body: ReferralAnswer
) -> ReferralOut:
    referral = service.answer_referral(
        ctx.db,
        ctx.clock,
        _policy(ctx),
        user,
        referral_id,
        body.purpose,
        accept=False,
        decline_reason=body.reason,
    )
    return _referral_out(referral, referral.values())


@router.post("/referrals/{referral_id}/outcome", response_model=ReferralOut)
def outcome(
    ctx: ContextDep, user: ApiUser, referral_id: ItemId, body: ReferralOutcome
) -> ReferralOut:
    referral = service.answer_referral(
        ctx.db, ctx.clock, _policy(ctx), user, referral_id, body.purpose, outcome=body.outcome
    )
    return _referral_out(referral, referral.values())


@router.post("/marac", status_code=201, response_model=Created, summary="Plan a Marac meeting")
def create_meeting(ctx: ContextDep, user: ApiUser, body: MeetingCreate) -> Created:
    meeting_id = service.create_meeting(
        ctx.db, ctx.clock, user, body.held_on, body.title, body.agencies
    )
    return Created(id=meeting_id)


@router.get("/marac/{meeting_id}", response_model=MeetingOut, summary="A Marac meeting")
def meeting(ctx: ContextDep, user: ApiUser, meeting_id: ItemId) -> MeetingOut:
    view = service.view_meeting(ctx.db, ctx.clock, _policy(ctx), user, meeting_id)
    return MeetingOut(
        id=view.meeting.id,
        held_on=view.meeting.held_on,
        title=view.meeting.title,
        chair=view.meeting.chair_agency,
        agencies=sorted(view.meeting.agencies),
        cases=[{"person_ref": ref, **shown} for ref, shown in view.cases],
    )


@router.post("/marac/{meeting_id}/cases", status_code=204, summary="List a case at Marac")
def add_case(ctx: ContextDep, user: ApiUser, meeting_id: ItemId, body: MeetingCase) -> None:
    service.add_marac_case(
        ctx.db, ctx.clock, _policy(ctx), user, meeting_id, body.person_ref, body.referral_id
    )


@router.post("/marac/{meeting_id}/actions", status_code=201, response_model=Created)
def add_action(ctx: ContextDep, user: ApiUser, meeting_id: ItemId, body: MeetingAction) -> Created:
    action_id = service.add_marac_action(
        ctx.db, ctx.clock, user, meeting_id, body.person_ref, body.agency, body.action, body.due_on
    )
    return Created(id=action_id)


@router.get("/alerts", response_model=list[AlertOut], summary="Break-glass alerts")
def alerts(ctx: ContextDep, user: ApiUser) -> list[AlertOut]:
    return [
        AlertOut(
            id=a.id,
            at=a.at,
            actor=a.actor,
            agency=a.agency,
            person_ref=a.person_ref,
            justification=a.justification,
            reviewed_by=a.reviewed_by,
        )
        for a in service.break_glass_alerts(ctx.db, user)
    ]


@router.post("/alerts/{alert_id}/review", status_code=204, summary="Mark an alert reviewed")
def review(ctx: ContextDep, user: ApiUser, alert_id: ItemId) -> None:
    service.review_alert(ctx.db, ctx.clock, user, alert_id)
