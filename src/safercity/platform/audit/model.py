"""Audit entries and the hash chain that makes tampering visible.

The Data Protection Act 2018, s.62, requires logs of collection, alteration, consultation,
disclosure, combination and erasure of personal data, and for consultation and disclosure the
justification, the date and time, who did it and, for a disclosure, who received it.
Each entry's hash covers its fields and the previous entry's hash, so editing, removing or
reordering an entry breaks the chain from that entry on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

GENESIS_HASH = "0" * 64


class AuditAction(StrEnum):
    """The s.62 processing operations."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"


@dataclass(frozen=True)
class AuditRecord:
    """What a use case asks to be logged; the log adds sequence, time and hashes."""

    actor: str
    action: AuditAction
    subject_type: str
    subject_id: str
    purpose: str
    recipient: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    purpose: str
    recipient: str | None
    detail: str
    prev_hash: str
    entry_hash: str


def entry_hash(seq: int, at: datetime, record: AuditRecord | AuditEntry, prev_hash: str) -> str:
    canonical = json.dumps(
        [
            seq,
            at.isoformat(timespec="microseconds"),
            record.actor,
            str(record.action),
            record.subject_type,
            record.subject_id,
            record.purpose,
            record.recipient,
            record.detail,
            prev_hash,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def first_break(entries: Iterable[AuditEntry], head_seq: int, head_hash: str) -> ChainBreak | None:
    """The first entry where the chain no longer holds, or None when it is intact.

    ``head_seq``/``head_hash`` are what the log recorded as its last entry, so removing
    entries from the end is caught too.
    """
    expected_seq = 1
    prev = GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(
                expected_seq,
                f"entry {expected_seq} is missing or out of order "
                f"(found entry {entry.seq} in its place)",
            )
        if entry.prev_hash != prev:
            return ChainBreak(
                entry.seq,
                "it does not link to the entry before it (removed, inserted or reordered)",
            )
        if entry_hash(entry.seq, entry.at, entry, entry.prev_hash) != entry.entry_hash:
            return ChainBreak(entry.seq, "its content no longer matches its hash (edited)")
        prev = entry.entry_hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or prev != head_hash:
        return ChainBreak(
            last_seq + 1,
            f"the log should end at entry {head_seq} but ends at "
            f"entry {last_seq} (entries removed from the end)",
        )
    return None
