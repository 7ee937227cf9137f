"""Live 999 work for the demo board: a few open incidents, some with units on the way.

Calls go through the same use cases a call handler uses, at demo street locations.
"""

from __future__ import annotations

from safercity.contact import service as contact
from safercity.contact.duplicates import DuplicateRule
from safercity.contact.http import taxonomy_from, travel_from
from safercity.contact.model import Thrive, VulnerabilityFlag
from safercity.contact.service import NewCall
from safercity.contact.taxonomy import KeyAnswers
from safercity.platform.http import AppContext
from safercity.platform.identity.model import StaffUser

# (type, lat, lon, address, what the caller said, answers, flags, dispatch the recommendation)
DEMO_CALLS: tuple[tuple[str, float, float, str, str, KeyAnswers, tuple[str, ...], bool], ...] = (
    (
        "house_fire_persons_reported",
        51.45498,
        -0.101975,
        "Oborne Close, Lambeth",
        "Smoke from an upstairs window, neighbour thinks someone is still inside.",
        KeyAnswers(persons_reported=True),
        (),
        True,
    ),
    (
        "cardiac_arrest",
        51.506583,
        -0.316584,
        "Lancaster Gardens, Ealing",
        "My father has collapsed and is not breathing.",
        KeyAnswers(conscious=False, breathing=False),
        ("older_person",),
        True,
    ),
    (
        "mental_health_crisis",
        51.595683,
        -0.276663,
        "Brinkburn Gardens, Brent",
        "My son is very distressed and talking about hurting himself; no weapons, no crime.",
        KeyAnswers(crime_in_progress=False, risk_to_life=False),
        ("mental_health",),
        False,
    ),
    (
        "burglary_in_progress",
        51.48023,
        -0.25233,
        "Anstice Close, Hounslow",
        "Two men are climbing over the back fence of the house opposite.",
        KeyAnswers(crime_in_progress=True, suspect_on_scene=True),
        (),
        False,
    ),
)


def load_demo_incidents(ctx: AppContext, handler: StaffUser) -> None:
    taxonomy = taxonomy_from(ctx.settings.taxonomy)
    travel = travel_from(ctx.settings.travel_model, ctx.settings.road_graph)
    rule = DuplicateRule(ctx.settings.duplicate_within_s, ctx.settings.duplicate_within_m)
    for code, lat, lon, address, said, answers, flags, send in DEMO_CALLS:
        outcome = contact.take_call(
            ctx.db,
            ctx.clock,
            handler,
            taxonomy,
            rule,
            NewCall(
                lat=lat,
                lon=lon,
                address=address,
                description=said,
                type_code=code,
                callback_number="020 7946 0" + str(100 + len(address)),
                caller_name="Demo caller",
                answers=answers,
                flags=frozenset(VulnerabilityFlag(f) for f in flags),
                thrive=Thrive(threat="As the caller describes", harm="See description"),
            ),
        )
        if not send:
            continue
        _, found = contact.recommendation(ctx.db, ctx.clock, travel, handler, outcome.incident.id)
        signs = [c.unit.call_sign for c in found.chosen]
        if signs:
            contact.send_units(
                ctx.db, ctx.clock, travel, handler, taxonomy, outcome.incident.id, signs
            )
