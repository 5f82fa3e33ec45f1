"""Users, roles, teams, web sessions and API tokens."""
