"""The public's pages: report a crime, see the reference and code, and follow the case.

Plain HTML forms that work without JavaScript; scripts only add the map and guard the submit
button. The tracking code never appears in a URL: it is posted once, and the page then keeps a
short-lived, signed, HttpOnly cookie naming the reference.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from safercity.cases.model import MESSAGE_READER_PROMISE, VictimView
from safercity.cases.victims_code import QUESTIONS
from safercity.cases.vocabulary import CRIME_TYPES, CaseStatus, ContactChannel
from safercity.platform.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    RateLimited,
)
from safercity.platform.http import AppContext, ContextDep, PostedForm, client_address, render
from safercity.platform.workdays import LONDON
from safercity.reporting import form, service
from safercity.reporting.model import tracking_code

router = APIRouter(include_in_schema=False)

TRACKING_COOKIE = "safercity_tracking"
# Long enough to read the page and write a message; short enough for a shared computer.
TRACKING_LIFETIME = timedelta(minutes=30)
# Pages that show a tracking code or personal details are never kept by a browser or proxy.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def london(instant: datetime | None) -> str:
    """An instant as people in London read it, e.g. "Mon 23 Nov 2026, 09:00"."""
    if instant is None:
        return ""
    return instant.astimezone(LONDON).strftime("%a %d %b %Y, %H:%M")


# The report form


def _report_page(
    request: Request,
    ctx: AppContext,
    values: dict[str, str],
    key: str,
    errors: list[FieldError] | None = None,
    summary: str = "",
    status_code: int = 200,
) -> Response:
    errors = errors or []
    by_field: dict[str, str] = {}
    for error in errors:
        by_field[error.field] = " ".join(filter(None, [by_field.get(error.field), error.message]))
    return render(
        request,
        "reporting/report_form.html",
        status_code=status_code,
        values=values,
        idempotency_key=key,
        errors=errors,
        error_for=by_field,
        summary=summary,
        crime_types=CRIME_TYPES,
        questions=QUESTIONS,
        known_fields=form.FIELDS,
        channels=[(channel.value, channel.label) for channel in ContactChannel],
        latest_time=form.as_form_time(ctx.clock.now()),
    )


@router.get("/report")
def report_form(request: Request, ctx: ContextDep) -> Response:
    """The guided report form, with a fresh idempotency key for this one report."""
    return _report_page(request, ctx, {}, str(uuid.uuid4()))


def _submit_once(
    ctx: AppContext, read: form.ReadForm, key: str, values: dict[str, str]
) -> service.Submitted:
    """Submit; if the first click's save is still under way, wait for it and get its report."""
    for attempt in range(3):
        try:
            return service.submit(
                ctx.db,
                ctx.clock,
                ctx.settings.signing_key,
                read.draft,
                read.answers,
                reporter_is_victim=read.reporter_is_victim,
                idempotency_key=key,
                fingerprint=form.form_fingerprint(values),
            )
        except Conflict:
            if attempt == 2:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


@router.post("/report")
def submit_report(request: Request, ctx: ContextDep, posted: PostedForm) -> Response:
    """Send the report once: the same form posted again gives the same reference."""
    values = form.kept_values(posted)
    key = posted.get("idempotency_key", "")[:200] or str(uuid.uuid4())
    read = form.read(values)
    problems = form.all_problems(read, service.problems_with(read.draft, ctx.clock.now()))
    if problems:
        return _report_page(request, ctx, values, key, problems, status_code=422)
    try:
        result = _submit_once(ctx, read, key, values)
    except InvalidInput as error:
        return _report_page(
            request,
            ctx,
            values,
            str(uuid.uuid4()),
            error.field_errors,
            summary=error.detail,
            status_code=422,
        )
    except Conflict:
        # The same form was sent before with other answers (e.g. after going back to edit).
        summary = (
            "This form was already sent with different answers. If this is a new report, "
            "check the answers below and send it again."
        )
        return _report_page(
            request, ctx, values, str(uuid.uuid4()), summary=summary, status_code=409
        )
    response: Response = render(
        request,
        "reporting/report_done.html",
        reference=result.reference,
        tracking_code=result.tracking_code,
    )
    response.headers.update(PRIVATE)
    return response


# Tracking: a short-lived cookie stands for "this browser gave the right code"


def _signature(secret: str, purpose: str, payload: str) -> str:
    message = f"{purpose}:{payload}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _cookie_value(secret: str, reference: str, expires: datetime) -> str:
    encoded = base64.urlsafe_b64encode(reference.encode()).decode().rstrip("=")
    payload = f"{encoded}.{int(expires.timestamp())}"
    return f"{payload}.{_signature(secret, 'tracking-cookie', payload)}"


def _reference_in_cookie(ctx: AppContext, value: str | None) -> str | None:
    """The reference a valid, unexpired tracking cookie names; None otherwise."""
    parts = (value or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    payload = f"{parts[0]}.{parts[1]}"
    expected = _signature(ctx.settings.signing_key, "tracking-cookie", payload)
    if not hmac.compare_digest(expected, parts[2]):
        return None
    if int(parts[1]) < ctx.clock.now().timestamp():
        return None
    return base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)).decode()


def _form_token(ctx: AppContext, reference: str) -> str:
    """Ties the message form to the case, so another site cannot post it (with SameSite)."""
    return _signature(ctx.settings.signing_key, "tracking-form", reference)


def _remember(response: Response, ctx: AppContext, cookie: str) -> None:
    response.set_cookie(
        TRACKING_COOKIE,
        cookie,
        max_age=int(TRACKING_LIFETIME.total_seconds()),
        path="/track",
        httponly=True,
        samesite="strict",
        secure=ctx.settings.environment == "production",
    )


def _new_cookie(ctx: AppContext, reference: str) -> str:
    return _cookie_value(ctx.settings.signing_key, reference, ctx.clock.now() + TRACKING_LIFETIME)


def _lookup_page(
    request: Request,
    reference: str = "",
    error: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    response: Response = render(
        request,
        "reporting/track_lookup.html",
        status_code=status_code,
        reference=reference,
        error=error,
        rate_limited=status_code == 429,
    )
    response.headers.update({**PRIVATE, **(headers or {})})
    return response


def _rate_limited(request: Request, error: RateLimited, reference: str = "") -> Response:
    return _lookup_page(
        request,
        reference,
        error.detail,
        status_code=429,
        headers={"Retry-After": str(error.retry_after_seconds)},
    )


def _case_page(
    request: Request, ctx: AppContext, view: VictimView, status_code: int = 200, **extra: Any
) -> Response:
    """The case as the victim sees it, keeping the page open for another full period."""
    cookie = _new_cookie(ctx, view.reference)
    values = {"sent": "", "message_errors": {}, "message": {}, **extra}
    response: Response = render(
        request,
        "reporting/track_case.html",
        status_code=status_code,
        view=view,
        badge=_badge_style(view.status),
        form_token=_form_token(ctx, view.reference),
        london=london,
        reader_promise=MESSAGE_READER_PROMISE,
        **values,
    )
    response.headers.update(PRIVATE)
    _remember(response, ctx, cookie)
    return response


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _badge_style(status: str) -> str:
    """The status's shared colour, with whichever of white or black text reads better on it."""
    try:
        colour = CaseStatus(status).colour
    except ValueError:
        colour = "#505a5f"
    background = _luminance(colour)
    # Contrast with white is 1.05 / (L + 0.05); with near-black it is (L + 0.05) / 0.05.
    ink = "#ffffff" if 1.05 / (background + 0.05) >= (background + 0.05) / 0.05 else "#0b0c0c"
    return f"background: {colour}; color: {ink}"


def _view(ctx: AppContext, request: Request, reference: str) -> VictimView:
    code = tracking_code(ctx.settings.signing_key, reference)
    return service.track(
        ctx.db,
        ctx.clock,
        ctx.settings.signing_key,
        service.TrackingPolicy.from_settings(ctx.settings),
        reference,
        code,
        client_address(request),
    )


def _forget(response: Response) -> Response:
    response.delete_cookie(TRACKING_COOKIE, path="/track")
    return response


@router.get("/track")
def track_page(request: Request, ctx: ContextDep, sent: str = "") -> Response:
    """The lookup form; or, within a few minutes of giving the right code, the case itself."""
    reference = _reference_in_cookie(ctx, request.cookies.get(TRACKING_COOKIE))
    if reference is None:
        return _lookup_page(request)
    try:
        view = _view(ctx, request, reference)
    except NotFound:
        return _forget(_lookup_page(request))
    except RateLimited as error:
        return _rate_limited(request, error)
    return _case_page(request, ctx, view, sent=sent if sent in ("information", "message") else "")


@router.post("/track")
def track_lookup(request: Request, ctx: ContextDep, posted: PostedForm) -> Response:
    """Check the reference and code; then show the case at /track (the code stays out of URLs)."""
    reference = posted.get("reference", "")[:100]
    try:
        view = service.track(
            ctx.db,
            ctx.clock,
            ctx.settings.signing_key,
            service.TrackingPolicy.from_settings(ctx.settings),
            reference,
            posted.get("tracking_code", "")[:100],
            client_address(request),
        )
    except NotFound as error:
        return _lookup_page(request, reference, error.detail, status_code=404)
    except RateLimited as error:
        return _rate_limited(request, error, reference)
    response = RedirectResponse("/track", status_code=303)
    _remember(response, ctx, _new_cookie(ctx, view.reference))
    return response


@router.post("/track/message")
def track_message(request: Request, ctx: ContextDep, posted: PostedForm) -> Response:
    """Add information or a message to the case, from the open tracking page."""
    cookie = request.cookies.get(TRACKING_COOKIE, "")
    reference = _reference_in_cookie(ctx, cookie)
    token = posted.get("form_token", "")
    if reference is None or not hmac.compare_digest(_form_token(ctx, reference), token):
        return _forget(
            _lookup_page(
                request,
                error="For your privacy the tracking page closes after 30 minutes. Enter "
                "your reference and code again, then send your message.",
                status_code=403,
            )
        )
    kind, text = posted.get("kind", ""), posted.get("text", "")[: form.LONGEST_KEPT]
    code = tracking_code(ctx.settings.signing_key, reference)
    try:
        service.add_to_report(
            ctx.db,
            ctx.clock,
            ctx.settings.signing_key,
            service.TrackingPolicy.from_settings(ctx.settings),
            reference,
            code,
            client_address(request),
            kind,
            text,
        )
    except InvalidInput as error:
        view = _view(ctx, request, reference)
        return _case_page(
            request,
            ctx,
            view,
            status_code=422,
            message_errors={e.field: e.message for e in error.field_errors},
            message={"kind": kind, "text": text},
        )
    except RateLimited as error:
        return _rate_limited(request, error)
    return RedirectResponse(f"/track?sent={kind}", status_code=303)


@router.post("/track/close")
def track_close() -> Response:
    """Close the case on this browser (e.g. on a shared computer)."""
    return _forget(RedirectResponse("/track", status_code=303))
