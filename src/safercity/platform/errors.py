"""Domain errors. Each carries what went wrong and what the person can do about it.

The HTTP layer turns them into RFC 9457 problem documents; the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """A problem with one input field, shown next to that field in the UI."""

    field: str
    message: str


@dataclass
class SaferCityError(Exception):
    detail: str
    field_errors: list[FieldError] = field(default_factory=list)

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __str__(self) -> str:
        return self.detail


class InvalidInput(SaferCityError):
    status = 422
    title = "Some of the input is not valid"
    type_slug = "invalid-input"


class NotFound(SaferCityError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(SaferCityError):
    """The request is valid but the record is not in a state that allows it."""

    status = 409
    title = "Not possible in the record's current state"
    type_slug = "conflict"


class Unauthorized(SaferCityError):
    status = 401
    title = "Sign-in needed"
    type_slug = "unauthorized"


class Forbidden(SaferCityError):
    status = 403
    title = "Not allowed"
    type_slug = "forbidden"


class AccountLocked(SaferCityError):
    status = 423
    title = "Account locked"
    type_slug = "account-locked"


class RateLimited(SaferCityError):
    status = 429
    title = "Too many attempts"
    type_slug = "rate-limited"

    retry_after_seconds: int = 60


class PayloadTooLarge(SaferCityError):
    status = 413
    title = "File too large"
    type_slug = "payload-too-large"
