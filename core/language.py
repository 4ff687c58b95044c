"""Which language a request is answered in (docs/translating.md, "How the language is chosen").

- Pages: the user's own setting (`UserPreferences.language`, changed on /profile/ or in the top bar), else
  the browser's Accept-Language, else English.
- The API (/api/): Accept-Language only, else English. Never the user's setting, never a cookie: a
  program gets the same answer whoever's token it sends; error `code`s never change, `detail` does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

DEFAULT_LANGUAGE = "en"


def supported_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def supported_language(code: str) -> str | None:
    """`code` ("de", "de-AT", "ES") as one of settings.LANGUAGES, or None."""
    if not code or code == "*":
        return None
    try:
        variant = get_supported_language_variant(code.lower())
    except LookupError:
        return None
    return variant if variant in supported_languages() else None


def language_from_accept(header: str | None) -> str | None:
    """The first supported language of an Accept-Language header (by quality), or None."""
    for code, _quality in parse_accept_lang_header(header or ""):
        language = supported_language(code)
        if language is not None:
            return language
    return None


def user_language(user: Any) -> str:
    """The user's own setting ("" when none: the browser decides). One query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    from core.models import UserPreferences

    value = UserPreferences.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return supported_language(value or "") or ""


# The user's setting as read once per session (pages then cost no query for it); a session is one
# login on one device, so a change made on another device shows there at the next login.
SESSION_KEY = "lotpick_language"


def session_user_language(request: Any) -> str:
    """The user's own setting, read once per session and kept in it ("" when none)."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    session = getattr(request, "session", None)
    if session is None:
        return user_language(user)
    cached = session.get(SESSION_KEY)
    if isinstance(cached, str) and (cached == "" or supported_language(cached)):
        return cached
    value = user_language(user)
    session[SESSION_KEY] = value
    return value


def request_language(request: Any, *, api: bool) -> str:
    """The language to answer `request` in (see the module's docstring)."""
    accepted = language_from_accept(request.META.get("HTTP_ACCEPT_LANGUAGE"))
    if api:
        return accepted or DEFAULT_LANGUAGE
    return session_user_language(request) or accepted or DEFAULT_LANGUAGE


def set_user_language(user: Any, language: str, *, session: Any = None) -> str:
    """Save the user's setting ("" = the browser's language) and, given the request's session, keep it
    there for the next pages; returns what was saved."""
    from core.models import UserPreferences

    value = supported_language(language) or ""
    UserPreferences.objects.update_or_create(user=user, defaults={"language": value})
    if session is not None:
        session[SESSION_KEY] = value
    return value


def day(value: Any) -> str:
    """A date in the active language's short format, for messages: 2026-11-30 in English (ISO, as the
    pages show it), 30.11.2026 in German, 30/11/2026 in Spanish. None and "" become ""."""
    if value in (None, ""):
        return ""
    from django.utils.formats import date_format

    return date_format(value, "SHORT_DATE_FORMAT")
