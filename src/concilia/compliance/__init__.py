"""Oversight: the routes through which compliance officers and auditors read the audit log
and verify its chain. They live apart from ``audit`` because every domain, auth included,
writes to the audit log: the log itself must depend on no one, and its readers need auth."""
