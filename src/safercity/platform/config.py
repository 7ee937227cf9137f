"""One Settings object, read from the environment (prefix ``SAFERCITY_``)."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_FILE = "secret.key"


class Settings(BaseSettings):
    """Everything that differs between a laptop demo and a production deployment."""

    model_config = SettingsConfigDict(env_prefix="SAFERCITY_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Field(default=Path("var"), description="Where SQLite and evidence live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; a SQLite file under data_dir when unset."
    )
    secret_key: str | None = Field(default=None, description="Signs API tokens and CSRF tokens.")
    evidence_dir: Path | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "victim-updates@safercity.invalid"
    session_idle_minutes: int = 30
    token_minutes: int = 30
    lockout_attempts: int = 5
    lockout_minutes: int = 10
    tracking_failures_per_window: int = 10
    tracking_window_seconds: int = 300
    max_evidence_bytes: int = 50 * 1024 * 1024
    road_graph: Path | None = Field(
        default=None,
        description="A road graph built by `safercity city import-roads`: used for ETAs where "
        "it covers both the unit and the incident; the calibrated model elsewhere.",
    )
    travel_model: Path | None = Field(
        default=None,
        description="A calibrated travel-time model (JSON); the bundled London one when unset.",
    )
    taxonomy: Path | None = Field(
        default=None, description="The joint incident taxonomy (JSON); London's when unset."
    )
    sharing_agreements: Path | None = Field(
        default=None,
        description="The safeguarding hub's information-sharing agreements (JSON); London's "
        "when unset.",
    )
    duplicate_within_s: int = Field(
        default=600, description="A call this soon after an open incident's last call..."
    )
    duplicate_within_m: float = Field(
        default=200.0, description="...and this near it is offered as a likely duplicate."
    )
    worker_threads: int | None = Field(
        default=None,
        description="Threads serving requests; default 8 on SQLite (one writer at a time), "
        "40 on PostgreSQL.",
    )

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.environment == "production" and not self.secret_key:
            raise ValueError(
                "SAFERCITY_SECRET_KEY must be set in production: generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'safercity.db').resolve()}"

    @property
    def resolved_evidence_dir(self) -> Path:
        return self.evidence_dir or self.data_dir / "evidence"

    @cached_property
    def signing_key(self) -> str:
        """The configured secret, or in development one kept in the data dir across restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / DEVELOPMENT_SECRET_FILE
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
