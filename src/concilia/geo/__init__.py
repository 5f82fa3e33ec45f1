"""Gazetteer: real cities of FR, ES, GB and US with coordinates, population and time zones."""
