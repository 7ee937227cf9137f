"""Evidence's words, each with a label (and a colour where a badge shows it)."""

from __future__ import annotations

from enum import StrEnum


class EvidenceKind(StrEnum):
    """What an item of evidence is, as the officer declares it on upload."""

    PHOTO = "photo"
    CCTV_STILL = "cctv_still"
    BODY_WORN_VIDEO = "body_worn_video"
    DOCUMENT = "document"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "photo": "Photograph",
            "cctv_still": "CCTV still",
            "body_worn_video": "Body-worn video",
            "document": "Document",
            "other": "Other",
        }[self.value]


class MediaType(StrEnum):
    """The file formats SaferCity accepts, recognised by their content (magic bytes)."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    MP4 = "video/mp4"
    QUICKTIME = "video/quicktime"
    PDF = "application/pdf"

    @property
    def label(self) -> str:
        return {
            "image/jpeg": "JPEG image",
            "image/png": "PNG image",
            "image/webp": "WebP image",
            "video/mp4": "MP4 video",
            "video/quicktime": "MOV (QuickTime) video",
            "application/pdf": "PDF document",
        }[self.value]


class CustodyAction(StrEnum):
    """One handling of an item of evidence, as the chain of custody records it."""

    RECEIVED = "received"
    VIEWED = "viewed"
    DOWNLOADED = "downloaded"
    TRANSFERRED = "transferred"
    DISCLOSED = "disclosed"
    SEALED = "sealed"
    UNSEALED = "unsealed"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            "received": "Received (uploaded)",
            "viewed": "Viewed",
            "downloaded": "Downloaded",
            "transferred": "Transferred to another agency",
            "disclosed": "Disclosed (a copy given)",
            "sealed": "Sealed",
            "unsealed": "Unsealed",
            "returned": "Returned to its owner",
        }[self.value]

    @property
    def colour(self) -> str:
        return {
            "received": "#00703c",
            "viewed": "#505a5f",
            "downloaded": "#505a5f",
            "transferred": "#1d3a8a",
            "disclosed": "#1d3a8a",
            "sealed": "#b10e1e",
            "unsealed": "#f47738",
            "returned": "#0b0c0c",
        }[self.value]


# What a person records by hand; the others are recorded by the system as they happen.
RECORDABLE_ACTIONS: tuple[CustodyAction, ...] = (
    CustodyAction.TRANSFERRED,
    CustodyAction.DISCLOSED,
    CustodyAction.SEALED,
    CustodyAction.UNSEALED,
    CustodyAction.RETURNED,
)
