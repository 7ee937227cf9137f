"""The public prevention page: current warnings for an area, registering and unsubscribing."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
