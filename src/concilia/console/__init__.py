"""The agent's console: worklist, case page, contact loop (pages and JSON API)."""
