"""Tracing: link debtors to public profiles, review the candidates, keep the evidence."""
