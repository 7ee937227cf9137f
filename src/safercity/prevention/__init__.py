"""Prevention: crime events, forecasts, near repeats, warnings and open data."""
