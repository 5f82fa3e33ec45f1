"""What every portal page shares: rendering, security headers, cookies, CSRF, language,
and money and dates written the reader's way."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from concilia.config import get_settings
from concilia.db import utcnow
from concilia.portal import entry, security
from concilia.portal.i18n import LANGS, pick_lang, translator
from concilia.portal.models import PortalSession
from concilia.portal.settings import get_portal_settings
from concilia.portfolio.money import Money
from concilia.web.templating import get_templates

LANG_COOKIE = "concilia_portal_lang"
# A signed "last active" time, bound to the session cookie: idle expiry without writing to
# the database on every page (a write per request serialised SQLite under load).
SEEN_COOKIE = "concilia_portal_seen"
PRE_COOKIE = "concilia_portal_pre"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
_LOCALES = {"fr": "fr_FR", "es": "es_ES", "en": "en_GB"}
# Parsed once: Babel parses a locale given by name on every call (about 3 ms a figure,
# measured; the case page writes a dozen figures), against 0.3 ms with the Locale object.
_LOCALE_OBJECTS = {lang: Locale.parse(name) for lang, name in _LOCALES.items()}
# The portal's own policy, whatever the app adds: nothing inline, nothing from elsewhere,
# never framed (click-jacking a consent button), forms post only here.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a link token must never leak to another site
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def client_key(request: Request) -> str:
    """Keyed hash of the client address (rate limits are counted on it)."""
    host = request.client.host if request.client else "unknown"
    return security.ip_key(host)


def lang_of(request: Request, preferred: str | None = None) -> str:
    """The query's ``lang``, the portal's cookie, the session's language, then the browser's."""
    return pick_lang(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        preferred,
        accept_language=request.headers.get("accept-language", ""),
    )


def money(value: Money, lang: str) -> str:
    """An amount in its currency, written the reader's way."""
    return str(format_currency(value.amount, value.currency, locale=_LOCALE_OBJECTS[lang]))


def day(value: date | datetime | None, lang: str) -> str:
    """A date written the reader's way."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return str(format_datetime(value, format="medium", locale=_LOCALE_OBJECTS[lang]))
    return str(format_date(value, format="long", locale=_LOCALE_OBJECTS[lang]))


def harden(response: Response, request: Request) -> Response:
    """Security headers, and the chosen language remembered when it came in the query."""
    response.headers.update(SECURITY_HEADERS)
    active = getattr(request.state, "portal_active", None)
    if active:  # a valid, non-idle session was used: it is active now
        set_cookie(response, SEEN_COOKIE, security.seen_value(active, utcnow()), 24 * 3600)
    chosen = request.query_params.get("lang")
    if chosen in LANGS:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=get_settings().cookie_secure,
            path="/",
        )
    return response


def render(
    request: Request, name: str, lang: str, status_code: int = 200, **context: Any
) -> Response:
    """A portal page in the reader's language."""
    context.setdefault("errors", {})
    context.setdefault("signed_in", False)
    response = get_templates().TemplateResponse(
        request,
        f"portal/{name}",
        {
            "lang": lang,
            "langs": LANGS,
            "t": translator(lang),
            "money": lambda m: money(m, lang),
            "amount": lambda a, c: money(Money(a, c), lang),
            "day": lambda d: day(d, lang),
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    return harden(response, request)


def redirect(request: Request, url: str) -> Response:
    """See other (after a form), with the portal's headers."""
    return harden(RedirectResponse(url, status_code=303), request)


def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    """A portal cookie: HTTP only, same site strict, secure when the site is."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=get_settings().cookie_secure,
        path="/",
    )


def pre_cookie(request: Request) -> tuple[str, bool]:
    """The anonymous cookie the entry form's CSRF value is bound to (and whether it is new)."""
    value = request.cookies.get(PRE_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value, False
    return security.new_secret(), True


def sent_csrf(request: Request, form_value: str | None) -> str | None:
    """The CSRF value of a form field, else of the HTMX header."""
    return form_value or request.headers.get(CSRF_HEADER)


def idle(clear: str, seen: str | None, now: datetime) -> bool:
    """Has this session been unused for longer than the idle limit (or never marked used)?"""
    last = security.seen_at(clear, seen)
    limit = timedelta(minutes=get_portal_settings().idle_minutes)
    return last is None or last + limit <= now


def current_session(request: Request, db_session: Session) -> PortalSession | None:
    """The signed-in debtor's session, or None (none, expired, revoked or idle)."""
    clear = request.cookies.get(get_portal_settings().session_cookie_name)
    now = utcnow()
    session = entry.get_session(db_session=db_session, clear=clear, now=now)
    if session is None or clear is None or idle(clear, request.cookies.get(SEEN_COOKIE), now):
        return None
    request.state.portal_active = clear
    return session


def session_csrf_ok(session: PortalSession, request: Request, form_value: str | None) -> bool:
    """Does the form carry this session's CSRF value?"""
    sent = sent_csrf(request, form_value)
    return sent is not None and security.csrf_ok_exact(session.csrf_token, sent)


def signed_in(request: Request, db_session: Session) -> tuple[PortalSession | None, str]:
    """The verified debtor's session (or None) and the language to answer in."""
    session = current_session(request, db_session)
    return session, lang_of(request, session.lang if session else None)


def to_entry(request: Request) -> Response:
    """Back to the door (no session, or it expired)."""
    return redirect(request, "/portal?expired=1")


def bad_csrf(request: Request, lang: str) -> Response:
    """A form whose CSRF value does not belong to this browser."""
    return render(request, "message.html", lang, status_code=403, message_key="form_expired")


def not_found(request: Request, lang: str, signed_in: bool = True) -> Response:
    """The same answer for a case that does not exist and one that is not the debtor's."""
    return render(
        request,
        "message.html",
        lang,
        status_code=404,
        message_key="not_found",
        signed_in=signed_in,
    )


def locked(request: Request, lang: str, until: datetime) -> Response:
    """The door is locked for a while; say until when, in the person's language."""
    when = until.strftime("%H:%M")
    return render(request, "locked.html", lang, status_code=429, until=when)
