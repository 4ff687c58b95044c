"""Domain errors of the tracking app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict, ErrorCode, InvalidInput, NoSeriesExhausted, NotFoundError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TrackingCodeInvalid(InvalidInput):
    code = ErrorCode.TRACKING_CODE_INVALID
    title: StrOrPromise = _("Invalid item tracking code.")


class TrackingCodeInUse(Conflict):
    code = ErrorCode.TRACKING_CODE_IN_USE
    title: StrOrPromise = _("The item tracking code contradicts existing entries.")


class NoSeriesInvalid(InvalidInput):
    code = ErrorCode.NO_SERIES_INVALID
    title: StrOrPromise = _("Invalid number series.")


__all__ = [
    "NoSeriesExhausted",
    "NoSeriesInvalid",
    "NotFoundError",
    "TrackingCodeInUse",
    "TrackingCodeInvalid",
]
