"""The composition root: the one place that turns settings into real adapters."""

from __future__ import annotations

from datetime import timedelta

from safercity.platform.clock import Clock, SystemClock
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.http import AppContext
from safercity.platform.identity.model import LockoutPolicy
from safercity.platform.identity.service import IdentityConfig
from safercity.platform.outbox import KeepTransport, SmtpTransport, Transport


def build_context(settings: Settings | None = None, clock: Clock | None = None) -> AppContext:
    settings = settings or Settings()
    return AppContext(
        settings=settings,
        db=Database.from_url(settings.resolved_database_url),
        clock=clock or SystemClock(),
        identity=IdentityConfig(
            signing_key=settings.signing_key,
            session_idle=timedelta(minutes=settings.session_idle_minutes),
            token_lifetime=timedelta(minutes=settings.token_minutes),
            lockout=LockoutPolicy(
                max_failures=settings.lockout_attempts,
                lock_for=timedelta(minutes=settings.lockout_minutes),
            ),
        ),
    )


def outbox_transport(settings: Settings) -> Transport:
    if settings.smtp_host:
        return SmtpTransport(settings.smtp_host, settings.smtp_port, settings.smtp_sender)
    return KeepTransport()
