"""Near-repeat warnings over HTTP: subscriptions and CAP 1.2 alerts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/prevention", tags=["prevention"])
