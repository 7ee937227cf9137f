"""The analyst's view: the forecast map, trends, the backtest table and the Knox table."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
