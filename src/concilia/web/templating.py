"""One Jinja2 environment for every domain: ``web/templates`` plus each domain's ``templates/``.

Pages speak the request's language: ``_()``/``ngettext()`` and the ``money``, ``number``,
``day`` and ``moment`` filters read ``lang`` from the template context, or work it out from
the ``request`` there (cookie, then Accept-Language), so routes that pass neither still
get a translated page.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from concilia.domains import DOMAINS
from concilia.web import i18n

_PACKAGE = Path(__file__).resolve().parent.parent


def context_language(ctx: Context) -> str:
    """The page's language: ``lang`` in the context, else the request's."""
    lang = ctx.get("lang")
    if isinstance(lang, str) and lang in i18n.LANGUAGES:
        return lang
    request = ctx.get("request")
    return i18n.language_of(request) if request is not None else i18n.DEFAULT_LANGUAGE


@pass_context
def _gettext(ctx: Context, message: str, **variables: Any) -> str:
    text = i18n.gettext(context_language(ctx), message)
    return text % variables if variables else text


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int, **variables: Any) -> str:
    text = i18n.ngettext(context_language(ctx), singular, plural, n)
    return text % {"num": n, **variables}


@pass_context
def _money(ctx: Context, amount: Decimal | int | None, currency: str) -> str:
    return i18n.money(amount, currency, context_language(ctx))


@pass_context
def _number(ctx: Context, value: float | int | Decimal, digits: int = 2) -> str:
    return i18n.number(value, context_language(ctx), digits)


@pass_context
def _day(ctx: Context, value: date | datetime | None) -> str:
    return i18n.day(value, context_language(ctx))


@pass_context
def _moment(ctx: Context, value: datetime | None, time_zone: str = "UTC") -> str:
    return i18n.moment(value, context_language(ctx), time_zone)


@pass_context
def _page_language(ctx: Context) -> str:
    return context_language(ctx)


@lru_cache(maxsize=1)
def get_templates() -> Jinja2Templates:
    """The shared template renderer (autoescaped, with the i18n extension)."""
    folders = [_PACKAGE / "web" / "templates"]
    folders += [
        _PACKAGE / d / "templates" for d in DOMAINS if (_PACKAGE / d / "templates").is_dir()
    ]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
    )
    # Our callables already do the %-formatting newstyle gettext would do.
    env.globals["_"] = env.globals["gettext"] = _gettext
    env.globals["ngettext"] = _ngettext
    env.globals["page_language"] = _page_language
    env.globals["languages"] = i18n.LANGUAGES
    env.filters["money"] = _money
    env.filters["number"] = _number
    env.filters["day"] = _day
    env.filters["moment"] = _moment
    return Jinja2Templates(env=env)
