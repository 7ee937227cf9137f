"""The analyst's figures over HTTP: forecasts, trends, backtests and near-repeat tables."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/prevention", tags=["prevention"])
