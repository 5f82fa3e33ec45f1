"""Alembic migrations (checked in; `concilia db upgrade` applies them)."""
