"""Signing in: bearer tokens for the API, session cookies for the browser."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from safercity.platform.errors import AccountLocked, Unauthorized
from safercity.platform.http import (
    SESSION_COOKIE,
    ApiUser,
    ContextDep,
    CsrfSession,
    render,
)
from safercity.platform.identity import service as identity

api_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
pages_router = APIRouter(include_in_schema=False)


class TokenRequest(BaseModel):
    """The OAuth2 password grant, as a form."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"grant_type": "password", "username": "investigator", "password": "correct horse"}
            ]
        }
    )

    grant_type: Annotated[str | None, Field(pattern="^password$")] = None
    username: Annotated[str, Field(min_length=1, max_length=80)]
    password: Annotated[str, Field(min_length=1, max_length=256)]
    scope: str = ""


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class MePublic(BaseModel):
    username: str
    display_name: str
    role: str
    agency: str


@api_router.post("/token", response_model=TokenPublic, summary="Get a bearer token")
def token(ctx: ContextDep, form: Annotated[TokenRequest, Form()]) -> TokenPublic:
    """Exchange a staff username and password for a bearer token (OAuth2 password flow)."""
    user = identity.authenticate(ctx.db, ctx.clock, ctx.identity, form.username, form.password)
    access_token, lifetime = identity.issue_token(ctx.clock, ctx.identity, user)
    return TokenPublic(access_token=access_token, expires_in=lifetime)


@api_router.get("/me", response_model=MePublic, summary="Who the token belongs to")
def me(user: ApiUser) -> MePublic:
    return MePublic(
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        agency=user.agency_name,
    )


def _safe_next(next_url: str) -> str:
    """Only ever redirect within this site after sign-in."""
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not next_url.startswith("/"):
        return "/staff"
    return next_url


@pages_router.get("/staff/sign-in")
def sign_in_page(request: Request, next: str = "/staff", reason: str = "") -> Response:
    return render(
        request, "sign_in.html", next=_safe_next(next), reason=reason, error=None, username=""
    )


@pages_router.post("/staff/sign-in")
def sign_in(
    request: Request,
    ctx: ContextDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/staff",
) -> Response:
    try:
        user = identity.authenticate(ctx.db, ctx.clock, ctx.identity, username, password)
    except (Unauthorized, AccountLocked) as error:
        return render(
            request,
            "sign_in.html",
            status_code=error.status,
            next=_safe_next(next),
            reason="",
            error=error.detail,
            username=username,
        )
    session = identity.start_session(ctx.db, ctx.clock, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.environment == "production",
        path="/",
    )
    return response


@pages_router.post("/staff/sign-out")
def sign_out(ctx: ContextDep, session: CsrfSession) -> Response:
    identity.end_session(ctx.db, session.token)
    response = RedirectResponse("/staff/sign-in?reason=You+have+signed+out.", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
