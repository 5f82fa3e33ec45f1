"""Whereabouts: the likely current city and employer from the public friend graph."""
