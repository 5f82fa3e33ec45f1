"""Tamper-evident, append-only audit log (a hash chain keyed with HMAC-SHA256)."""
