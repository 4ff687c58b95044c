"""Form fields shared by the pages of every app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.exceptions import ErrorCode, InvalidInput
from core.quantities import (
    QuantityInputError,
    localize_quantity,
    normalize_quantity_input,
    parse_quantity_input,
)


class QuantityInput(forms.TextInput):
    """A text input for quantities: the phone shows its number pad with the decimal key (inputmode=decimal),
    and the comma can be typed (never type=number, which refuses "2,5" in some browsers)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return localize_quantity(value, get_language())
        return super().format_value(value)


class LocalizedQuantityField(forms.CharField):
    """A quantity typed in the page's language ("2,5" in German and Spanish, "2.5" in English), read by
    `core.quantities.parse_quantity_input`: what could be read two ways ("1.000") is refused with a
    message saying how to write it. Cleans to a `Decimal`, or None when empty (the range is checked by
    `min_value`, or by the service).

    With `as_text=True` it cleans to the text a service reads ("2,5" -> "2.5", "" when empty) and leaves
    what is no number at all ("abc") to the service's own message; only what is ambiguous is refused here.
    """

    widget = QuantityInput

    def __init__(
        self,
        *,
        min_value: Decimal | None = None,
        decimal_places: int = 5,
        as_text: bool = False,
        **kwargs: Any,
    ) -> None:
        self.max_text_length = kwargs.pop("max_length", 30)  # checked on the text, not on the Decimal
        super().__init__(**kwargs)
        self.min_value = min_value
        self.decimal_places = decimal_places
        self.as_text = as_text

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value) or ""
        if not self.as_text and len(text) > self.max_text_length:
            raise forms.ValidationError(
                _("Type at most %(count)s characters.") % {"count": self.max_text_length},
                code=ErrorCode.MAX_LENGTH,
            )
        try:
            if self.as_text:
                return normalize_quantity_input(text, get_language())
            quantity = parse_quantity_input(text, get_language())
        except QuantityInputError as exc:
            code = ErrorCode.INVALID_QUANTITY if exc.ambiguous else ErrorCode.INVALID
            raise forms.ValidationError(exc.message, code=code) from exc
        if quantity is not None:
            exponent = quantity.normalize().as_tuple().exponent
            if isinstance(exponent, int) and -exponent > self.decimal_places:
                raise forms.ValidationError(
                    _("Type at most %(places)s decimals.") % {"places": self.decimal_places},
                    code=ErrorCode.MAX_DECIMAL_PLACES,
                )
            if self.min_value is not None and quantity < self.min_value:
                raise forms.ValidationError(
                    _("Type a quantity of at least %(min)s.")
                    % {"min": localize_quantity(self.min_value, get_language())},
                    code=ErrorCode.MIN_VALUE,
                )
        return quantity

    def validate(self, value: Any) -> None:
        if value in (None, "") and self.required:
            raise forms.ValidationError(self.error_messages["required"], code=ErrorCode.REQUIRED)


def quantity_refusal(form: forms.Form, *names: str) -> InvalidInput | None:
    """The refusal of a page action whose quantity field(s) could not be read (after `form.is_valid()`):
    an `invalid_quantity` error naming the field, with the field's message, or None."""
    errors = [
        {"field": name, "code": ErrorCode.INVALID_QUANTITY, "detail": str(message)}
        for name in names
        for message in form.errors.get(name, [])
    ]
    if not errors:
        return None
    return InvalidInput(errors[0]["detail"], code=ErrorCode.INVALID_QUANTITY, errors=errors)


class LanguageForm(forms.Form):
    """The user's language (the profile page and the top bar's switcher); "" = the browser's language."""

    language = forms.ChoiceField(label=_lazy("Language"), required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _lazy("The browser's language")),
            *settings.LANGUAGES,
        ]


def typed_quantity(text: str | None) -> str:
    """A quantity typed in a plain form field (not a form class), as the text a service reads: "2,5" in
    German -> "2.5". What could be read two ways ("1.000") raises InvalidInput (`invalid_quantity`);
    anything else that is no number is passed on for the service to refuse with its own message."""
    try:
        return normalize_quantity_input(text or "", get_language())
    except QuantityInputError as exc:
        raise InvalidInput(exc.message, code=ErrorCode.INVALID_QUANTITY) from exc
