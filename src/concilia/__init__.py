"""Concilia: lawful, private and humane use of public social-network data in debt recovery."""

__version__ = "0.1.0"
