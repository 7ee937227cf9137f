"""The London demo loads cases at every stage, once, through the real use cases."""

from __future__ import annotations

from sqlalchemy import text

from safercity.platform.audit import service as audit
from safercity.platform.db import Database
from safercity.platform.http import AppContext
from safercity.web.demo import load_demo


def test_demo_puts_cases_at_every_stage_and_loads_only_once(ctx: AppContext, db: Database) -> None:
    accounts = load_demo(ctx)
    assert {"investigator", "prosecutor", "clerk", "supervisor"} <= {a.username for a in accounts}
    with db.transaction() as conn:
        statuses = dict(
            conn.execute(text("SELECT status, COUNT(*) FROM cases GROUP BY status")).all()
        )
        total = sum(statuses.values())
    assert total >= 30
    assert {
        "reported",
        "under_investigation",
        "with_prosecutor",
        "awaiting_court",
        "closed",
    } <= set(statuses)
    load_demo(ctx)
    with db.transaction() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM cases")).scalar_one() == total
    checked, broken = audit.verify(db)
    assert broken is None and checked > total


def test_demo_loads_the_london_fleet_and_live_999_work(ctx: AppContext, db: Database) -> None:
    load_demo(ctx)
    with db.transaction() as conn:
        units = dict(
            conn.execute(text("SELECT service, COUNT(*) FROM units GROUP BY service")).all()
        )
        incidents = conn.execute(text("SELECT COUNT(*) FROM incidents")).scalar_one()
        sent = conn.execute(text("SELECT COUNT(*) FROM assignments")).scalar_one()
    assert sum(units.values()) == 799
    assert set(units) == {"fire", "ambulance", "police", "health"}
    assert incidents >= 4 and sent >= 3
    load_demo(ctx)  # the fleet is upserted: loading again adds no unit
    with db.transaction() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM units")).scalar_one() == 799


def test_demo_puts_people_on_the_safeguarding_hub_once(ctx: AppContext, db: Database) -> None:
    load_demo(ctx)
    load_demo(ctx)
    with db.transaction() as conn:
        people = conn.execute(text("SELECT COUNT(*) FROM safeguarding_people")).scalar_one()
        partners = conn.execute(text("SELECT COUNT(*) FROM safeguarding_partners")).scalar_one()
    assert (people, partners) == (2, 8)
