"""Imports every store so that ``metadata`` knows every table (for autogenerate and check)."""

from safercity.cases import store as cases_store
from safercity.cases import update_store as cases_update_store
from safercity.contact import store as contact_store
from safercity.dispatch import store as dispatch_store
from safercity.evidence import store as evidence_store
from safercity.platform import outbox, ratelimit
from safercity.platform.audit import store as audit_store
from safercity.platform.db import metadata
from safercity.platform.identity import store as identity_store
from safercity.prevention import store as prevention_store
from safercity.prevention import warning_store as prevention_warning_store
from safercity.reporting import store as reporting_store
from safercity.safeguarding import store as safeguarding_store
from safercity.simulation import store as simulation_store

__all__ = [
    "audit_store",
    "cases_store",
    "cases_update_store",
    "contact_store",
    "dispatch_store",
    "evidence_store",
    "identity_store",
    "metadata",
    "outbox",
    "prevention_store",
    "prevention_warning_store",
    "ratelimit",
    "reporting_store",
    "safeguarding_store",
    "simulation_store",
]
