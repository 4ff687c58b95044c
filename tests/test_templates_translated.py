"""Every word a template shows is marked for translation: text between tags and the texts of title,
aria-label, placeholder, alt and data-label attributes are inside {% translate %} or {% blocktranslate %}.
makemessages only finds marked strings, so an unmarked English text would stay English in German and
Spanish without any catalogue check noticing; this test does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.loader import get_template

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# What a template may show untranslated: the product's name and arrows.
ALLOWED = {"lotpick", "lotpick · lotpick", "&larr;", "&rarr;"}
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-label", "data-confirm")


def unmarked_texts(source: str) -> list[str]:
    """The texts of a template that a worker would see and that are not marked for translation."""
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
    text = re.sub(r"{#.*?#}", "", text, flags=re.S)
    text = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}", "", text, flags=re.S)
    text = re.sub(r"{%.*?%}", "", text, flags=re.S)  # translate and every other tag
    text = re.sub(r"{{.*?}}", "", text, flags=re.S)  # values (item numbers, codes) are not translated
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
    found = [
        f'{name}="{value}"'
        for name, value in re.findall(r'\b({})="([^"]*)"'.format("|".join(ATTRIBUTES)), text)
        if re.search("[A-Za-z]", value)
    ]
    for piece in re.sub(r"<[^>]*>", "\n", text).split("\n"):
        piece = piece.strip()
        if re.search("[A-Za-z]{2,}", piece) and piece not in ALLOWED:
            found.append(piece)
    return found


def test_the_check_finds_unmarked_text_and_passes_marked_text() -> None:
    assert unmarked_texts('<h1>Pick {{ pick.no }}</h1><a title="Log out">{% translate "Home" %}</a>') == [
        'title="Log out"',
        "Pick",
    ]
    assert (
        unmarked_texts(
            "{% load i18n %}<h1>{% blocktranslate with no=pick.no %}Pick {{ no }}{% endblocktranslate %}</h1>"
            "<a title=\"{% translate 'Log out' %}\">{{ user.username }}</a>{# a note #}"
        )
        == []
    )


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_every_text_of_a_template_is_marked_for_translation(path: Path) -> None:
    assert unmarked_texts(path.read_text(encoding="utf-8")) == []
    # and the template compiles: a {% translate %} without {% load i18n %} would fail here
    get_template(str(path.relative_to(TEMPLATES)))
