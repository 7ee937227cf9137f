"""The 999 API: take a call, see incidents, get the recommendation, send units, merge duplicates."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response

from safercity.contact import handover, service
from safercity.contact.eido import to_eido
from safercity.contact.grading import grade
from safercity.contact.http import RuleDep, TaxonomyDep, TravelDep
from safercity.contact.model import (
    Call,
    Location,
    RiskLevel,
    Thrive,
    VulnerabilityFlag,
    open_incident,
)
from safercity.contact.schemas import (
    CallCreate,
    CallDetailOut,
    CallOut,
    DispatchCreate,
    DuplicateOut,
    EventOut,
    IncidentDetailOut,
    IncidentOut,
    IncidentTypeOut,
    KeepSeparateCreate,
    MergeCreate,
    RecommendationOut,
)
from safercity.contact.service import IncidentDetail, NewCall
from safercity.contact.taxonomy import KeyAnswers, load_taxonomy
from safercity.dispatch.capabilities import Service
from safercity.platform.errors import PayloadTooLarge
from safercity.platform.http import PROBLEM_RESPONSES, ApiUser, ContextDep

MAX_EIDO_BYTES = 1_000_000

router = APIRouter(prefix="/api/v1", tags=["999"])

IncidentId = Annotated[
    int, Path(ge=1, le=2_147_483_647, description="The incident's number.", examples=[1])
]
CallSign = Annotated[str, Path(min_length=1, max_length=64, examples=["A21-P1"])]


@cache
def eido_example() -> dict[str, Any]:
    """A valid EIDO for the import's OpenAPI example: a cardiac arrest by County Hall."""
    kind = load_taxonomy().get("cardiac_arrest")
    at = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    call = Call(
        "1",
        at,
        Location(51.50335, -0.11953, "County Hall, SE1 7PB"),
        "Man collapsed, not breathing",
        "07700 900123",
    )
    incident = open_incident("1", call, grade(kind, KeyAnswers(conscious=False, breathing=False)))
    return to_eido(
        incident, [], {}, agency=handover.JOINT_SERVICE, sent_at=at, type_label=kind.label
    )


def new_call(body: CallCreate) -> NewCall:
    thrive = body.thrive
    return NewCall(
        lat=body.location.lat,
        lon=body.location.lon,
        address=body.location.address,
        description=body.description,
        type_code=body.incident_type,
        callback_number=body.callback_number,
        caller_name=body.caller_name,
        answers=KeyAnswers(**body.answers.model_dump()),
        flags=frozenset(VulnerabilityFlag(f) for f in body.flags),
        thrive=Thrive(
            threat=thrive.threat,
            harm=thrive.harm,
            risk=thrive.risk,
            investigation=thrive.investigation,
            vulnerability=thrive.vulnerability,
            engagement=thrive.engagement,
            override=RiskLevel(thrive.override) if thrive.override else None,
            override_reason=thrive.override_reason,
        ),
        overrides={Service(k): v for k, v in body.priority.items()},
        merge_into=body.merge_into,
    )


def detail_out(detail: IncidentDetail) -> IncidentDetailOut:
    base = IncidentOut.of(detail.view)
    thrive = detail.view.incident.thrive
    return IncidentDetailOut(
        **base.model_dump(),
        thrive={
            name: getattr(thrive, name)
            for name in ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
        },
        call_list=[
            CallDetailOut(
                id=int(c.id),
                received_at=c.received_at,
                caller_name=c.caller_name,
                callback_number=c.callback_number,
                address=c.location.address,
                description=c.description,
            )
            for c in detail.view.incident.calls
        ],
        timeline=[
            EventOut(at=e.at, kind=e.kind, text=e.text, actor=e.actor) for e in detail.events
        ],
        likely_duplicates=[DuplicateOut.of(d) for d in detail.likely_duplicates],
    )


@router.post("/calls", response_model=CallOut, status_code=201, summary="Take a 999 call")
def take_call(
    body: CallCreate,
    response: Response,
    ctx: ContextDep,
    user: ApiUser,
    taxonomy: TaxonomyDep,
    rule: RuleDep,
) -> CallOut:
    """Record a call: it opens a graded incident, or joins `merge_into`. The answer names open
    incidents the call may duplicate; merge with `POST /incidents/{id}/merge`."""
    outcome = service.take_call(ctx.db, ctx.clock, user, taxonomy, rule, new_call(body))
    response.headers["Location"] = f"/api/v1/incidents/{outcome.incident.id}"
    return CallOut.of(outcome)


@router.get(
    "/calls/likely-duplicates",
    response_model=list[DuplicateOut],
    summary="Open incidents a call being taken may be about",
)
def likely_duplicates(
    ctx: ContextDep,
    user: ApiUser,
    rule: RuleDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    callback_number: Annotated[str | None, Query(max_length=32)] = None,
) -> list[DuplicateOut]:
    found = service.likely_duplicates_of(
        ctx.db, ctx.clock, user, lat=lat, lon=lon, callback_number=callback_number, rule=rule
    )
    return [DuplicateOut.of(d) for d in found]


@router.get("/incident-types", response_model=list[IncidentTypeOut], summary="The taxonomy")
def incident_types(user: ApiUser, taxonomy: TaxonomyDep) -> list[IncidentTypeOut]:
    del user  # staff only
    return [
        IncidentTypeOut(
            code=t.code,
            label=t.label,
            services=[s.value for s in t.plans],
            right_care_right_person=t.right_care_right_person,
        )
        for t in sorted(taxonomy.types.values(), key=lambda t: t.label)
    ]


@router.get("/incidents", response_model=list[IncidentOut], summary="Open incidents")
def open_incidents(
    ctx: ContextDep, user: ApiUser, taxonomy: TaxonomyDep, rule: RuleDep
) -> list[IncidentOut]:
    """Open incidents, most urgent first, then oldest."""
    return [IncidentOut.of(v) for v in service.board(ctx.db, user, taxonomy, rule).incidents]


@router.get("/incidents/{incident_id}", response_model=IncidentDetailOut, summary="An incident")
def get_incident(
    incident_id: IncidentId, ctx: ContextDep, user: ApiUser, taxonomy: TaxonomyDep, rule: RuleDep
) -> IncidentDetailOut:
    """Everything on the incident, its callers included (the read is audited)."""
    return detail_out(service.incident_detail(ctx.db, ctx.clock, user, taxonomy, rule, incident_id))


@router.get(
    "/incidents/{incident_id}/recommendation",
    response_model=RecommendationOut,
    summary="The units to send, with ETAs and why",
)
def get_recommendation(
    incident_id: IncidentId, ctx: ContextDep, user: ApiUser, travel: TravelDep
) -> RecommendationOut:
    """The available units that cover every need by its deadline with the fewest vehicles and
    earliest arrivals, on top of units already sent. `degraded` says why there is none."""
    _, found = service.recommendation(ctx.db, ctx.clock, travel, user, incident_id)
    return RecommendationOut.of(incident_id, found)


@router.post(
    "/incidents/{incident_id}/assignments",
    response_model=IncidentOut,
    summary="Send units (all or none)",
)
def send_units(
    incident_id: IncidentId,
    body: DispatchCreate,
    ctx: ContextDep,
    user: ApiUser,
    taxonomy: TaxonomyDep,
    travel: TravelDep,
) -> IncidentOut:
    """A unit already sent here is refused (nothing is sent twice); one committed to a less
    urgent incident is diverted only with `confirm_divert`."""
    view = service.send_units(
        ctx.db,
        ctx.clock,
        travel,
        user,
        taxonomy,
        incident_id,
        body.units,
        confirm_divert=body.confirm_divert,
    )
    return IncidentOut.of(view)


@router.post(
    "/incidents/{incident_id}/assignments/{call_sign}/stand-down",
    status_code=204,
    summary="Stand a unit down",
)
def stand_down(
    incident_id: IncidentId, call_sign: CallSign, ctx: ContextDep, user: ApiUser
) -> None:
    service.stand_down(ctx.db, ctx.clock, user, incident_id, call_sign)


@router.post(
    "/incidents/{incident_id}/merge",
    response_model=IncidentOut,
    summary="Merge a duplicate into another incident",
)
def merge(
    incident_id: IncidentId,
    body: MergeCreate,
    ctx: ContextDep,
    user: ApiUser,
    taxonomy: TaxonomyDep,
) -> IncidentOut:
    """This incident joins `into`: every call is kept, its units move over."""
    return IncidentOut.of(service.merge(ctx.db, ctx.clock, user, taxonomy, incident_id, body.into))


@router.post(
    "/incidents/{incident_id}/keep-separate",
    status_code=204,
    summary="Not a duplicate: stop offering the pair",
)
def keep_separate(
    incident_id: IncidentId, body: KeepSeparateCreate, ctx: ContextDep, user: ApiUser
) -> None:
    service.keep_separate(ctx.db, ctx.clock, user, incident_id, body.other)


@router.post("/incidents/{incident_id}/close", response_model=IncidentOut, summary="Close")
def close(
    incident_id: IncidentId, ctx: ContextDep, user: ApiUser, taxonomy: TaxonomyDep
) -> IncidentOut:
    """Close an incident once every unit has cleared."""
    return IncidentOut.of(service.close_incident(ctx.db, ctx.clock, user, taxonomy, incident_id))


@router.get(
    "/incidents/{incident_id}/eido",
    summary="The incident as a NENA EIDO document",
    response_model=dict[str, Any],
)
def export_eido(
    incident_id: IncidentId,
    ctx: ContextDep,
    user: ApiUser,
    taxonomy: TaxonomyDep,
    recipient: Annotated[
        str,
        Query(
            min_length=1,
            max_length=handover.MAX_RECIPIENT,
            description="Who receives it: the disclosure is audited with this recipient.",
        ),
    ] = "another agency's CAD",
) -> dict[str, Any]:
    """NENA-STA-021 Emergency Incident Data Object: how the joint service hands an incident to
    another agency's system (calls, location, THRIVE notes, units and their status)."""
    return handover.export_eido(ctx.db, ctx.clock, user, taxonomy, incident_id, recipient)


@router.post(
    "/incidents/eido",
    response_model=CallOut,
    status_code=201,
    summary="Receive an incident from another agency as an EIDO",
    responses={413: {**PROBLEM_RESPONSES[422], "description": "The document is over 1 MB."}},
    # EIDO links its parts with "$ref" members: given as a media-type example, which OpenAPI
    # tools read as a literal value, not inside the schema, where "$ref" means a JSON reference.
    openapi_extra={"requestBody": {"content": {"application/json": {"example": eido_example()}}}},
)
def import_eido(
    document: Annotated[dict[str, Any], Body()],
    response: Response,
    ctx: ContextDep,
    user: ApiUser,
    taxonomy: TaxonomyDep,
    rule: RuleDep,
    content_length: Annotated[int | None, Header(ge=0)] = None,
    incident_type: Annotated[
        str | None,
        Query(max_length=60, description="Our incident type, if the document's is not ours."),
    ] = None,
) -> CallOut:
    """The document is checked against the EIDO schema, then taken like a call: graded and
    offered as a duplicate of an open incident where it is one."""
    if content_length is not None and content_length > MAX_EIDO_BYTES:
        raise PayloadTooLarge(f"An EIDO document may be at most {MAX_EIDO_BYTES} bytes.")
    outcome = handover.import_eido(ctx.db, ctx.clock, user, taxonomy, rule, document, incident_type)
    response.headers["Location"] = f"/api/v1/incidents/{outcome.incident.id}"
    return CallOut.of(outcome)
