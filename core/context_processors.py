from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from core.roles import user_roles


def roles(request: HttpRequest) -> dict[str, Any]:
    """Roles of the user and the navigation links they may follow (settings.LOTPICK_NAV)."""
    user = getattr(request, "user", None)
    names = user_roles(user) if user is not None else set()
    links = []
    if user is not None and user.is_authenticated:
        for label, url_name, perm in getattr(settings, "LOTPICK_NAV", []):
            if perm and not user.has_perm(perm):
                continue
            try:
                links.append({"label": label, "url": reverse(url_name)})
            except NoReverseMatch:
                continue
    return {
        "user_roles": sorted(names),
        "is_supervisor": "supervisor" in names,
        "is_worker": "worker" in names,
        "nav_links": links,
    }


def language(request: HttpRequest) -> dict[str, Any]:
    """The interface's languages for the top bar's switcher (templates/core/_language_switch.html)."""
    current = get_language() or "en"
    return {
        "current_language": current,
        "language_choices": [
            {"code": code, "name": name, "selected": code == current} for code, name in settings.LANGUAGES
        ],
    }
