"""Creditors, debtors, debts, cases, payments, promises to pay and payment plans."""
