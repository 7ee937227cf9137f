"""The public prevention page: the warnings in force for an area, registering for them, and
stopping them. No sign-in: anyone may read warnings and register a place."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from safercity.city.boroughs import city_boroughs
from safercity.platform.errors import FieldError, InvalidInput, NotFound
from safercity.platform.http import ContextDep, PostedForm, render
from safercity.prevention import warnings
from safercity.prevention.nearrepeat import SubscriberKind, WarningChannel

router = APIRouter(include_in_schema=False)
RADII = (100, 200, 400, 1000)
PLACE_FIELDS = ("location.latitude", "location.longitude")


def _page(
    request: Request,
    ctx: ContextDep,
    borough: str = "",
    values: dict[str, str] | None = None,
    error_for: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    chosen = city_boroughs().by_name(borough) if borough else None
    near = None
    if chosen is not None:
        shape = city_boroughs().shapes[city_boroughs().boroughs.index(chosen)]
        centre = shape.representative_point()
        # A borough's own reach: from its centre to its furthest corner.
        min_x, min_y, max_x, max_y = shape.bounds
        reach = max(max_x - min_x, max_y - min_y) * 111_320 * 0.7
        near = (centre.y, centre.x, reach)
    return render(
        request,
        "prevention/warnings_index.html",
        status_code=status_code,
        alerts=warnings.current_alerts(ctx.db, ctx.clock, near),
        boroughs=[b.name for b in city_boroughs().boroughs],
        borough=borough if chosen else "",
        kinds=[(k.value, k.label) for k in SubscriberKind],
        channels=[(c.value, c.label) for c in WarningChannel],
        crime_types=warnings.WARNED_TYPES,
        radii=RADII,
        values=values or {"kind": "household", "channel": "email", "radius_m": "100"},
        error_for=error_for or {},
    )


@router.get("/prevention")
def prevention_page(request: Request, ctx: ContextDep, borough: str = "") -> Response:
    return _page(request, ctx, borough)


def _place(posted: dict[str, str]) -> tuple[float, float]:
    """The pin, or else the chosen borough's centre."""
    try:
        return float(posted["location.latitude"]), float(posted["location.longitude"])
    except (KeyError, ValueError):
        pass
    found = city_boroughs().by_name(posted.get("place_borough", ""))
    if found is None:
        raise InvalidInput(
            "Say where.",
            [FieldError("location.latitude", "Put a pin on the map, or choose a borough.")],
        )
    shape = city_boroughs().shapes[city_boroughs().boroughs.index(found)]
    point = shape.representative_point()
    return point.y, point.x


def _request(posted: dict[str, str]) -> warnings.NewSubscription:
    errors: list[FieldError] = []
    try:
        kind = SubscriberKind(posted.get("kind", ""))
    except ValueError:
        errors.append(FieldError("kind", "Choose who is registering."))
    try:
        channel = WarningChannel(posted.get("channel", ""))
    except ValueError:
        errors.append(FieldError("channel", "Choose email or text message."))
    radius = posted.get("radius_m", "")
    if not radius.isdigit():
        errors.append(FieldError("radius_m", "Choose how far around the place."))
    if errors:
        raise InvalidInput("Check the form.", errors)
    lat, lon = _place(posted)
    return warnings.NewSubscription(
        kind=kind,
        name=posted.get("name", ""),
        channel=channel,
        contact=posted.get("contact", ""),
        lat=lat,
        lon=lon,
        radius_m=float(radius),
        crime_types=tuple(t for t in warnings.WARNED_TYPES if posted.get(f"type.{t}")) or (),
    )


@router.post("/prevention/register")
def register(request: Request, ctx: ContextDep, posted: PostedForm) -> Response:
    try:
        subscription_id, token = warnings.subscribe(ctx.db, ctx.clock, _request(posted))
    except InvalidInput as error:
        fields = {f.field: f.message for f in error.field_errors}
        if "location" in fields:
            fields["location.latitude"] = fields.pop("location")
        return _page(request, ctx, values=posted, error_for=fields, status_code=422)
    return render(
        request,
        "prevention/warnings_registered.html",
        unsubscribe_url=f"/prevention/unsubscribe/{token}",
        subscription_id=subscription_id,
    )


Token = Annotated[str, Path(min_length=10, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/prevention/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: Token) -> Response:
    return render(request, "prevention/warnings_unsubscribe.html", token=token, done=False)


@router.post("/prevention/unsubscribe/{token}")
def unsubscribe(request: Request, ctx: ContextDep, token: Token) -> Response:
    try:
        warnings.unsubscribe(ctx.db, ctx.clock, token)
    except NotFound as error:
        return render(request, "error.html", status_code=404, error=error)
    return render(request, "prevention/warnings_unsubscribe.html", token=token, done=True)
