"""Outreach: compliance rules, tone, templates, channels and the outbox."""
