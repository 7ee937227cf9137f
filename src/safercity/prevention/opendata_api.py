"""The data.police.uk API's shapes, served from the platform's own records (open data).

The paths are data.police.uk's (``/api/forces``, ``/api/crimes-street/all-crime?lat=&lng=``,
``/api/outcomes-for-crime/{persistent_id}``...), so a client written for it, pointed at this
server's ``/api/``, works unchanged. No sign-in; any site may read them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from safercity.platform.errors import FieldError, InvalidInput
from safercity.platform.http import ContextDep
from safercity.prevention import opendata, opendata_service

router = APIRouter(prefix="/api", tags=["open data (data.police.uk shapes)"])
OPEN = {"Access-Control-Allow-Origin": "*"}
Month = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; the latest by default.")
]
Slug = Annotated[str, Path(pattern=r"^[a-z-]{1,40}$", description="A category's url.")]


def _open(body: Any) -> JSONResponse:
    return JSONResponse(body, headers=OPEN)


@router.get("/forces", summary="Police forces (data.police.uk shape)")
def forces() -> JSONResponse:
    return _open(opendata_service.forces())


@router.get("/forces/{force_id}", summary="One police force")
def force(force_id: Annotated[str, Path(pattern=r"^[a-z-]{1,40}$")]) -> JSONResponse:
    return _open(opendata_service.force(force_id))


@router.get("/crime-categories", summary="Crime categories (data.police.uk shape)")
def crime_categories(date: Month = None) -> JSONResponse:
    return _open(opendata.categories())


@router.get("/crime-last-updated", summary="The latest month held")
def crime_last_updated(ctx: ContextDep) -> JSONResponse:
    return _open(opendata_service.last_updated(ctx.db))


@router.get("/crimes-street-dates", summary="Months with street-level crimes")
def crimes_street_dates(ctx: ContextDep) -> JSONResponse:
    return _open(opendata_service.dates(ctx.db))


@router.get("/crimes-street/{category}", summary="Street-level crimes near a point or in an area")
def crimes_street(
    category: Slug,
    ctx: ContextDep,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
    poly: Annotated[str | None, Query(max_length=4000)] = None,
    date: Month = None,
) -> JSONResponse:
    """Within a mile of ``lat``/``lng``, or inside ``poly`` (lat,lng:lat,lng:...), for a month.
    Points are anonymised map points, as police.uk publishes."""
    if poly is not None:
        return _open(opendata_service.crimes_in_area(ctx.db, category, poly, date))
    if lat is None or lng is None:
        raise InvalidInput(
            "Say where.", [FieldError("lat", "Give lat and lng, or poly for an area.")]
        )
    return _open(opendata_service.crimes_at_point(ctx.db, category, lat, lng, date))


class AreaForm(BaseModel):
    """A custom area too long for a URL, as data.police.uk takes it by POST."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"poly": "51.47,-0.10:51.48,-0.10:51.48,-0.08:51.47,-0.08", "date": "2023-12"}
            ]
        },
    )

    poly: str = Field(max_length=20_000, description="lat,lng:lat,lng:... (3 points or more).")
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")


@router.post("/crimes-street/{category}", summary="Street-level crimes in a large custom area")
def crimes_street_area(
    category: Slug, ctx: ContextDep, area: Annotated[AreaForm, Form()]
) -> JSONResponse:
    return _open(opendata_service.crimes_in_area(ctx.db, category, area.poly, area.date))


@router.get("/outcomes-for-crime/{persistent_id}", summary="A crime and its outcomes")
def outcomes_for_crime(
    persistent_id: Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9:_-]+$")],
    ctx: ContextDep,
) -> JSONResponse:
    return _open(opendata_service.outcomes_for_crime(ctx.db, persistent_id))
