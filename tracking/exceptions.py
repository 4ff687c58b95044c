"""Domain errors of the tracking app."""

from __future__ import annotations

from core.exceptions import Conflict, InvalidInput, NoSeriesExhausted, NotFoundError


class TrackingCodeInvalid(InvalidInput):
    code = "tracking_code_invalid"
    title = "Invalid item tracking code."


class TrackingCodeInUse(Conflict):
    code = "tracking_code_in_use"
    title = "The item tracking code contradicts existing entries."


class NoSeriesInvalid(InvalidInput):
    code = "no_series_invalid"
    title = "Invalid number series."


__all__ = [
    "NoSeriesExhausted",
    "NoSeriesInvalid",
    "NotFoundError",
    "TrackingCodeInUse",
    "TrackingCodeInvalid",
]
