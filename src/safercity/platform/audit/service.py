"""Writing to and checking the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.engine import Connection

from safercity.platform.audit import store
from safercity.platform.audit.model import AuditEntry, AuditRecord, ChainBreak, first_break
from safercity.platform.clock import Clock
from safercity.platform.db import Database, before_commit


class _PendingEntries(list[tuple[datetime, AuditRecord]]):
    """This transaction's entries, appended to the chain as it commits."""

    def __call__(self, conn: Connection) -> None:
        store.append(conn, self)


def record(conn: Connection, clock: Clock, *records: AuditRecord) -> None:
    """Log processing of personal data in the same transaction as the processing itself.

    The entries are appended just before the transaction commits, and only if it commits: the
    chain's lock is then held for the shortest time, and a rolled-back use case logs nothing.
    """
    now = clock.now()
    before_commit(conn, "audit", _PendingEntries).extend((now, r) for r in records)


def verify(
    db: Database,
    progress: Callable[[Iterable[AuditEntry], int], Iterable[AuditEntry]] | None = None,
) -> tuple[int, ChainBreak | None]:
    """How many entries the log holds, and the first break in its chain if there is one.

    ``progress`` may wrap the entries as they are read (the CLI shows a progress bar).
    """
    with db.engine.connect() as conn:
        head_seq, head_hash = store.head(conn)
        entries: Iterable[AuditEntry] = store.entries(conn)
        if progress is not None:
            entries = progress(entries, head_seq)
        result = first_break(entries, head_seq, head_hash)
    return head_seq, result


def trail(conn: Connection, subject_type: str, subject_id: str) -> list[AuditEntry]:
    return store.entries_about(conn, subject_type, subject_id)
