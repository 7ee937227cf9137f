"""Open data's use cases: the data.police.uk-shaped answers, read from the store of crime
events. No personal data: every point served is an anonymised map point."""

from __future__ import annotations

from datetime import date
from typing import Any

import shapely
from shapely.geometry import Polygon

from safercity.platform.db import Database
from safercity.platform.errors import FieldError, InvalidInput, NotFound
from safercity.prevention import opendata, police_uk, store
from safercity.prevention.model import box_around, distance_m, parse_month

MAX_CRIMES = 10_000  # data.police.uk refuses larger answers (503); we say so plainly


def forces() -> list[dict[str, str]]:
    return [{"id": force, "name": name} for force, name in police_uk.FORCES.items()]


def force(force_id: str) -> dict[str, Any]:
    name = police_uk.FORCES.get(force_id)
    if name is None:
        raise NotFound(f"There is no force {force_id!r}. The list is at /api/forces.")
    return {
        "id": force_id,
        "name": name,
        "description": None,
        "url": None,
        "telephone": "101",
        "engagement_methods": [],
    }


def _month(db: Database, text: str | None) -> date:
    if text:
        try:
            return parse_month(text, "date")
        except ValueError as error:
            raise InvalidInput("Bad date.", [FieldError("date", str(error))]) from None
    with db.transaction() as conn:
        _, last = store.months(conn)
    if last is None:
        raise NotFound("No crimes are held yet.")
    return last


def last_updated(db: Database) -> dict[str, str]:
    with db.transaction() as conn:
        _, last = store.months(conn)
    return {"date": f"{last:%Y-%m-01}" if last else ""}


def dates(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as conn:
        months = store.distinct_months(conn)
    return [{"date": f"{m:%Y-%m}", "stop-and-search": []} for m in sorted(months, reverse=True)]


def _category(slug: str) -> str | None:
    if slug == "all-crime":
        return None
    name = opendata.CATEGORY_NAMES.get(slug)
    if name is None:
        raise NotFound(f"There is no crime category {slug!r}. See /api/crime-categories.")
    return name


def _limited(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(found) > MAX_CRIMES:
        raise InvalidInput(
            "Too many crimes for one answer.",
            [FieldError("area", f"Ask for a smaller area: more than {MAX_CRIMES} crimes.")],
        )
    return found


def crimes_at_point(
    db: Database, slug: str, lat: float, lng: float, month_text: str | None
) -> list[dict[str, Any]]:
    """Crimes within a mile of the point in the month (the latest held by default)."""
    category = _category(slug)
    month = _month(db, month_text)
    with db.transaction() as conn:
        candidates = store.crimes_in_box(
            conn, month, box_around(lat, lng, opendata.ONE_MILE_M), category, MAX_CRIMES + 1
        )
    near = [
        c
        for c in candidates
        if distance_m(lat, lng, c.public_lat, c.public_lon) <= opendata.ONE_MILE_M
    ]
    return _limited([opendata.street_crime(c) for c in near])


def crimes_in_area(
    db: Database, slug: str, poly: str, month_text: str | None
) -> list[dict[str, Any]]:
    """Crimes inside a custom area (``lat,lng:lat,lng:...``) in the month."""
    category = _category(slug)
    try:
        points = opendata.parse_poly(poly)
    except ValueError:
        raise InvalidInput(
            "Bad area.",
            [FieldError("poly", "Give at least 3 points as lat,lng:lat,lng:lat,lng.")],
        ) from None
    month = _month(db, month_text)
    area = Polygon([(lng, lat) for lat, lng in points])
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    with db.transaction() as conn:
        candidates = store.crimes_in_box(
            conn, month, (min(lats), min(lngs), max(lats), max(lngs)), category, MAX_CRIMES + 1
        )
    inside = [c for c in candidates if shapely.contains_xy(area, c.public_lon, c.public_lat)]
    return _limited([opendata.street_crime(c) for c in inside])


def outcomes_for_crime(db: Database, persistent_id: str) -> dict[str, Any]:
    with db.transaction() as conn:
        crime = store.crime_by_id(conn, persistent_id)
    if crime is None:
        raise NotFound(f"There is no crime with persistent id {persistent_id!r}.")
    return opendata.outcomes_for(crime)
