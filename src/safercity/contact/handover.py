"""Handing incidents to and from other agencies' systems as NENA EIDO documents.

An export is a disclosure of the callers' details to another system: audited with its
recipient. An import is a call like any other: it goes through `take_call`, so it is graded,
checked for duplicates and audited the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safercity.contact import service, store
from safercity.contact.duplicates import DuplicateRule
from safercity.contact.eido import EidoAgency, from_eido, to_eido
from safercity.contact.model import MAX_NOTE, MAX_SHORT
from safercity.contact.service import CallOutcome, NewCall
from safercity.contact.taxonomy import Taxonomy
from safercity.dispatch import service as dispatch
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import FieldError, InvalidInput, NotFound
from safercity.platform.http import require
from safercity.platform.identity.model import Permission, StaffUser

JOINT_SERVICE = EidoAgency(
    id="joint999.london.safercity.invalid",
    name="SaferCity London joint 999 service",
    uri="https://joint999.london.safercity.invalid/",
)
MAX_RECIPIENT = 200


def export_eido(
    db: Database,
    clock: Clock,
    user: StaffUser,
    taxonomy: Taxonomy,
    incident_id: int,
    recipient: str,
) -> dict[str, Any]:
    """The incident as an EIDO document for `recipient` (another agency's system)."""
    require(user, Permission.VIEW_INCIDENTS)
    recipient = recipient.strip()
    if not recipient or len(recipient) > MAX_RECIPIENT:
        raise InvalidInput(
            "say who receives the incident",
            [FieldError("recipient", f"Name the receiving agency (1 to {MAX_RECIPIENT} chars)")],
        )
    with db.transaction() as conn:
        row = store.incident(conn, incident_id)
        if row is None:
            raise NotFound(f"There is no incident {incident_id}. Check the number on the board.")
        assigned = dispatch.assignments_of(conn, [incident_id])
        units = {
            s.unit.call_sign: s.unit
            for s in dispatch.units_of(conn, {a.call_sign for a in assigned})
        }
        kind = taxonomy.types.get(row.incident.type_code)
        document = to_eido(
            row.incident,
            assigned,
            units,
            agency=JOINT_SERVICE,
            sent_at=clock.now(),
            type_label=kind.label if kind else row.incident.type_code,
        )
        audit.record(
            conn,
            clock,
            AuditRecord(
                actor=user.audit_name,
                action=AuditAction.DISCLOSURE,
                subject_type=service.SUBJECT,
                subject_id=str(incident_id),
                purpose="handover of a 999 incident to another agency's system (EIDO)",
                recipient=recipient,
                detail=f"EIDO export with {len(row.incident.calls)} call(s)",
            ),
        )
    return document


def import_eido(
    db: Database,
    clock: Clock,
    user: StaffUser,
    taxonomy: Taxonomy,
    rule: DuplicateRule,
    document: Mapping[str, Any],
    incident_type: str | None = None,
) -> CallOutcome:
    """Open (or offer as a duplicate) an incident handed over by another agency's system.

    The document's type is used when it is one of ours; otherwise the handler names one.
    """
    require(user, Permission.TAKE_CALLS)
    imported = from_eido(document, type_codes=frozenset(taxonomy.types))
    type_code = incident_type or imported.type_code
    if type_code is None:
        raise InvalidInput(
            f"the document's incident type ({imported.type_text or 'none'}) is not in our taxonomy",
            [FieldError("incident_type", "Choose the incident type from the joint taxonomy")],
        )
    header = f"Handed over by {imported.sending_agency} (their incident {imported.external_id})."
    description = f"{header}\n{imported.description}".strip()[:MAX_NOTE]
    return service.take_call(
        db,
        clock,
        user,
        taxonomy,
        rule,
        NewCall(
            lat=imported.lat,
            lon=imported.lon,
            address=imported.address[:MAX_SHORT],
            description=description,
            type_code=type_code,
            callback_number=imported.callback_number,
            caller_name=imported.caller_name[:MAX_SHORT],
        ),
    )
