"""The fleet API's schemas: a unit as the board shows it, and what crews report."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from safercity.dispatch.assignment import UnitState


class UnitOut(BaseModel):
    call_sign: str
    service: str
    agency: str
    unit_type: str
    home_base: str
    capabilities: list[str]
    status: str
    lat: float
    lon: float
    position_at: datetime
    incident_id: int | None

    @classmethod
    def of(cls, s: UnitState) -> UnitOut:
        return cls(
            call_sign=s.unit.call_sign,
            service=s.unit.service.value,
            agency=s.unit.agency_code,
            unit_type=s.unit.unit_type.value,
            home_base=s.unit.home_base_code,
            capabilities=sorted(c.value for c in s.unit.capabilities),
            status=s.status if s.on_duty else "off_duty",
            lat=s.position[0],
            lon=s.position[1],
            position_at=s.position_at,
            incident_id=int(s.assignment.incident_id) if s.assignment else None,
        )


class UnitStatusCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "on_scene"}]}
    )

    status: Literal["en_route", "on_scene", "at_hospital", "cleared", "cancelled"] = Field(
        description="The crew's new status for its current assignment."
    )


class PositionUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"lat": 51.5033, "lon": -0.1195}]}
    )

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
