"""The audit log's hash chain: any edit, removal or reordering is found and named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from safercity.platform.audit.model import (
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    AuditRecord,
    entry_hash,
    first_break,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _chain(n: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        record = AuditRecord(
            actor=f"user{seq}@MPS",
            action=AuditAction.CONSULTATION,
            subject_type="case",
            subject_id=f"SC-{seq}",
            purpose="investigation",
        )
        at = T0 + timedelta(seconds=seq)
        digest = entry_hash(seq, at, record, prev)
        entries.append(
            AuditEntry(
                seq=seq,
                at=at,
                actor=record.actor,
                action=record.action.value,
                subject_type="case",
                subject_id=record.subject_id,
                purpose=record.purpose,
                recipient=None,
                detail="",
                prev_hash=prev,
                entry_hash=digest,
            )
        )
        prev = digest
    return entries


def test_intact_chain_has_no_break() -> None:
    entries = _chain(5)
    assert first_break(entries, 5, entries[-1].entry_hash) is None


def test_empty_log_is_intact() -> None:
    assert first_break([], 0, GENESIS_HASH) is None


def test_edited_purpose_is_named_by_sequence_number() -> None:
    entries = _chain(5)
    entries[2] = replace(entries[2], purpose="curiosity")
    broken = first_break(entries, 5, entries[-1].entry_hash)
    assert broken is not None and broken.seq == 3 and "edited" in broken.reason


def test_removed_entry_in_the_middle_is_found() -> None:
    entries = _chain(5)
    del entries[1]
    broken = first_break(entries, 5, entries[-1].entry_hash)
    assert broken is not None and broken.seq == 2


def test_removed_last_entry_is_found_through_the_head() -> None:
    entries = _chain(5)
    head_hash = entries[-1].entry_hash
    broken = first_break(entries[:-1], 5, head_hash)
    assert broken is not None and broken.seq == 5


def test_swapped_entries_are_found() -> None:
    entries = _chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    broken = first_break(entries, 5, entries[-1].entry_hash)
    assert broken is not None and broken.seq == 2


def test_renumbered_reordering_breaks_the_link() -> None:
    entries = _chain(4)
    a, b = entries[1], entries[2]
    entries[1] = replace(b, seq=2)
    entries[2] = replace(a, seq=3)
    broken = first_break(entries, 4, entries[-1].entry_hash)
    assert broken is not None and broken.seq == 2
