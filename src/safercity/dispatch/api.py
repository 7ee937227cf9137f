"""The fleet API: every unit with its status and position, and what crews report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from safercity.dispatch import service
from safercity.dispatch.assignment import AssignmentStatus
from safercity.dispatch.schemas import PositionUpdate, UnitOut, UnitStatusCreate
from safercity.platform.http import ApiUser, ContextDep, require
from safercity.platform.identity.model import Permission

router = APIRouter(prefix="/api/v1/units", tags=["dispatch"])

CallSign = Annotated[
    str, Path(min_length=1, max_length=64, description="The unit's call sign.", examples=["A21-P1"])
]


def _unit(ctx: ContextDep, call_sign: str) -> UnitOut:
    return UnitOut.of(service.unit(ctx.db, call_sign))


@router.get("", response_model=list[UnitOut], summary="Every unit, its status and position")
def list_units(ctx: ContextDep, user: ApiUser) -> list[UnitOut]:
    require(user, Permission.VIEW_INCIDENTS)
    return [UnitOut.of(s) for s in service.board_units(ctx.db)]


@router.get("/{call_sign}", response_model=UnitOut, summary="One unit")
def get_unit(call_sign: CallSign, ctx: ContextDep, user: ApiUser) -> UnitOut:
    require(user, Permission.VIEW_INCIDENTS)
    return _unit(ctx, call_sign)


@router.post("/{call_sign}/status", response_model=UnitOut, summary="A crew's status")
def report_status(
    call_sign: CallSign, body: UnitStatusCreate, ctx: ContextDep, user: ApiUser
) -> UnitOut:
    """En route, on scene, at hospital, cleared (or cancelled before arrival), for the unit's
    current assignment. Dispatch moves units to en route and on scene by itself at their
    turnout time and ETA; crews report what the clock cannot know."""
    service.report_status(ctx.db, ctx.clock, user, call_sign, AssignmentStatus(body.status))
    return _unit(ctx, call_sign)


@router.put("/{call_sign}/position", response_model=UnitOut, summary="A unit's position")
def update_position(
    call_sign: CallSign, body: PositionUpdate, ctx: ContextDep, user: ApiUser
) -> UnitOut:
    """From the vehicle's location system: ETAs are then measured from here."""
    service.update_position(ctx.db, ctx.clock, user, call_sign, body.lat, body.lon)
    return _unit(ctx, call_sign)
