"""The analyst's view: the forecast map, trends, the backtest table and the Knox table, each
exportable as CSV (here) and PNG (in the browser). Staff who work on cases may see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from safercity.platform.errors import SaferCityError
from safercity.platform.http import ContextDep, PageSession, render, require
from safercity.platform.identity.model import Permission
from safercity.prevention import analysis, charts

router = APIRouter(include_in_schema=False)
HOME = "/analysis/prevention"
CrimeType = Annotated[str, Query(min_length=1, max_length=60)]
CellSize = Annotated[float, Query()]


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(HOME)
def analyst_page(
    request: Request,
    ctx: ContextDep,
    session: PageSession,
    crime_type: CrimeType = "Burglary",
    cell_m: CellSize = 250.0,
) -> Response:
    require(session.user, Permission.VIEW_CASE)
    try:
        trends = analysis.trends(ctx.db)
        problem = None
    except SaferCityError as error:
        trends, problem = None, error.detail
    by_borough = {}
    if trends:
        by_borough = {
            b: counts.get(crime_type, 0)
            for b, counts in trends["by_borough_last_12_months"].items()
        }
        by_borough = dict(sorted(by_borough.items(), key=lambda kv: -kv[1]))
    query = f"crime_type={crime_type}&cell_m={cell_m:g}"
    return render(
        request,
        "prevention/analyst_index.html",
        crime_types=analysis.crime_types(ctx.db),
        crime_type=crime_type,
        cell_sizes=analysis.CELL_SIZES,
        cell_m=cell_m,
        query=query,
        problem=problem,
        type_chart=charts.line_chart(
            "Events a month by crime type", trends["months"], trends["by_crime_type"]
        )
        if trends
        else "",
        borough_chart=charts.bar_chart(
            f"{crime_type}: events by borough, last 12 months", by_borough
        )
        if trends
        else "",
    )


@router.get(f"{HOME}/forecast.geojson")
def forecast_geojson(
    ctx: ContextDep,
    session: PageSession,
    crime_type: CrimeType = "Burglary",
    cell_m: CellSize = 250.0,
) -> JSONResponse:
    require(session.user, Permission.VIEW_CASE)
    return JSONResponse(analysis.forecast(ctx.db, crime_type, cell_m))


@router.get(f"{HOME}/backtest")
def backtest_fragment(
    request: Request,
    ctx: ContextDep,
    session: PageSession,
    crime_type: CrimeType = "Burglary",
    cell_m: CellSize = 250.0,
) -> Response:
    require(session.user, Permission.VIEW_CASE)
    figures = analysis.backtest(ctx.db, crime_type, cell_m)
    return render(
        request,
        "prevention/analyst_backtest.html",
        figures=figures,
        rows=analysis.backtest_rows(figures),
        query=f"crime_type={crime_type}&cell_m={cell_m:g}",
    )


@router.get(f"{HOME}/knox")
def knox_fragment(
    request: Request, ctx: ContextDep, session: PageSession, crime_type: CrimeType = "Burglary"
) -> Response:
    require(session.user, Permission.VIEW_CASE)
    return render(
        request,
        "prevention/analyst_knox.html",
        figures=analysis.knox(ctx.db, crime_type),
        query=f"crime_type={crime_type}",
    )


@router.get(f"{HOME}/forecast.csv")
def forecast_csv(
    ctx: ContextDep,
    session: PageSession,
    crime_type: CrimeType = "Burglary",
    cell_m: CellSize = 250.0,
) -> Response:
    require(session.user, Permission.VIEW_CASE)
    return _csv(analysis.forecast_csv(analysis.forecast(ctx.db, crime_type, cell_m)), "forecast")


@router.get(f"{HOME}/trends.csv")
def trends_csv(ctx: ContextDep, session: PageSession) -> Response:
    require(session.user, Permission.VIEW_CASE)
    return _csv(analysis.trends_csv(analysis.trends(ctx.db)), "trends")


@router.get(f"{HOME}/backtest.csv")
def backtest_csv(
    ctx: ContextDep,
    session: PageSession,
    crime_type: CrimeType = "Burglary",
    cell_m: CellSize = 250.0,
) -> Response:
    require(session.user, Permission.VIEW_CASE)
    figures = analysis.backtest(ctx.db, crime_type, cell_m)
    rows = analysis.backtest_rows(figures)
    return _csv(analysis.to_csv(analysis.BACKTEST_HEADER, rows), "backtest")


@router.get(f"{HOME}/knox.csv")
def knox_csv(ctx: ContextDep, session: PageSession, crime_type: CrimeType = "Burglary") -> Response:
    require(session.user, Permission.VIEW_CASE)
    return _csv(analysis.knox_csv(analysis.knox(ctx.db, crime_type)), "knox")
