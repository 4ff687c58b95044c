"""The interface in German and Spanish on a phone (390x844): the top bar's language switcher (keyboard,
and without JavaScript), a worker's pick walked in German (every visible word German, "1,5" is one and a
half, German dates), and a supervisor's pick deletion confirmed in Spanish (docs/translating.md)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from core.models import UserPreferences
from picking.models import Pick
from picking.services.pick_assign import pick_assign
from tests.browser.helpers import log_in
from tests.world import EXP_LATE, build_world, document, make_pick, pick_from
from warehouse.models import Item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# English words of the interface: none may be seen on a German or Spanish page.
ENGLISH_WORDS = [
    "Pick",
    "Picks",
    "Line",
    "Lines",
    "Bin",
    "Item",
    "Lot",
    "Serial",
    "Quantity",
    "Qty",
    "Outstanding",
    "Handle",
    "Handled",
    "Scan",
    "Post",
    "Delete",
    "Save",
    "Next",
    "Back",
    "Log out",
    "Expiration",
    "Expires",
    "expires",
    "Split",
    "Assign",
    "Select",
    "Location",
    "Status",
    "Home",
    "Stock",
    "Register",
    "Cancel",
    "Confirm",
    "Source",
    "Document",
    "Shipment",
    "Done",
    "Print",
    "Autofill",
    "Change",
    "Profile",
    "Language",
    "the",
    "and",
    "of",
    "to",
    "is",
    "with",
    "for",
    "not",
    "from",
    "this",
    "your",
    "Your",
]
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w-])")


def english_words(text: str) -> list[str]:
    return sorted(set(_ENGLISH.findall(text)))


@pytest.fixture(autouse=True)
def _compiled_catalogues() -> None:
    call_command("compiletranslations", verbosity=0)


def test_english_word_finder() -> None:
    assert english_words("Zu verarbeitende Menge · Lagerplatz A1 · LOT-WH · Nº lote L1") == []
    assert english_words("Menge to Handle, Lot L1") == ["Handle", "Lot", "to"]


def test_language_switcher_works_with_the_keyboard_and_without_javascript(
    live_server: Any, page: Any, browser: Any
) -> None:
    # given a worker on a phone, English by default
    world = build_world()
    log_in(page, live_server, world.worker.username)
    assert page.get_attribute("html", "lang") == "en"
    switcher = page.locator("[data-testid=language-switch]")
    assert switcher.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the top bar still fits
    # when the worker moves to the language menu with the keyboard, chooses Deutsch, and presses the button
    page.focus("#topbar-language")
    page.select_option("#topbar-language", "de")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Change"
    page.keyboard.press("Enter")
    page.wait_for_selector("html[lang=de]")
    # then the page is German, the menu says so, and the setting is saved
    assert page.locator("#topbar-language").input_value() == "de"
    assert "Ihre Sprache wurde gespeichert." in page.inner_text("main")
    assert UserPreferences.objects.get(user=world.worker).language == "de"

    # and without JavaScript the form works the same (a plain POST)
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    plain = context.new_page()
    log_in(plain, live_server, world.supervisor.username)
    plain.select_option("#topbar-language", "es")
    plain.click("[data-testid=language-switch] button")
    plain.wait_for_selector("html[lang=es]")
    assert UserPreferences.objects.get(user=world.supervisor).language == "es"
    context.close()


def test_profile_page_offers_the_browsers_language(live_server: Any, browser: Any) -> None:
    # given a worker whose browser asks for Spanish
    world = build_world()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    page = context.new_page()
    log_in(page, live_server, world.worker.username)
    # then pages are Spanish without any setting
    assert page.get_attribute("html", "lang") == "es"
    # when the worker chooses German on the profile page
    page.click("text=Perfil")
    page.check("input[name=language][value=de]")
    page.click("button[type=submit]:has-text('Guardar')")
    page.wait_for_selector("html[lang=de]")
    assert "Ihre Sprache wurde gespeichert." in page.inner_text("main")
    # and back to the browser's language (Spanish)
    page.check("input[name=language][value='']")
    page.click("button[type=submit]:has-text('Speichern')")
    page.wait_for_selector("html[lang=es]")
    context.close()


def test_worker_walks_a_pick_in_german(live_server: Any, page: Any) -> None:
    # given a German-speaking worker and a pick of 3 units of lot L1, which expires on EXP_LATE
    world = build_world()
    UserPreferences.objects.create(user=world.worker, language="de")
    # (the item's description is the company's data, not the interface: a German company writes it in German)
    Item.objects.filter(pk=world.lot_wh.pk).update(description="Tabletten 20 Stück")
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1", "expiration_date": EXP_LATE})
    doc = document(world, (world.lot_wh, 3), no="SO-DE")
    pick = pick_from(world, doc)
    pick_assign(pick_id=pick.pk, assigned_to_username=world.worker.username, user=world.supervisor)
    line = pick.lines.get()
    # when the worker logs in on a phone and opens the pick from the navigation
    log_in(page, live_server, world.worker.username)
    assert page.get_attribute("html", "lang") == "de"
    page.click("nav.mainnav a[href='/picks/']")
    page.click(f"text={pick.no}")
    page.wait_for_selector(f"#line-{line.pk}")
    # then every visible word is German
    visible = page.inner_text("body")
    assert english_words(visible) == [], english_words(visible)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # long German words fit the phone
    assert "Zu verarbeitende Menge" in visible and "Lagerplatz" in visible
    # and the expiration date is a German date
    german_date = EXP_LATE.strftime("%d.%m.%Y")
    card = page.locator(f"#line-{line.pk}")
    assert german_date in card.inner_text() and EXP_LATE.isoformat() not in card.inner_text()
    # when the worker types 1,5 as Zu verarbeitende Menge
    qty = card.locator("input[name=qty_to_handle]")
    assert qty.get_attribute("inputmode") == "decimal" and qty.get_attribute("type") == "text"
    qty.fill("1,5")
    qty.press("Enter")
    page.wait_for_selector(f"#line-{line.pk} input[name=qty_to_handle][value='1,5']")
    # then it is one and a half, shown as typed, in German
    line.refresh_from_db()
    assert line.qty_to_handle == Decimal("1.5")
    assert english_words(page.inner_text("body")) == []
    # when the worker types 1.000 (one? a thousand?), it is refused in German and nothing changes
    qty = page.locator(f"#line-{line.pk} input[name=qty_to_handle]")
    qty.fill("1.000")
    qty.press("Enter")
    page.wait_for_selector(f"#line-{line.pk} [data-testid=line-error]")
    assert "Tausendertrennzeichen" in page.locator(f"#line-{line.pk}").inner_text()
    line.refresh_from_db()
    assert line.qty_to_handle == Decimal("1.5")


def test_supervisor_confirms_a_pick_deletion_in_spanish(live_server: Any, browser: Any) -> None:
    # given a supervisor whose browser asks for Spanish, and an open pick
    world = build_world()
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1"})
    pick = make_pick(world, (world.lot_wh, 2))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    page = context.new_page()
    log_in(page, live_server, world.supervisor.username)
    # when the supervisor opens the deletion of the pick
    page.goto(f"{live_server.url}/picks/{pick.pk}/delete/")
    # then the confirmation is Spanish, every word of it
    assert page.get_attribute("html", "lang") == "es"
    visible = page.inner_text("body")
    assert english_words(visible) == [], english_words(visible)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "Eliminar" in visible and "picking" in visible.lower()
    # when the supervisor confirms, the pick is gone and the answer is Spanish too
    page.click("form.actions button.btn-danger")
    page.wait_for_load_state()
    assert not Pick.objects.filter(pk=pick.pk).exists()
    assert english_words(page.inner_text("body")) == []
    context.close()
