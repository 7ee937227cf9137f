"""Open data in data.police.uk's API shapes, so that existing clients work unchanged.

Shapes follow data.police.uk/docs (forces, crime-categories, crimes-street, outcomes-for-crime,
crime-last-updated, crimes-street-dates). Every location is an anonymised map point, as
police.uk publishes: the street-level point, never the place a crime happened.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from safercity.prevention.model import StoredCrime

# data.police.uk's category slugs (its /api/crime-categories), by the name its files use.
CATEGORY_SLUGS: dict[str, str] = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
    "Other crime": "other-crime",
    # Before April 2013.
    "Violent crime": "violent-crime",
    "Public disorder and weapons": "public-disorder-weapons",
}
CATEGORY_NAMES: dict[str, str] = {
    slug: name for name, slug in reversed(list(CATEGORY_SLUGS.items()))
}
ONE_MILE_M = 1609.344


def categories() -> list[dict[str, str]]:
    """/api/crime-categories: "all-crime" first, then each category."""
    listed = [{"url": "all-crime", "name": "All crime and ASB"}]
    seen: set[str] = set()
    for name, slug in CATEGORY_SLUGS.items():
        if slug not in seen and name not in ("Violent crime",):
            listed.append({"url": slug, "name": name})
            seen.add(slug)
    return listed


def outcome_code(name: str) -> str:
    """An outcome's code: its published name as a slug ("Offender fined" → "offender-fined")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def street_id(lat: float, lon: float) -> int:
    """A stable number for an anonymised map point (the API's ``street.id``)."""
    digest = hashlib.sha1(f"{lat:.6f},{lon:.6f}".encode()).hexdigest()  # noqa: S324 - an id
    return int(digest[:7], 16)


def _month(value: date) -> str:
    return f"{value:%Y-%m}"


def street_crime(crime: StoredCrime) -> dict[str, Any]:
    """A crime as /api/crimes-street returns it."""
    street = crime.location.strip() or "On or near an anonymised point"
    return {
        "category": CATEGORY_SLUGS.get(crime.crime_type, "other-crime"),
        "location_type": "Force",
        "location": {
            "latitude": f"{crime.public_lat:.6f}",
            "street": {"id": street_id(crime.public_lat, crime.public_lon), "name": street},
            "longitude": f"{crime.public_lon:.6f}",
        },
        "context": "",
        "outcome_status": (
            {"category": crime.outcome, "date": _month(crime.outcome_month or crime.month)}
            if crime.outcome
            else None
        ),
        "persistent_id": crime.crime_id,
        "id": crime.id,
        "location_subtype": "",
        "month": _month(crime.month),
    }


def outcomes_for(crime: StoredCrime) -> dict[str, Any]:
    """/api/outcomes-for-crime/{persistent_id}: the crime and its outcomes. The store keeps
    the latest outcome (data.police.uk's files publish only that), dated by the month it was
    reached where known, else the crime's month."""
    shown = street_crime(crime)
    shown.pop("outcome_status")
    outcomes = []
    if crime.outcome:
        outcomes.append(
            {
                "category": {"code": outcome_code(crime.outcome), "name": crime.outcome},
                "date": _month(crime.outcome_month or crime.month),
                "person_id": None,
            }
        )
    return {"crime": shown, "outcomes": outcomes}


def parse_poly(text: str) -> list[tuple[float, float]]:
    """``lat,lng:lat,lng:...`` as data.police.uk takes a custom area; ValueError if bad."""
    points = []
    for pair in text.strip().split(":"):
        lat, lng = (float(v) for v in pair.split(","))
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError(pair)
        points.append((lat, lng))
    if len(points) < 3:
        raise ValueError(text)
    return points
