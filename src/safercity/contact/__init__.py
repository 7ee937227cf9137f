"""999 intake: calls, the joint incident taxonomy, grading, THRIVE and duplicate calls."""
