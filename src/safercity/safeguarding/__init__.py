"""Safeguarding: risk assessments shared by the agencies of a multi-agency safeguarding hub."""
