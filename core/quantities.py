"""Quantities: the one ZERO and ONE, the one formatter, and the one reader of quantities typed on pages.

Quantities are `Decimal` with at most 5 decimals (`max_digits=18, decimal_places=5`), never floats. People
read them without trailing zeros: `format_quantity` is the only place that turns one into text (the API's
`core.fields.QuantityField`, messages in services, the `qty` template filter all call it). Pages write
and read them in the page's language (`localize_quantity`, `parse_quantity_input`): "2,5" in German.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, overload

ZERO = Decimal(0)
ONE = Decimal(1)


@overload
def format_quantity(value: Decimal) -> str: ...


@overload
def format_quantity(value: None) -> None: ...


def format_quantity(value: Decimal | None) -> str | None:
    """`Decimal("12.00000")` -> `"12"`, `Decimal("2.50000")` -> `"2.5"` (never exponent notation)."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def display_quantity(value: Any) -> str:
    """Like format_quantity for anything a template may hold: None and "" become ""."""
    if value is None or value == "":
        return ""
    try:
        return format_quantity(Decimal(str(value)))
    except ArithmeticError:
        return str(value)


# --- Quantities typed on pages, in the page's language (docs/translating.md, "Numbers and dates") ----------

# One optional sign, digits, at most one separator ("." or ","), digits: anything else is no quantity.
_TYPED = re.compile(r"^([+-]?)([0-9]*)(?:([.,])([0-9]+))?$")
# 1 to 3 digits, a separator, exactly 3 digits: "1.000", "12,500" -- a thousands grouping or a decimal?
_GROUPED = re.compile(r"^[1-9][0-9]{0,2}$")


class QuantityInputError(ValueError):
    """A typed quantity refused: `message` says what was typed and how to write it (translated)."""

    def __init__(self, message: str, *, ambiguous: bool) -> None:
        super().__init__(message)
        self.message = message
        self.ambiguous = ambiguous


def decimal_separator(language: str | None) -> str:
    """The language's decimal separator: "." in English, "," in German and Spanish (Django's formats)."""
    from django.utils.formats import get_format

    return str(get_format("DECIMAL_SEPARATOR", language or "en", use_l10n=True))


def localize_quantity(value: Decimal, language: str | None) -> str:
    """`format_quantity` written in `language`: Decimal("2.5") -> "2,5" in German; no thousands separator."""
    text = format_quantity(value)
    separator = decimal_separator(language)
    return text.replace(".", separator) if separator != "." else text


def parse_quantity_input(text: str, language: str | None) -> Decimal | None:
    """A quantity typed by a person in `language`; None when nothing was typed.

    - The language's decimal separator is a decimal separator: "2,5" in German and Spanish, "2.5" in
      English.
    - The other character is never read as a thousands separator. When the text could only be a decimal
      number ("1.5" in German, "2,5" in English: one or two digits after it, or more than three, or a
      leading 0) it is read as one; when it could just as well be a thousands grouping ("1.000" or
      "12.500" in German, "1,000" in English) it is refused as ambiguous, saying how to write either.
    - Thousands separators, two separators, spaces inside, letters, exponents: refused as no quantity.
    """
    from django.utils.translation import gettext as _

    typed = (text or "").strip()
    if not typed:
        return None
    separator = decimal_separator(language)
    example = "2.5".replace(".", separator)
    match = _TYPED.match(typed)
    if match is None or not (match.group(2) or match.group(4)):
        raise QuantityInputError(
            _(
                '"%(text)s" is not a quantity. Type a number such as %(example)s, without thousands '
                "separators."
            )
            % {"text": typed, "example": example},
            ambiguous=False,
        )
    sign, whole, mark, fraction = match.groups()
    if mark and mark != separator and len(fraction) == 3 and _GROUPED.match(whole):
        grouped = Decimal(f"{sign}{whole}{fraction}")
        decimal = Decimal(f"{sign}{whole}.{fraction}")
        raise QuantityInputError(
            _(
                '"%(text)s" could mean %(whole)s or %(decimal)s. Type the quantity without a thousands '
                "separator: %(whole)s or %(decimal)s."
            )
            % {
                "text": typed,
                "whole": localize_quantity(grouped, language),
                "decimal": localize_quantity(decimal, language),
            },
            ambiguous=True,
        )
    return Decimal(f"{sign}{whole or '0'}.{fraction}" if mark else f"{sign}{whole}")


def normalize_quantity_input(text: str, language: str | None) -> str:
    """A typed quantity as the text a service reads ("2,5" in German -> "2.5"; "" when empty). What is
    no number at all ("abc", "1e3") is passed on unchanged for the service to say what is wrong with it;
    what could be read two ways is refused (QuantityInputError), as by `parse_quantity_input`."""
    typed = (text or "").strip()
    if not typed or _TYPED.match(typed) is None:
        return typed
    quantity = parse_quantity_input(typed, language)
    return "" if quantity is None else format(quantity, "f")


def quantity_text(value: Decimal) -> str:
    """A quantity in a message for people, in the active language: "2.5" in English, "2,5" in German and
    Spanish (API fields always use `format_quantity`)."""
    from django.utils.translation import get_language

    return localize_quantity(value, get_language())
