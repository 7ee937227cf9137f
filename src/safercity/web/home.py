"""The front door: the public's choices and the way in for staff."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from safercity.platform.http import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html")
