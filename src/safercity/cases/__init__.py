"""One case file: recording, investigation, charge, prosecution, court, outcome, evidence and
the Victims' Code clock."""
