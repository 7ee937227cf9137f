"""Checking the evidence store: every stored file hashed again against what its exhibits
recorded, so a changed, truncated or missing file is found (``safercity evidence verify``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from safercity.evidence import store
from safercity.evidence.blobs import BlobStore
from safercity.evidence.store import StoredFile
from safercity.platform.db import Database


@dataclass(frozen=True)
class FileProblem:
    """A stored file that no longer matches the hash its exhibit was recorded with."""

    file: StoredFile
    found_sha256: str | None

    @property
    def description(self) -> str:
        where = (
            f"exhibit {self.file.exhibit_number} of case {self.file.case_reference} "
            f"(evidence {self.file.evidence_id})"
        )
        if self.found_sha256 is None:
            return f"{where}: the file {self.file.sha256} is MISSING"
        return (
            f"{where}: the file {self.file.sha256} has CHANGED; its content now hashes "
            f"to {self.found_sha256}"
        )


@dataclass(frozen=True)
class Verification:
    files_checked: int
    items_checked: int
    problems: list[FileProblem]


def verify(
    db: Database, blobs: BlobStore, progress: Callable[[int, int], None] | None = None
) -> Verification:
    """Hash every stored file again and compare it with what its exhibits recorded.

    ``progress(done, total)`` is called after each file (files shared by exhibits are hashed
    once). Nothing is written, so a verification can run while the platform is in use.
    """
    by_digest: dict[str, list[StoredFile]] = {}
    with db.transaction() as conn:
        for stored in store.stored_files(conn):
            by_digest.setdefault(stored.sha256, []).append(stored)
    problems: list[FileProblem] = []
    total = len(by_digest)
    for done, (digest, files) in enumerate(by_digest.items(), start=1):
        found = blobs.digest(digest)
        if found != digest:
            problems += [FileProblem(file, found) for file in files]
        if progress is not None:
            progress(done, total)
    items = sum(len(files) for files in by_digest.values())
    return Verification(files_checked=total, items_checked=items, problems=problems)
