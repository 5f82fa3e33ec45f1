"""Authenticity: fake accounts and impersonation."""
