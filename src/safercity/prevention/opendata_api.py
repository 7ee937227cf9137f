"""The data.police.uk API's shapes, served from the platform's own records (open data)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["open data (data.police.uk shapes)"])
