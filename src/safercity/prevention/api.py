"""The analyst's figures over HTTP (staff): the forecast's top cells as GeoJSON, trends, a recent
backtest and a Knox table, the same as the analyst's view shows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from safercity.platform.http import ApiUser, ContextDep, require
from safercity.platform.identity.model import Permission
from safercity.prevention import analysis

router = APIRouter(prefix="/api/v1/prevention", tags=["prevention"])
CrimeType = Annotated[str, Query(min_length=1, max_length=60, examples=["Burglary"])]
CellSize = Annotated[float, Query(description="250 or 150 metres.", examples=[250])]


@router.get("/forecast", summary="The default forecast's top 10% of cells (GeoJSON)")
def forecast(
    ctx: ContextDep, user: ApiUser, crime_type: CrimeType = "Burglary", cell_m: CellSize = 250.0
) -> dict[str, Any]:
    require(user, Permission.VIEW_CASE)
    return analysis.forecast(ctx.db, crime_type, cell_m)


@router.get("/trends", summary="Events a month by crime type; by borough for 12 months")
def trends(ctx: ContextDep, user: ApiUser) -> dict[str, Any]:
    require(user, Permission.VIEW_CASE)
    return analysis.trends(ctx.db)


@router.get("/backtest", summary="The last six months' backtest: hit rate, PAI, PEI")
def backtest(
    ctx: ContextDep, user: ApiUser, crime_type: CrimeType = "Burglary", cell_m: CellSize = 250.0
) -> dict[str, Any]:
    require(user, Permission.VIEW_CASE)
    return analysis.backtest(ctx.db, crime_type, cell_m)


@router.get("/knox", summary="A Knox test on the last three months")
def knox(ctx: ContextDep, user: ApiUser, crime_type: CrimeType = "Burglary") -> dict[str, Any]:
    require(user, Permission.VIEW_CASE)
    return analysis.knox(ctx.db, crime_type)
