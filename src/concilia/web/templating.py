"""One Jinja2 environment for every domain: ``web/templates`` plus each domain's ``templates/``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from concilia.domains import DOMAINS

_PACKAGE = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def get_templates() -> Jinja2Templates:
    """The shared template renderer (autoescaped)."""
    folders = [_PACKAGE / "web" / "templates"]
    folders += [
        _PACKAGE / d / "templates" for d in DOMAINS if (_PACKAGE / d / "templates").is_dir()
    ]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
        autoescape=select_autoescape(["html", "xml"]),
    )
    return Jinja2Templates(env=env)
