"""Near-repeat warnings over HTTP: registering for them, and the CAP 1.2 alerts (public)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from safercity.platform.http import ContextDep
from safercity.prevention import warnings
from safercity.prevention.nearrepeat import (
    MAX_RADIUS_M,
    MIN_RADIUS_M,
    SubscriberKind,
    WarningChannel,
)

router = APIRouter(prefix="/api/v1/prevention", tags=["prevention"])
AlertId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The alert's number.")]
Token = Annotated[str, Path(min_length=10, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


class SubscriptionCreate(BaseModel):
    """An area to hear of near-repeat risk in, and how to be told."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "household",
                    "name": "Flat 3, Camberwell Grove",
                    "channel": "email",
                    "contact": "resident@example.org",
                    "lat": 51.4739,
                    "lon": -0.0911,
                    "radius_m": 100,
                    "crime_types": ["Burglary"],
                }
            ]
        },
    )

    kind: SubscriberKind
    name: str = Field(min_length=1, max_length=200, description="Who is registering.")
    channel: WarningChannel
    contact: str = Field(min_length=3, max_length=200, description="Email or UK mobile.")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(default=100, ge=MIN_RADIUS_M, le=MAX_RADIUS_M)
    crime_types: list[str] = Field(default_factory=lambda: ["Burglary"], min_length=1, max_length=5)


class SubscriptionCreated(BaseModel):
    id: int
    unsubscribe_url: str = Field(description="Keep this: it is shown only once.")


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    identifier: str
    crime_type: str
    location: str = Field(description="The anonymised map point's description.")
    lat: float
    lon: float
    radius_m: float
    sent: datetime
    expires: datetime
    advice: str
    cap_url: str


class AlertsOut(BaseModel):
    data: list[AlertOut]
    count: int


@router.post("/subscriptions", status_code=201, summary="Register an area for warnings")
def subscribe(body: SubscriptionCreate, ctx: ContextDep) -> SubscriptionCreated:
    subscription_id, token = warnings.subscribe(
        ctx.db,
        ctx.clock,
        warnings.NewSubscription(
            kind=body.kind,
            name=body.name,
            channel=body.channel,
            contact=body.contact,
            lat=body.lat,
            lon=body.lon,
            radius_m=body.radius_m,
            crime_types=tuple(body.crime_types),
        ),
    )
    return SubscriptionCreated(
        id=subscription_id, unsubscribe_url=f"/prevention/unsubscribe/{token}"
    )


@router.delete("/subscriptions/{token}", status_code=204, summary="Stop warnings")
def unsubscribe(token: Token, ctx: ContextDep) -> Response:
    warnings.unsubscribe(ctx.db, ctx.clock, token)
    return Response(status_code=204)


@router.get("/alerts", summary="Near-repeat alerts in force (open data)")
def alerts(
    ctx: ContextDep,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_m: Annotated[float, Query(ge=0, le=20_000)] = 1000,
    include_expired: bool = False,
) -> AlertsOut:
    near = (lat, lng, radius_m) if lat is not None and lng is not None else None
    found = warnings.current_alerts(ctx.db, ctx.clock, near, include_expired)
    data = [AlertOut(**a.__dict__, cap_url=f"/api/v1/prevention/alerts/{a.id}/cap") for a in found]
    return AlertsOut(data=data, count=len(data))


@router.get(
    "/alerts/{alert_id}/cap",
    summary="One alert as an OASIS CAP 1.2 document",
    response_class=Response,
    responses={200: {"content": {"application/cap+xml": {}}}},
)
def alert_cap(alert_id: AlertId, ctx: ContextDep) -> Response:
    return Response(
        warnings.alert_cap(ctx.db, alert_id),
        media_type="application/cap+xml",
        headers={"Access-Control-Allow-Origin": "*"},
    )
