"""What evidence's API and pages share: the file store, the upload size limit, file responses."""

from __future__ import annotations

import base64
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive

from safercity.evidence.blobs import CHUNK_BYTES, BlobStore, FileBlobStore
from safercity.evidence.model import EvidenceItem, format_size
from safercity.platform.errors import FieldError, PayloadTooLarge
from safercity.platform.http import ContextDep, get_context

# Room for the multipart framing and the text fields sent with the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def blob_store(ctx: ContextDep) -> BlobStore:
    """The evidence file store: the filesystem under the configured evidence folder."""
    return FileBlobStore(ctx.settings.resolved_evidence_dir)


BlobsDep = Annotated[BlobStore, Depends(blob_store)]


def too_large(limit: int) -> PayloadTooLarge:
    message = (
        f"The file is larger than the {format_size(limit)} limit for evidence. Upload a "
        "smaller file, or split a long video into parts."
    )
    return PayloadTooLarge(message, [FieldError("file", message)])


def _counting(receive: Receive, limit: int, max_file: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large(max_file)
        return message

    return counted


class UploadRoute(APIRoute):
    """A route taking an evidence upload: its body is refused past the configured size limit
    (Settings.max_evidence_bytes) before it is parsed or spooled to disk, with a 413."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            max_file = get_context(request).settings.max_evidence_bytes
            limit = max_file + FORM_OVERHEAD_BYTES
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_large(max_file)
            counted = Request(request.scope, _counting(request.receive, limit, max_file))
            try:
                return await handler(counted)
            except HTTPException as error:
                # FastAPI reports any failure while reading a form as a 400; say what it was.
                if isinstance(error.__cause__, PayloadTooLarge):
                    raise error.__cause__ from None
                raise

        return limited


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK_BYTES):
            yield chunk


def _content_disposition(disposition: str, filename: str) -> str:
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(item: EvidenceItem, stream: BinaryIO, inline: bool) -> StreamingResponse:
    """The exhibit's file as stored, typed by what its content was recognised as on upload."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    digest = base64.b64encode(bytes.fromhex(item.sha256)).decode()
    headers = {
        "Content-Length": str(size),
        "Content-Disposition": _content_disposition(
            "inline" if inline else "attachment", item.original_filename
        ),
        # RFC 9530: what the content should hash to, so the receiver can check it.
        "Repr-Digest": f"sha-256=:{digest}:",
        "X-Content-Type-Options": "nosniff",
        # Evidence must not linger in shared or browser caches.
        "Cache-Control": "no-store",
    }
    return StreamingResponse(_chunks(stream), media_type=item.media_type.value, headers=headers)
