"""The interface's language (core.language, core.middleware.LanguageMiddleware, docs/translating.md):
pages follow the user's setting, else Accept-Language, else English; the API follows Accept-Language
only; quantities are typed and shown in the page's language."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from core.forms import LocalizedQuantityField, QuantityInput
from core.models import UserPreferences
from core.quantities import QuantityInputError, localize_quantity, parse_quantity_input
from core.templatetags.lotpick import qty
from picking.tests.picks_pages.pages import card, lines_of, set_qty, text
from tests.clients import api_client_for, browser_for, problem
from tests.world import World, make_pick

pytestmark = pytest.mark.django_db

ADJUSTMENTS = "/api/v1/inventory/adjustments/"


@pytest.fixture(autouse=True, scope="module")
def _compiled_catalogues() -> None:
    """The catalogues as `make install` compiles them (.mo files are never committed)."""
    call_command("compiletranslations", verbosity=0)


def _zero_adjustment(api: Any, wh: World, **headers: Any) -> dict[str, Any]:
    body = {"location": "MAIN", "bin": "A1", "item": wh.lot_strict.no, "entries": [{"quantity": 0}]}
    return problem(api.post(ADJUSTMENTS, body, format="json", **headers), 400, "quantity_zero")


# --- The API: English unless the client asks (Accept-Language); codes never change ------------------


def test_api_detail_follows_accept_language_with_the_same_code(erp_api: Any, wh: World) -> None:
    # given an adjustment with a zero quantity (refused: 400 quantity_zero)
    english = _zero_adjustment(erp_api, wh)
    # when the same request asks for German, then Spanish
    german = _zero_adjustment(erp_api, wh, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    spanish = _zero_adjustment(erp_api, wh, HTTP_ACCEPT_LANGUAGE="es")
    # then the code and the fields are the same, the detail is in the language asked for
    assert "Give a quantity: positive to receive, negative to remove." in english["detail"]
    assert "Geben Sie eine Menge an: positiv für einen Zugang, negativ für einen Abgang." in german["detail"]
    assert "Indique una cantidad: positiva para recibir, negativa para quitar." in spanish["detail"]
    for body in (german, spanish):
        assert body["code"] == english["code"] == "quantity_zero"
        assert [(e["code"], e["field"]) for e in body["errors"]] == [
            (e["code"], e["field"]) for e in english["errors"]
        ]
        assert body["type"] == english["type"] and body["status"] == 400


def test_api_ignores_the_users_setting_and_the_language_cookie(wh: World, integration_user: Any) -> None:
    # given an integration user whose own setting is German, and a client with a German language cookie
    UserPreferences.objects.create(user=integration_user, language="de")
    api = api_client_for(integration_user)
    api.cookies["django_language"] = "de"
    # when it calls the API without Accept-Language
    response = api.post(
        ADJUSTMENTS,
        {"location": "MAIN", "bin": "A1", "item": wh.lot_strict.no, "entries": [{"quantity": 0}]},
        format="json",
    )
    # then the answer is English and says it varies by Accept-Language
    body = problem(response, 400, "quantity_zero")
    assert "Give a quantity" in body["detail"]
    assert "Accept-Language" in response["Vary"] and response["Content-Language"] == "en"


def test_api_unsupported_language_is_english(erp_api: Any, wh: World) -> None:
    body = _zero_adjustment(erp_api, wh, HTTP_ACCEPT_LANGUAGE="fr-FR, pt;q=0.8")
    assert "Give a quantity" in body["detail"]


def test_drf_validation_messages_follow_accept_language(erp_api: Any) -> None:
    # a missing field: the framework's own message, translated by its catalogue; the code stays `required`
    response = erp_api.post(ADJUSTMENTS, {"location": "MAIN"}, format="json", HTTP_ACCEPT_LANGUAGE="de")
    body = problem(response, 400, "invalid")
    assert {e["code"] for e in body["errors"]} == {"required"}
    assert "Dieses Feld ist zwingend erforderlich." in body["detail"]


# --- Pages: the user's setting > Accept-Language > English -------------------------------------------


def _lang(response: Any) -> str:
    page = response.content.decode()
    start = page.index('<html lang="') + len('<html lang="')
    return page[start : page.index('"', start)]


def test_anonymous_users_have_no_profile_and_cannot_switch(client: Client) -> None:
    assert client.get("/profile/")["Location"].startswith("/login/")
    response = client.post("/language/", {"language": "de", "next": "/"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not UserPreferences.objects.exists()
    # the login page follows the browser
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert _lang(page) == "es" and "Accept-Language" in page["Vary"]


def test_pages_follow_accept_language_when_the_user_has_no_setting(worker: Any) -> None:
    browser = browser_for(worker)
    assert _lang(browser.get("/profile/")) == "en"
    german = browser.get("/profile/", HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9")
    assert _lang(german) == "de" and "Profil" in text(german) and german["Content-Language"] == "de"
    assert "Accept-Language" in german["Vary"]
    assert _lang(browser.get("/profile/", HTTP_ACCEPT_LANGUAGE="fr")) == "en"


def test_worker_saves_a_language_on_the_profile_page(worker: Any) -> None:
    browser = browser_for(worker)
    # when the worker picks Español on the profile page (a German browser)
    response = browser.post("/profile/", {"language": "es"}, HTTP_ACCEPT_LANGUAGE="de")
    # then it is saved, and every page is Spanish, whatever the browser says
    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert UserPreferences.objects.get(user=worker).language == "es"
    page = browser.get("/profile/", HTTP_ACCEPT_LANGUAGE="de")
    assert _lang(page) == "es" and "Se ha guardado su idioma." in text(page)
    assert 'value="es" checked' in page.content.decode()
    assert _lang(browser.get("/", HTTP_ACCEPT_LANGUAGE="de")) == "es"
    # and back to the browser's language
    browser.post("/profile/", {"language": ""})
    assert UserPreferences.objects.get(user=worker).language == ""
    assert _lang(browser.get("/", HTTP_ACCEPT_LANGUAGE="de")) == "de"


def test_profile_refuses_a_language_that_is_not_offered(worker: Any) -> None:
    response = browser_for(worker).post("/profile/", {"language": "fr"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not UserPreferences.objects.filter(user=worker).exists()


def test_top_bar_switcher_saves_the_language_and_goes_back(worker: Any) -> None:
    browser = browser_for(worker)
    # the top bar shows the switcher: a form that works without JavaScript
    home = browser.get("/").content.decode()
    assert 'action="/language/"' in home and 'name="language"' in home and 'type="submit"' in home
    assert '<option value="en" lang="en" selected>' in home
    # when the worker chooses Deutsch on the pick list
    response = browser.post("/language/", {"language": "de", "next": "/picks/?status=active"})
    # then the setting is saved and the worker is back on the same page, in German
    assert response.status_code == 302 and response["Location"] == "/picks/?status=active"
    assert UserPreferences.objects.get(user=worker).language == "de"
    page = browser.get("/")
    assert _lang(page) == "de" and '<option value="de" lang="de" selected>' in page.content.decode()
    assert "Ihre Sprache wurde gespeichert." in text(page)


def test_switcher_never_redirects_elsewhere(worker: Any) -> None:
    browser = browser_for(worker)
    response = browser.post("/language/", {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    response = browser.post("/language/", {"language": "xx", "next": "/profile/"})
    assert response["Location"] == "/profile/"
    assert not UserPreferences.objects.filter(user=worker).exclude(language="es").exists()


# --- Quantities typed in the page's language ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("2,5", "de", Decimal("2.5")),
        ("2,5", "es", Decimal("2.5")),
        ("1,5", "es", Decimal("1.5")),
        ("2.5", "en", Decimal("2.5")),
        (" 10 ", "de", Decimal("10")),
        ("0,125", "de", Decimal("0.125")),
        ("1,000", "de", Decimal("1")),  # the decimal comma of German: one
        ("1.000", "en", Decimal("1")),  # the decimal point of English: one
        ("0.125", "de", Decimal("0.125")),  # a leading 0 is never a thousands grouping
        ("1.5", "de", Decimal("1.5")),  # one digit after the point: only a decimal point can be meant
        ("2,5", "en", Decimal("2.5")),  # likewise a comma in English
        ("1.2345", "de", Decimal("1.2345")),
        ("-1,5", "de", Decimal("-1.5")),
        (",5", "de", Decimal("0.5")),
        ("", "de", None),
    ],
)
def test_typed_quantities_are_read_in_the_language(typed: str, language: str, expected: Any) -> None:
    assert parse_quantity_input(typed, language) == expected


@pytest.mark.parametrize(
    ("typed", "language", "readings"),
    [
        ("1.000", "de", ("1000", "1")),
        ("12.500", "de", ("12500", "12,5")),
        ("1.000", "es", ("1000", "1")),
        ("1,000", "en", ("1000", "1")),
        ("2,250", "en", ("2250", "2.25")),
    ],
)
def test_what_could_be_a_thousands_separator_is_refused(typed: str, language: str, readings: Any) -> None:
    with translation.override(language), pytest.raises(QuantityInputError) as info:
        parse_quantity_input(typed, language)
    assert info.value.ambiguous
    for reading in readings:
        assert reading in info.value.message  # both readings, written as the quantity would be typed


@pytest.mark.parametrize("typed", ["1.000,5", "1,000.5", "1.000.000", "abc", "1e3", "2 5", "1,", "+"])
def test_what_is_no_quantity_is_refused(typed: str) -> None:
    with pytest.raises(QuantityInputError) as info:
        parse_quantity_input(typed, "de")
    assert not info.value.ambiguous


def test_refusals_are_in_the_language() -> None:
    with translation.override("de"), pytest.raises(QuantityInputError) as info:
        parse_quantity_input("1.000", "de")
    assert info.value.message == (
        "„1.000“ kann 1000 oder 1 bedeuten. Geben Sie die Menge ohne Tausendertrennzeichen ein: 1000 oder 1."
    )
    with translation.override("es"), pytest.raises(QuantityInputError) as info:
        parse_quantity_input("abc", "es")
    assert info.value.message.startswith("«abc» no es una cantidad. Escriba un número como 2,5")


def test_localized_quantity_field() -> None:
    field = LocalizedQuantityField(min_value=Decimal("0.00001"))
    with translation.override("de"):
        assert field.clean("2,5") == Decimal("2.5")
        with pytest.raises(Exception, match="Tausendertrennzeichen"):
            field.clean("1.000")
        with pytest.raises(Exception, match="mindestens 0,00001"):
            field.clean("0")
        # the field shows a quantity as it is typed, with inputmode=decimal and never type=number
        rendered = QuantityInput().render("quantity", Decimal("2.5"))
        assert 'value="2,5"' in rendered and 'inputmode="decimal"' in rendered and 'type="text"' in rendered
    text_field = LocalizedQuantityField(as_text=True, required=False)
    with translation.override("es"):
        assert text_field.clean("1,5") == "1.5"
        assert text_field.clean("abc") == "abc"  # left to the service's own message
        assert text_field.clean("") == ""


def test_quantities_on_pages_are_written_in_the_language() -> None:
    with translation.override("de"):
        assert qty(Decimal("2.50000")) == "2,5" and qty(Decimal("1000")) == "1000" and qty(None) == ""
    with translation.override("es"):
        assert qty(Decimal("0.125")) == "0,125"
    with translation.override("en"):
        assert qty(Decimal("2.5")) == "2.5"
    assert localize_quantity(Decimal("12.5"), "de") == "12,5"


def test_german_worker_types_a_decimal_comma_and_an_ambiguous_quantity_is_refused(world: World) -> None:
    # given a German worker and a lot line of 4
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1"})
    pick = make_pick(world, (world.lot_wh, 4))
    (line,) = lines_of(pick)
    UserPreferences.objects.create(user=world.worker, language="de")
    browser = browser_for(world.worker)
    # when the worker types 1.000 (one? a thousand?)
    response = set_qty(browser, line, "1.000")
    # then it is refused next to the line, in German, with the value kept, and nothing changed
    assert response.status_code == 400
    fragment = card(text(response), line)
    assert "„1.000“ kann 1000 oder 1 bedeuten" in fragment and 'value="1.000"' in fragment
    before = line.qty_to_handle
    line.refresh_from_db()
    assert line.qty_to_handle == before != Decimal("1000")
    # and 1,5 is one and a half
    assert set_qty(browser, line, "1,5").status_code == 302
    line.refresh_from_db()
    assert line.qty_to_handle == Decimal("1.5")
    # and the page shows it as the worker typed it
    page = html.unescape(browser.get(f"/picks/{pick.pk}/").content.decode())
    assert 'value="1,5"' in card(page, line)


def test_dates_in_messages_follow_the_language() -> None:
    import datetime

    from core.language import day

    date = datetime.date(2026, 11, 30)
    with translation.override("de"):
        assert day(date) == "30.11.2026"
    with translation.override("es"):
        assert day(date) == "30/11/2026"
    with translation.override("en"):
        assert day(date) == "2026-11-30"


def test_compiletranslations_compiles_every_catalogue(tmp_path: Any, settings: Any) -> None:
    # given a project with a complete catalogue and an incomplete one
    for app, translated in (("good", "Gut"), ("bad", "")):
        folder = tmp_path / app / "locale" / "de" / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "django.po").write_text(
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: de\\n"\n\n'
            f'msgid "Good"\nmsgstr "{translated}"\n',
            encoding="utf-8",
        )
    settings.BASE_DIR = tmp_path
    # when they are compiled: both .mo files are written
    call_command("compiletranslations", verbosity=0)
    assert (tmp_path / "good/locale/de/LC_MESSAGES/django.mo").stat().st_size > 0
    assert (tmp_path / "bad/locale/de/LC_MESSAGES/django.mo").exists()
    # and --check names the incomplete one
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"bad/locale/de/LC_MESSAGES/django\.po: 1 untranslated, 0 fuzzy"):
        call_command("compiletranslations", "--check", verbosity=0)


def test_quantities_in_messages_follow_the_language() -> None:
    from tracking.rules import tracking_problems

    entries = [("", "", Decimal("2.5"))]
    with translation.override("de"):
        (problem,) = tracking_problems(None, entries, line_quantity=Decimal("1.5"))
    assert problem.detail == "Die Nummern ergeben zusammen 2,5, mehr als die Menge der Zeile (1,5)."
    with translation.override("en"):
        (problem,) = tracking_problems(None, entries, line_quantity=Decimal("1.5"))
    assert problem.detail == "The numbers add up to 2.5, more than the line's quantity 1.5."


def test_the_users_setting_is_read_once_per_session_and_a_change_shows_at_once(worker: Any) -> None:
    """Pages spend no query on the user's language after the first; the switcher's change shows on the
    next page of the same session."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.language import set_user_language

    set_user_language(worker, "de")
    client = browser_for(worker)
    assert client.get("/").headers["Content-Language"] == "de"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").headers["Content-Language"] == "de"
    assert not any("userpreferences" in q["sql"].lower() for q in queries.captured_queries)
    client.post("/language/", {"language": "es", "next": "/profile/"})
    assert client.get("/").headers["Content-Language"] == "es"
