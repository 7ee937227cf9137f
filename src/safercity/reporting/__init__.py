"""The public's crime report and the tracking of it."""
