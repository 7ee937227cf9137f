"""Staff accounts, agencies, roles, sign-in, browser sessions and API tokens."""
