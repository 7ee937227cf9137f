"""The content-addressed store that holds evidence files, behind a small interface.

A file is known by the SHA-256 of its bytes: the same content is stored once, and any change to
a stored file shows as a mismatch when it is hashed again. Storing is two-step so that a record
never points at a missing or half-written file: ``stage`` copies the upload aside while hashing
it (bounded memory, bounded size) and ``commit`` makes it visible in one atomic step, inside the
transaction that records it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

CHUNK_BYTES = 1024 * 1024
HEAD_BYTES = 64
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class BlobTooLarge(Exception):
    """The upload went past the size limit; nothing of it was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class BlobMissing(Exception):
    """No stored file has this digest."""


class StagedBlob(Protocol):
    """An upload copied aside and hashed, not yet visible in the store."""

    sha256: str
    size: int
    head: bytes

    def commit(self) -> None:
        """Make the content visible under its digest, durably (fsync) and atomically."""

    def discard(self) -> None:
        """Forget the staged copy (no-op once committed)."""

    def __enter__(self) -> StagedBlob: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class BlobStore(Protocol):
    def stage(self, source: BinaryIO, max_bytes: int) -> StagedBlob:
        """Copy and hash ``source``; raise BlobTooLarge past ``max_bytes``, keeping nothing."""

    def open(self, sha256: str) -> BinaryIO:
        """The stored content for reading; raise BlobMissing if there is none."""

    def exists(self, sha256: str) -> bool: ...

    def digest(self, sha256: str) -> str | None:
        """Hash the stored content again: its true SHA-256 now, or None if the file is gone."""


def _check_digest(sha256: str) -> str:
    if not SHA256_PATTERN.match(sha256):
        raise ValueError("not a lower-case hex SHA-256 digest")
    return sha256


def _copy_hashing(source: BinaryIO, sink: BinaryIO, max_bytes: int) -> tuple[str, int, bytes]:
    hasher, size, head = hashlib.sha256(), 0, b""
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise BlobTooLarge(max_bytes)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        hasher.update(chunk)
        sink.write(chunk)
    return hasher.hexdigest(), size, head


def _hash_file(path: Path) -> str | None:
    hasher = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                hasher.update(chunk)
    except FileNotFoundError:
        return None
    return hasher.hexdigest()


class _Staged(ABC):
    """Shared behaviour: a staged blob discards itself when left without a commit."""

    sha256: str
    size: int
    head: bytes

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def discard(self) -> None: ...

    def __enter__(self) -> _Staged:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


class _FileStaged(_Staged):
    def __init__(
        self, store: FileBlobStore, temp: Path, sha256: str, size: int, head: bytes
    ) -> None:
        self._store, self._temp = store, temp
        self.sha256, self.size, self.head = sha256, size, head
        self._committed = False

    def commit(self) -> None:
        if self._committed:
            return
        final = self._store.path_for(self.sha256)
        created = _make_dirs(final.parent)
        if final.exists():
            # Identical content is stored once; the earlier copy stays untouched.
            self._temp.unlink(missing_ok=True)
        else:
            self._temp.chmod(0o444)
            self._temp.replace(final)
        for directory in {final.parent, *created}:
            _fsync_dir(directory)
        self._committed = True

    def discard(self) -> None:
        if not self._committed:
            self._temp.unlink(missing_ok=True)


def _make_dirs(directory: Path) -> list[Path]:
    """Create a folder and its missing parents; return the parents whose entries changed."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
    return [p.parent for p in missing]


def _fsync_dir(directory: Path) -> None:
    """Make a rename or a new entry in this folder survive a power cut."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class FileBlobStore:
    """Files under ``root/<aa>/<bb>/<sha256>``; uploads are staged in ``root/tmp`` (same disk,
    so the final rename is atomic) and never seen half-written."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        digest = _check_digest(sha256)
        return self.root / digest[:2] / digest[2:4] / digest

    def stage(self, source: BinaryIO, max_bytes: int) -> StagedBlob:
        staging = self.root / "tmp"
        staging.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=staging, prefix="upload-", suffix=".part")
        temp = Path(name)
        try:
            with os.fdopen(descriptor, "wb") as sink:
                sha256, size, head = _copy_hashing(source, sink, max_bytes)
                sink.flush()
                os.fsync(sink.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return _FileStaged(self, temp, sha256, size, head)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError as error:
            raise BlobMissing(sha256) from error

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def digest(self, sha256: str) -> str | None:
        return _hash_file(self.path_for(sha256))


class _MemoryStaged(_Staged):
    def __init__(self, store: MemoryBlobStore, content: bytes, sha256: str, head: bytes) -> None:
        self._store, self._content = store, content
        self.sha256, self.size, self.head = sha256, len(content), head
        self._committed = False

    def commit(self) -> None:
        self._store.contents.setdefault(self.sha256, self._content)
        self._committed = True

    def discard(self) -> None:
        """Nothing to clean up: an uncommitted staged copy simply goes out of scope."""


class MemoryBlobStore:
    """A fake for unit tests: contents in a dict, which a test may change to simulate damage."""

    def __init__(self) -> None:
        self.contents: dict[str, bytes] = {}

    def stage(self, source: BinaryIO, max_bytes: int) -> StagedBlob:
        sink = io.BytesIO()
        sha256, _size, head = _copy_hashing(source, sink, max_bytes)
        return _MemoryStaged(self, sink.getvalue(), sha256, head)

    def open(self, sha256: str) -> BinaryIO:
        if sha256 not in self.contents:
            raise BlobMissing(sha256)
        return io.BytesIO(self.contents[sha256])

    def exists(self, sha256: str) -> bool:
        return sha256 in self.contents

    def digest(self, sha256: str) -> str | None:
        content = self.contents.get(sha256)
        return None if content is None else hashlib.sha256(content).hexdigest()
