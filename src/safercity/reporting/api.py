"""The public REST contract for reporting a crime and following it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safercity.cases.victims_code import EnhancedRightsAnswers
from safercity.cases.vocabulary import CRIME_TYPES, ContactChannel
from safercity.platform.http import ContextDep, client_address
from safercity.reporting import service
from safercity.reporting.model import ReportDraft, fingerprint

router = APIRouter(prefix="/api/v1/reports", tags=["public reports"])

CrimeType = Literal[CRIME_TYPES]  # type: ignore[valid-type]
# Free text is bounded so one request cannot fill the disk.
ShortText = Annotated[str, Field(max_length=200)]


class LocationIn(BaseModel):
    text: Annotated[str | None, Field(max_length=500)] = None
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None


class VictimIn(BaseModel):
    name: ShortText
    preferred_channel: ContactChannel
    email: ShortText | None = None
    phone: Annotated[str | None, Field(max_length=40)] = None
    address: Annotated[str | None, Field(max_length=500)] = None


class EnhancedRightsIn(BaseModel):
    under_18: bool = False
    disability_or_mental_health: bool = False
    fear_or_distress_about_giving_evidence: bool = False
    persistently_targeted: bool = False
    domestic_abuse: bool = False
    hate_crime: bool = False
    sexual_offence: bool = False
    bereaved_by_crime: bool = False


class ReportCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "crime_type": "Burglary",
                    "description": "Someone broke the back door and took a laptop and a bike.",
                    "occurred_from": "2026-11-20T18:00:00Z",
                    "occurred_to": "2026-11-20T22:30:00Z",
                    "location": {
                        "text": "12 Acacia Avenue, SE15 4AB",
                        "latitude": 51.4700,
                        "longitude": -0.0690,
                    },
                    "victim": {
                        "name": "Sam Taylor",
                        "preferred_channel": "email",
                        "email": "sam.taylor@example.com",
                        "phone": "07700 900123",
                    },
                    "reporter_is_victim": True,
                    "enhanced_rights": {"under_18": False, "persistently_targeted": False},
                }
            ]
        }
    )

    crime_type: CrimeType
    description: Annotated[str, Field(min_length=1, max_length=5000)]
    occurred_from: AwareDatetime
    occurred_to: AwareDatetime | None = None
    location: LocationIn
    victim: VictimIn
    reporter_is_victim: bool = True
    enhanced_rights: EnhancedRightsIn = EnhancedRightsIn()


class ReportCreated(BaseModel):
    reference: str = Field(examples=["SC-7K3M-9Q2D"])
    tracking_code: str = Field(
        examples=["ABCDE-FGHIJ"],
        description="Keep it private: with the reference it shows the case.",
    )


class TimelineEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    title: str
    detail: str


class ReportStatus(BaseModel):
    """What the victim may see of their case (read from the case file's ``VictimView``)."""

    model_config = ConfigDict(from_attributes=True)

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
    timeline: list[TimelineEntryPublic]


class VictimMessageCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "information", "text": "I found a neighbour's doorbell video."}]
        }
    )

    kind: Literal["information", "message"]
    text: Annotated[str, Field(min_length=1, max_length=5000)]


TrackingCode = Annotated[
    str,
    Header(
        alias="X-Tracking-Code",
        max_length=40,
        description="The private code given with the reference.",
    ),
]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def draft_of(body: ReportCreate) -> ReportDraft:
    return ReportDraft(
        crime_type=body.crime_type,
        description=body.description,
        occurred_from=body.occurred_from,
        occurred_to=body.occurred_to,
        location_text=body.location.text,
        latitude=body.location.latitude,
        longitude=body.location.longitude,
        victim_name=body.victim.name,
        preferred_channel=body.victim.preferred_channel.value,
        email=body.victim.email,
        phone=body.victim.phone,
        address=body.victim.address,
    )


@router.post("", status_code=201, response_model=ReportCreated, summary="Report a crime")
def create_report(
    body: ReportCreate,
    ctx: ContextDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ReportCreated:
    """Report a crime. Send an `Idempotency-Key` so a retry never makes a second report."""
    result = service.submit(
        ctx.db,
        ctx.clock,
        ctx.settings.signing_key,
        draft_of(body),
        EnhancedRightsAnswers(**body.enhanced_rights.model_dump()),
        reporter_is_victim=body.reporter_is_victim,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint(body.model_dump_json()),
    )
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return ReportCreated(reference=result.reference, tracking_code=result.tracking_code)


@router.get("/{reference}", response_model=ReportStatus, summary="Follow a report")
def get_report(
    reference: Annotated[str, Path(max_length=40)],
    ctx: ContextDep,
    request: Request,
    tracking_code: TrackingCode,
) -> ReportStatus:
    """The case's status and what the victim may see of it. A wrong code is a 404."""
    view = service.track(
        ctx.db,
        ctx.clock,
        ctx.settings.signing_key,
        service.TrackingPolicy.from_settings(ctx.settings),
        reference,
        tracking_code,
        client_address(request),
    )
    return ReportStatus.model_validate(view)


@router.post(
    "/{reference}/messages",
    status_code=201,
    response_model=ReportStatus,
    summary="Add information or message the officer",
)
def add_message(
    reference: Annotated[str, Path(max_length=40)],
    body: VictimMessageCreate,
    ctx: ContextDep,
    request: Request,
    tracking_code: TrackingCode,
) -> ReportStatus:
    view = service.add_to_report(
        ctx.db,
        ctx.clock,
        ctx.settings.signing_key,
        service.TrackingPolicy.from_settings(ctx.settings),
        reference,
        tracking_code,
        client_address(request),
        body.kind,
        body.text,
    )
    return ReportStatus.model_validate(view)
