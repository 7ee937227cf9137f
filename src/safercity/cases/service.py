"""The case file's use cases, one function per thing a person does.

The public's side (``open_from_report``, ``exists``, ``victim_view``, ``add_victim_message``)
takes the caller's connection. Staff use cases take ``db``, ``clock`` and the ``StaffUser``,
and each runs in one transaction with its access check and audit entry.
"""

from __future__ import annotations

from safercity.cases.intake import add_victim_message, exists, open_from_report, victim_view

__all__ = [
    "add_victim_message",
    "exists",
    "open_from_report",
    "victim_view",
]
