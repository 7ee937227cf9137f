"""Dispatch: choosing which units go to an incident, and how long they take to get there."""
