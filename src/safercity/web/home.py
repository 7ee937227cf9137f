"""The front door: the public's choices, the way in for staff, and the city's map data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from safercity.city.boroughs import boundaries_geojson
from safercity.platform.http import render

router = APIRouter(include_in_schema=False)

# The boundaries change only with a release, so browsers may keep them for a day.
BOUNDARIES_CACHE = "public, max-age=86400"


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html")


@router.get("/city/boroughs.geojson")
def borough_boundaries() -> Response:
    """The city's borough boundaries, drawn by the offline report map."""
    return Response(
        boundaries_geojson(),
        media_type="application/geo+json",
        headers={"Cache-Control": BOUNDARIES_CACHE},
    )
