"""Users, roles and scopes, bearer tokens, login throttling."""
