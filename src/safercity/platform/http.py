"""HTTP plumbing every capability's routes share: the app's context, who is asking, and errors.

Capabilities import this, never ``safercity.web``: the web package only assembles the app.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import OAuth2PasswordBearer
from fastapi.templating import Jinja2Templates

from safercity.platform.clock import Clock
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.errors import Forbidden, PayloadTooLarge, SaferCityError, Unauthorized
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import Permission, StaffUser
from safercity.platform.identity.service import BrowserSession, IdentityConfig

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
SESSION_COOKIE = "safercity_session"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


@dataclass
class AppContext:
    """The app's wiring, built once by the composition root and kept on ``app.state``."""

    settings: Settings
    db: Database
    clock: Clock
    identity: IdentityConfig


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def api_user(ctx: ContextDep, token: Annotated[str | None, Depends(_bearer)]) -> StaffUser:
    """The staff member behind a bearer token (or, for same-site pages' fetches, a session)."""
    if token is None:
        raise Unauthorized(
            "Send a bearer token in the Authorization header; get one from POST /api/v1/auth/token."
        )
    return identity.user_from_token(ctx.db, ctx.clock, ctx.identity, token)


ApiUser = Annotated[StaffUser, Depends(api_user)]


class SignInRequired(Exception):
    """A page needs a signed-in member of staff; the app redirects to the sign-in page."""

    def __init__(self, next_url: str, message: str) -> None:
        super().__init__(message)
        self.next_url = next_url
        self.message = message


def page_session(request: Request, ctx: ContextDep) -> BrowserSession:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired(str(request.url.path), "Sign in to continue.")
    try:
        session = identity.resume_session(ctx.db, ctx.clock, ctx.identity, token)
    except Unauthorized as error:
        raise SignInRequired(str(request.url.path), error.detail) from error
    request.state.session = session
    return session


PageSession = Annotated[BrowserSession, Depends(page_session)]


def checked_csrf(session: PageSession, csrf_token: Annotated[str, Form()] = "") -> BrowserSession:
    """For every state-changing form post: the form must carry the session's CSRF token."""
    if not hmac.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
        raise Forbidden(
            "This form has expired or did not come from SaferCity. Reload the page and try again."
        )
    return session


CsrfSession = Annotated[BrowserSession, Depends(checked_csrf)]


def client_address(request: Request) -> str:
    """Who is asking, as far as rate limiting can tell."""
    return request.client.host if request.client else "unknown"


def require(user: StaffUser, permission: Permission) -> None:
    """The one role check: raise Forbidden unless the user's role grants the permission."""
    if not user.can(permission):
        raise Forbidden(
            f"Your role ({user.role.label}) does not allow this ({permission.value}). "
            "Ask a supervisor if you need it."
        )


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem document.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What was wrong and what to do about it."},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

# Documented on every API route: errors always come back as problem documents.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}},
    }
    for status, description in (
        (400, "The request could not be read."),
        (401, "Sign-in needed: no valid bearer token."),
        (403, "The role or agency may not do this."),
        (404, "Not found."),
        (405, "Method not allowed."),
        (409, "The record's state does not allow this now."),
        (422, "Some input is not valid; `errors` names each field."),
        (423, "The account is locked after repeated failed sign-ins."),
        (429, "Too many attempts; see Retry-After."),
    )
}


def problem_response(error: SaferCityError, instance: str) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://safercity.invalid/problems/{error.type_slug}",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": instance,
    }
    if error.field_errors:
        body["errors"] = [{"field": f.field, "message": f.message} for f in error.field_errors]
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if error.status == 429:
        headers["Retry-After"] = str(getattr(error, "retry_after_seconds", 60))
    return JSONResponse(
        body, status_code=error.status, headers=headers, media_type="application/problem+json"
    )


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
    """Render a page with the signed-in session (if any) available to the layout."""
    session = getattr(request.state, "session", None)
    response: Response = templates.TemplateResponse(
        request, template, {"session": session, **values}, status_code=status_code
    )
    return response


# The largest form post read by a page: every field at its longest, URL-encoded, with room.
LARGEST_FORM_BYTES = 256 * 1024


async def posted_form(request: Request) -> dict[str, str]:
    """The posted text fields (files ignored), refusing a body far bigger than the form."""
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > LARGEST_FORM_BYTES:
        raise PayloadTooLarge("This form is too long to send. Shorten the description.")
    posted = await request.form()
    return {name: value for name, value in posted.items() if isinstance(value, str)}


PostedForm = Annotated[dict[str, str], Depends(posted_form)]
