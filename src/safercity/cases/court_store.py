"""Queries of the file's journey to the prosecutor and the court: review notes and hearings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, RowMapping

from safercity.cases.casefile import Hearing, ProsecutionNote
from safercity.cases.store import cases, hearings, prosecution_notes


def add_prosecution_note(
    conn: Connection, case_id: int, at: datetime, author: str, decision: str, text: str
) -> None:
    conn.execute(
        prosecution_notes.insert().values(
            case_id=case_id, at=at, author=author, decision=decision, text=text
        )
    )


def prosecution_notes_of(conn: Connection, case_id: int) -> list[ProsecutionNote]:
    query = (
        select(prosecution_notes)
        .where(prosecution_notes.c.case_id == case_id)
        .order_by(prosecution_notes.c.id)
    )
    return [
        ProsecutionNote(
            at=row["at"], author=row["author"], decision=row["decision"], text=row["text"]
        )
        for row in conn.execute(query).mappings()
    ]


def add_hearing(conn: Connection, **values: Any) -> int:
    result = conn.execute(hearings.insert().values(**values)).inserted_primary_key
    assert result is not None
    return int(result[0])


def _hearing(row: RowMapping) -> Hearing:
    return Hearing(
        id=row["id"],
        court_agency_id=row["court_agency_id"],
        court_name=row["court_name"],
        starts_at=row["starts_at"],
        place=row["place"],
        result=row["result"],
        result_at=row["result_at"],
    )


def hearings_of(conn: Connection, case_id: int) -> list[Hearing]:
    query = select(hearings).where(hearings.c.case_id == case_id).order_by(hearings.c.starts_at)
    return [_hearing(row) for row in conn.execute(query).mappings()]


def hearing(conn: Connection, case_id: int, hearing_id: int) -> Hearing | None:
    query = select(hearings).where(hearings.c.case_id == case_id, hearings.c.id == hearing_id)
    row = conn.execute(query).mappings().first()
    return _hearing(row) if row else None


def update_hearing(conn: Connection, hearing_id: int, **values: Any) -> None:
    conn.execute(update(hearings).where(hearings.c.id == hearing_id).values(**values))


def court_diary(
    conn: Connection, court_agency_id: int, since: datetime, limit: int = 200
) -> list[tuple[str, Hearing]]:
    """Hearings at a court from ``since`` on (and any still without a result), soonest first."""
    query = (
        select(hearings, cases.c.reference)
        .join(cases, cases.c.id == hearings.c.case_id)
        .where(hearings.c.court_agency_id == court_agency_id)
        .where((hearings.c.starts_at >= since) | hearings.c.result.is_(None))
        .order_by(hearings.c.starts_at)
        .limit(limit)
    )
    return [(row["reference"], _hearing(row)) for row in conn.execute(query).mappings()]
