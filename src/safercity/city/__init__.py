"""Reference data for the city: loaders only, no rules. London is the bundled default."""
