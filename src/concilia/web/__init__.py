"""Shared web layer: templates (Jinja2 + HTMX) and static assets for the console and portal."""
