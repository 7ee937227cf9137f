"""The public's side of the case file: opening it from a report and the victim's view."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from safercity.cases import service as cases
from safercity.cases.model import NewCrimeReport, VictimDetails
from safercity.cases.vocabulary import ContactChannel
from safercity.platform import outbox
from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database


def a_report(clock: FixedClock, **victim: object) -> NewCrimeReport:
    details = {
        "name": "Sam Taylor",
        "preferred_channel": ContactChannel.EMAIL,
        "email": "sam@example.com",
    }
    details.update(victim)
    return NewCrimeReport(
        crime_type="Burglary",
        description="Back door forced; laptop taken.",
        occurred_from=clock.now() - timedelta(days=1),
        occurred_to=None,
        location_text="12 Acacia Avenue",
        latitude=None,
        longitude=None,
        borough="Southwark",
        victim=VictimDetails(**details),  # type: ignore[arg-type]
    )


def test_opening_a_report_gives_a_crockford_reference_and_queues_an_acknowledgement(
    db: Database, clock: FixedClock
) -> None:
    with db.transaction() as conn:
        reference = cases.open_from_report(conn, clock, a_report(clock))
        assert cases.exists(conn, reference)
        messages = outbox.messages_about(conn, "case", reference)
    with db.transaction() as conn:  # audit entries are appended as their transaction commits
        trail = audit.trail(conn, "case", reference)
    assert re.fullmatch(r"SC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference)
    assert [m.recipient for m in messages] == ["sam@example.com"]
    assert messages[0].channel is outbox.Channel.EMAIL
    assert [(e.actor, e.action, e.purpose) for e in trail] == [
        ("public:online-report", "collection", "crime report by the public")
    ]


def test_references_are_unique_and_unknown_ones_do_not_exist(
    db: Database, clock: FixedClock
) -> None:
    with db.transaction() as conn:
        refs = {cases.open_from_report(conn, clock, a_report(clock)) for _ in range(20)}
        assert not cases.exists(conn, "SC-0000-0000")
    assert len(refs) == 20


def test_victim_view_shows_status_next_steps_and_the_report_received_entry(
    db: Database, clock: FixedClock
) -> None:
    with db.transaction() as conn:
        reference = cases.open_from_report(conn, clock, a_report(clock))
        view = cases.victim_view(conn, clock, reference)
    with db.transaction() as conn:
        trail = audit.trail(conn, "case", reference)
    assert view is not None
    assert view.status == "reported"
    assert "24 hours" in view.next_steps
    assert [e.title for e in view.timeline] == ["Report received"]
    assert view.officer_name is None
    assert trail[-1].actor == "victim:tracking-code"
    assert trail[-1].action == "consultation"


def test_victim_view_of_an_unknown_reference_is_none(db: Database, clock: FixedClock) -> None:
    with db.transaction() as conn:
        assert cases.victim_view(conn, clock, "SC-0000-0000") is None


def test_a_victim_message_tells_them_who_reads_it_and_by_when(
    db: Database, clock: FixedClock
) -> None:
    with db.transaction() as conn:
        reference = cases.open_from_report(conn, clock, a_report(clock))
        cases.add_victim_message(conn, clock, reference, "message", "Any news?")
        view = cases.victim_view(conn, clock, reference)
        from safercity.cases.store import victim_messages

        stored = conn.execute(select(victim_messages.c.text)).scalars().all()
    assert view is not None
    entry = view.timeline[-1]
    assert entry.title == "You sent a message"
    assert "officer in the case, or their supervisor if they are away" in entry.detail
    # Monday 23 November + 2 working days = Wednesday 25 November.
    assert "Wednesday 25 November" in entry.detail
    assert stored == ["Any news?"]
