"""The content-addressed evidence store: the filesystem one and the in-memory fake behave alike."""

from __future__ import annotations

import hashlib
import io
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from safercity.evidence.blobs import (
    BlobMissing,
    BlobStore,
    BlobTooLarge,
    FileBlobStore,
    MemoryBlobStore,
)

CONTENT = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 9000  # ~2.3 MB: several chunks
DIGEST = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(params=["memory", "filesystem"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "memory":
        return MemoryBlobStore()
    return FileBlobStore(tmp_path / "evidence")


def _store(blobs: BlobStore, content: bytes = CONTENT) -> str:
    with blobs.stage(io.BytesIO(content), max_bytes=10 * 1024 * 1024) as staged:
        staged.commit()
    return staged.sha256


def test_a_staged_file_is_hashed_sized_and_its_first_bytes_kept(blobs: BlobStore) -> None:
    with blobs.stage(io.BytesIO(CONTENT), max_bytes=len(CONTENT)) as staged:
        assert (staged.sha256, staged.size) == (DIGEST, len(CONTENT))
        assert staged.head == CONTENT[:64]


def test_a_staged_file_is_not_visible_until_committed(blobs: BlobStore) -> None:
    with blobs.stage(io.BytesIO(CONTENT), max_bytes=len(CONTENT)):
        assert not blobs.exists(DIGEST)
    assert not blobs.exists(DIGEST)
    with pytest.raises(BlobMissing):
        blobs.open(DIGEST)


def test_a_committed_file_reads_back_exactly(blobs: BlobStore) -> None:
    digest = _store(blobs)
    with blobs.open(digest) as stream:
        assert stream.read() == CONTENT
    assert blobs.digest(digest) == DIGEST


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    blobs: BlobStore, tmp_path: Path
) -> None:
    with pytest.raises(BlobTooLarge) as error:
        blobs.stage(io.BytesIO(CONTENT), max_bytes=len(CONTENT) - 1)
    assert error.value.limit == len(CONTENT) - 1
    assert not blobs.exists(DIGEST)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_identical_content_is_stored_once(blobs: BlobStore, tmp_path: Path) -> None:
    assert _store(blobs) == _store(blobs) == DIGEST
    if isinstance(blobs, FileBlobStore):
        files = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
        assert files == [blobs.path_for(DIGEST)]


def test_a_changed_or_missing_file_shows_when_hashed_again(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    digest = _store(store)
    path = store.path_for(digest)
    path.chmod(0o644)
    path.write_bytes(CONTENT[:-1] + b"X")
    assert store.digest(digest) == hashlib.sha256(CONTENT[:-1] + b"X").hexdigest()
    path.unlink()
    assert store.digest(digest) is None
    fake = MemoryBlobStore()
    digest = _store(fake)
    fake.contents[digest] = b"changed"
    assert fake.digest(digest) != digest


def test_files_live_under_two_levels_of_their_digest_read_only(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    digest = _store(store)
    path = tmp_path / digest[:2] / digest[2:4] / digest
    assert path.is_file()
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert not list((tmp_path / "tmp").iterdir())


def test_a_failure_while_staged_leaves_no_partial_file(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)

    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 1024 * 1024:
                raise OSError("connection reset")
            return super().read(size)

    with pytest.raises(OSError, match="connection reset"):
        store.stage(Broken(CONTENT), max_bytes=len(CONTENT))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    with pytest.raises(RuntimeError), store.stage(io.BytesIO(CONTENT), len(CONTENT)):
        raise RuntimeError("the database refused the record")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ABC", "g" * 64, ""])
def test_only_a_sha256_digest_names_a_file(tmp_path: Path, bad: str) -> None:
    store = FileBlobStore(tmp_path)
    check: Callable[[str], object]
    for check in (store.path_for, store.exists, store.digest):
        with pytest.raises(ValueError, match="SHA-256"):
            check(bad)
