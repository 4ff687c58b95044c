"""Writes of the tracking app: number series and item tracking codes.

A change of an existing tracking code's flags must not contradict stock, but stock lives in the warehouse
app, above this one. So tracking does not look at stock: it runs the checks a higher app added with
`tracking_code_change_check_add` (the warehouse app adds its stock check in `WarehouseConfig.ready`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _

from core.db import own_transaction_alias, set_lock_timeout
from core.exceptions import Conflict, ErrorCode, NoSeriesExhausted, NotFoundError
from tracking.exceptions import NoSeriesInvalid, TrackingCodeInvalid
from tracking.locks import lock_no_series
from tracking.models import ItemTrackingCode, NoSeries
from tracking.rules import TRACKING_CODE_FLAGS

# The last group of digits of a number: `SN-0001` -> `0001`, `LOT2026-001` -> `001`.
_LAST_DIGITS = re.compile(r"(\d+)(?!.*\d)")


def split_no(no: str) -> tuple[str, int, int, str] | None:
    """(prefix, number, width, suffix) of the last group of digits, or None when `no` has no digits."""
    match = _LAST_DIGITS.search(no)
    if match is None:
        return None
    digits = match.group(1)
    return no[: match.start()], int(digits), len(digits), no[match.end() :]


def increment_no(no: str, by: int = 1) -> str:
    """Business Central's IncStr: increment the last group of digits, keeping its width.

    `SN-0001` -> `SN-0002`, `LOT2026-001` -> `LOT2026-002`, `IPI000009` -> `IPI000010`.
    """
    parts = split_no(no)
    if parts is None:
        raise NoSeriesInvalid(
            _("The number '%(no)s' contains no digits, so it cannot be incremented.") % {"no": no}
        )
    prefix, number, width, suffix = parts
    return f"{prefix}{str(number + by).zfill(width)}{suffix}"


def _beyond(no: str, ending_no: str) -> bool:
    """True when `no` comes after `ending_no` (numeric comparison when prefix and suffix match)."""
    if not ending_no:
        return False
    a, b = split_no(no), split_no(ending_no)
    if a is not None and b is not None and (a[0], a[3]) == (b[0], b[3]):
        return a[1] > b[1]
    return no > ending_no


def no_series_next_numbers(series: NoSeries, count: int) -> list[str]:
    """The next `count` numbers of `series` (pure: no database). Raises NoSeriesExhausted."""
    last = series.last_no_used
    first = increment_no(last, series.increment) if last else series.starting_no
    parts = split_no(first)
    if parts is None:
        raise NoSeriesInvalid(
            _(
                "Number series %(series)s: '%(first)s' contains no digits. Give it a starting no. such as "
                "'SN-0001'."
            )
            % {"series": series.code, "first": first}
        )
    prefix, number, width, suffix = parts
    step = series.increment
    numbers = [f"{prefix}{str(number + step * i).zfill(width)}{suffix}" for i in range(count)]
    if _beyond(numbers[-1], series.ending_no):
        left = sum(1 for n in numbers if not _beyond(n, series.ending_no))
        raise NoSeriesExhausted(
            _(
                "Number series %(series)s is exhausted: %(count)s number(s) asked for, but its ending no. "
                "is %(ending_no)s and only %(left)s number(s) are left after %(last)s. Ask a supervisor to "
                "raise the ending no. or give the item another series."
            )
            % {
                "series": series.code,
                "count": count,
                "ending_no": series.ending_no,
                "left": left,
                "last": last or _("(none)"),
            },
            series=series.code,
            ending_no=series.ending_no,
            available=left,
        )
    return numbers


def no_series_take(*, code: str, count: int = 1) -> list[str]:
    """Hand out the next `count` numbers of series `code`, safely under concurrency.

    Locks the series row (first in the lock order), computes the numbers in Python, and stores the last
    one in ONE update: the same number of queries for 1 or 30 000 numbers. The lock lasts until the
    caller's transaction ends (numbers without gaps); documents take theirs with `document_no_take`.
    """
    return _take(code=code, count=count, using=None)


# How long a document number waits for its series in its own transaction before it is taken in the
# caller's transaction instead (which may already hold the series: never wait for oneself).
OWN_TRANSACTION_LOCK_TIMEOUT_MS = 2000


def document_no_take(*, code: str) -> str:
    """The next number of the document series `code`, taken in a transaction of its own that commits at
    once: the series row is locked for a few milliseconds, not until the caller's transaction ends, so
    postings and pick creations never queue behind each other on one row (docs/architecture.md,
    "Document numbers").

    The price is gaps: a number taken by a transaction that then rolls back is not used again (callers
    take it once their checks have passed, so only a failure while writing leaves one). Where no second
    connection is wanted (`core.db.own_transaction_alias`: SQLite, no transaction open, a test case), or
    the series is not visible to it yet (created in the caller's transaction) or busy for longer than
    OWN_TRANSACTION_LOCK_TIMEOUT_MS, the number is taken in the caller's transaction, as `no_series_take`.
    """
    alias = own_transaction_alias()
    if alias is not None:
        try:
            return _take(code=code, count=1, using=alias, lock_timeout_ms=OWN_TRANSACTION_LOCK_TIMEOUT_MS)[0]
        except (NotFoundError, OperationalError):
            pass
    return _take(code=code, count=1, using=None)[0]


def _take(*, code: str, count: int, using: str | None, lock_timeout_ms: int | None = None) -> list[str]:
    if count < 1:
        raise NoSeriesInvalid(_("Ask for at least one number."), field="count")
    with transaction.atomic(using=using):
        if using is not None and lock_timeout_ms is not None:
            set_lock_timeout(using, lock_timeout_ms)
        series = lock_no_series(code=code, using=using)
        if series is None:
            raise NotFoundError(_("There is no number series '%(code)s'.") % {"code": code}, series=code)
        numbers = no_series_next_numbers(series, count)
        rows = NoSeries.objects.using(using) if using else NoSeries.objects.all()
        rows.filter(pk=series.pk).update(last_no_used=numbers[-1])
    return numbers


def _validate_no_series(
    *, code: str, starting_no: str, ending_no: str, increment: int, last_no_used: str
) -> None:
    errors: list[dict[str, Any]] = []
    if not code.strip():
        errors.append({"field": "code", "code": ErrorCode.REQUIRED, "detail": _("Give the series a code.")})
    if split_no(starting_no) is None:
        errors.append(
            {
                "field": "starting_no",
                "code": ErrorCode.NO_DIGITS,
                "detail": _("The starting no. '%(no)s' must end in digits, e.g. 'SN-0001'.")
                % {"no": starting_no},
            }
        )
    if ending_no and split_no(ending_no) is None:
        errors.append(
            {
                "field": "ending_no",
                "code": ErrorCode.NO_DIGITS,
                "detail": _("The ending no. '%(no)s' has no digits.") % {"no": ending_no},
            }
        )
    elif ending_no and split_no(starting_no) is not None and _beyond(starting_no, ending_no):
        errors.append(
            {
                "field": "ending_no",
                "code": ErrorCode.ENDING_BEFORE_STARTING,
                "detail": _("The ending no. %(ending_no)s comes before the starting no. %(starting_no)s.")
                % {"ending_no": ending_no, "starting_no": starting_no},
            }
        )
    if increment < 1:
        errors.append(
            {
                "field": "increment",
                "code": ErrorCode.MIN_VALUE,
                "detail": _("The increment must be at least 1."),
            }
        )
    if last_no_used and split_no(last_no_used) is None:
        errors.append(
            {
                "field": "last_no_used",
                "code": ErrorCode.NO_DIGITS,
                "detail": _("'%(no)s' has no digits.") % {"no": last_no_used},
            }
        )
    if errors:
        raise NoSeriesInvalid("; ".join(e["detail"] for e in errors), errors=errors)


def no_series_create(
    *,
    code: str,
    starting_no: str,
    description: str = "",
    ending_no: str = "",
    increment: int = 1,
    last_no_used: str = "",
) -> NoSeries:
    _validate_no_series(
        code=code,
        starting_no=starting_no,
        ending_no=ending_no,
        increment=increment,
        last_no_used=last_no_used,
    )
    try:
        with transaction.atomic():
            return NoSeries.objects.create(
                code=code,
                description=description,
                starting_no=starting_no,
                ending_no=ending_no,
                increment=increment,
                last_no_used=last_no_used,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("A number series with code '%(code)s' already exists. Use another code.") % {"code": code},
            code=ErrorCode.ALREADY_EXISTS,
            errors=[{"field": "code", "code": ErrorCode.ALREADY_EXISTS, "detail": _("This code is taken.")}],
        ) from exc


# --- Item tracking codes ------------------------------------------------------------------------

TrackingCodeChangeCheck = Callable[[ItemTrackingCode, Mapping[str, Any]], None]
_change_checks: list[TrackingCodeChangeCheck] = []


def tracking_code_change_check_add(check: TrackingCodeChangeCheck) -> None:
    """Add a check that runs before an existing tracking code's flags change: `check(current, values)`
    raises a DomainError to refuse the change (`values` holds every flag of TRACKING_CODE_FLAGS as it would
    be). Called by higher apps when they are ready; adding the same check twice adds it once."""
    if check not in _change_checks:
        _change_checks.append(check)


def _run_change_checks(current: ItemTrackingCode, values: Mapping[str, Any]) -> None:
    for check in _change_checks:
        check(current, values)


def _validate_flags(values: dict[str, Any]) -> None:
    errors: list[dict[str, Any]] = []
    for kind in ("sn", "lot"):
        if values[f"{kind}_specific_tracking"] and not values[f"{kind}_warehouse_tracking"]:
            detail = (
                _(
                    "Serial specific tracking needs serial warehouse tracking: turn on %(field)s too "
                    "(outbound numbers must exist in stock)."
                )
                if kind == "sn"
                else _(
                    "Lot specific tracking needs lot warehouse tracking: turn on %(field)s too (outbound "
                    "numbers must exist in stock)."
                )
            )
            errors.append(
                {
                    "field": f"{kind}_warehouse_tracking",
                    "code": ErrorCode.SPECIFIC_REQUIRES_WAREHOUSE_TRACKING,
                    "detail": detail % {"field": f"{kind}_warehouse_tracking"},
                }
            )
    for flag in ("require_expiration_date_entry", "strict_expiration_posting"):
        if values[flag] and not values["use_expiration_dates"]:
            errors.append(
                {
                    "field": flag,
                    "code": ErrorCode.REQUIRES_USE_EXPIRATION_DATES,
                    "detail": _("%(flag)s needs use_expiration_dates: turn on use_expiration_dates too.")
                    % {"flag": flag},
                }
            )
    if errors:
        raise TrackingCodeInvalid("; ".join(e["detail"] for e in errors), errors=errors)


def item_tracking_code_validate(*, current: ItemTrackingCode | None, values: dict[str, Any]) -> None:
    """Raise TrackingCodeInvalid for inconsistent flags, or the error of a change check (TrackingCodeInUse
    when the change contradicts stock).

    `values` holds every flag of TRACKING_CODE_FLAGS (used by the admin form as well as the services).
    """
    _validate_flags(values)
    if current is not None and current.pk is not None:
        _run_change_checks(current, values)


def no_series_validate(
    *, code: str, starting_no: str, ending_no: str, increment: int, last_no_used: str
) -> None:
    """Raise NoSeriesInvalid with field errors for an inconsistent series (services and admin)."""
    _validate_no_series(
        code=code,
        starting_no=starting_no,
        ending_no=ending_no,
        increment=increment,
        last_no_used=last_no_used,
    )


def item_tracking_code_create(*, code: str, description: str = "", **flags: bool) -> ItemTrackingCode:
    unknown = set(flags) - set(TRACKING_CODE_FLAGS)
    if unknown:
        raise TrackingCodeInvalid(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    values: dict[str, Any] = {name: bool(flags.get(name, False)) for name in TRACKING_CODE_FLAGS}
    _validate_flags(values)
    if not code.strip():
        raise TrackingCodeInvalid(
            _("Give the tracking code a code."),
            errors=[{"field": "code", "code": ErrorCode.REQUIRED, "detail": _("Required.")}],
        )
    try:
        with transaction.atomic():
            return ItemTrackingCode.objects.create(code=code, description=description, **values)
    except IntegrityError as exc:
        raise Conflict(
            _("An item tracking code '%(code)s' already exists. Use another code.") % {"code": code},
            code=ErrorCode.ALREADY_EXISTS,
            errors=[{"field": "code", "code": ErrorCode.ALREADY_EXISTS, "detail": _("This code is taken.")}],
        ) from exc


def item_tracking_code_update(*, tracking_code: ItemTrackingCode, **changes: Any) -> ItemTrackingCode:
    """Change description and flags; refuses inconsistent flags and changes that contradict stock."""
    allowed = {"description", *TRACKING_CODE_FLAGS}
    unknown = set(changes) - allowed
    if unknown:
        raise TrackingCodeInvalid(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        current = ItemTrackingCode.objects.get(pk=tracking_code.pk)
        values: dict[str, Any] = {name: getattr(current, name) for name in TRACKING_CODE_FLAGS}
        values.update({k: bool(v) for k, v in changes.items() if k in TRACKING_CODE_FLAGS})
        _validate_flags(values)
        _run_change_checks(current, values)
        for name, value in values.items():
            setattr(current, name, value)
        if "description" in changes:
            current.description = changes["description"]
        current.save()
    return current
