"""The one error hierarchy of lotpick and the one catalogue of its error codes.

Services raise `DomainError` subclasses. Each has a stable machine-readable `code` (an `ErrorCode`), an
HTTP `status` for the API, a message a warehouse worker understands (what is wrong and how to fix it), and
data: `errors` is a list of `{"field" | "line", "code", "detail"}` items for per-field or per-line problems.
The API renders them as problem details (core.api), the pages as messages next to the field or line.

Every code a client can see is a member of `ErrorCode`, and docs/api.md lists each with its HTTP status
and meaning; tests/architecture/test_error_codes.py fails when a code is written in the code base without
being in the catalogue, or is in the catalogue without being in docs/api.md.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ErrorCode(enum.StrEnum):
    """The stable `code` of every error and of every item of its `errors` (docs/api.md, "Error codes").

    A member is a `str`: `ErrorCode.TRACKING_LOCKED == "tracking_locked"`, and it renders as its value in
    JSON, f-strings and templates. Add a member (and its line in docs/api.md) before using a new code;
    never rename one: programs rely on them.
    """

    # Requests in general (core.api, the API framework)
    INVALID = "invalid"
    PARSE_ERROR = "parse_error"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    CONFLICT = "conflict"
    CONCURRENT_CHANGE = "concurrent_change"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    SERVER_ERROR = "server_error"
    ERROR = "error"

    # Fields of a request body (the API framework's validation and the services' own)
    REQUIRED = "required"
    NULL = "null"
    BLANK = "blank"
    MAX_LENGTH = "max_length"
    MIN_LENGTH = "min_length"
    INVALID_CHOICE = "invalid_choice"
    MIN_VALUE = "min_value"
    MAX_VALUE = "max_value"
    MAX_DIGITS = "max_digits"
    MAX_DECIMAL_PLACES = "max_decimal_places"
    MAX_WHOLE_DIGITS = "max_whole_digits"
    MAX_STRING_LENGTH = "max_string_length"
    NOT_A_LIST = "not_a_list"
    EMPTY = "empty"
    ALREADY_EXISTS = "already_exists"

    # Number series and item tracking codes (tracking)
    NO_SERIES_INVALID = "no_series_invalid"
    NO_DIGITS = "no_digits"
    ENDING_BEFORE_STARTING = "ending_before_starting"
    NO_SERIES_EXHAUSTED = "no_series_exhausted"
    NO_SERIES_MISSING = "no_series_missing"
    TRACKING_CODE_INVALID = "tracking_code_invalid"
    SPECIFIC_REQUIRES_WAREHOUSE_TRACKING = "specific_requires_warehouse_tracking"
    REQUIRES_USE_EXPIRATION_DATES = "requires_use_expiration_dates"
    TRACKING_CODE_IN_USE = "tracking_code_in_use"
    STOCK_CARRIES_NUMBERS = "stock_carries_numbers"
    STOCK_WITHOUT_NUMBERS = "stock_without_numbers"

    # Serial and lot numbers against an item's tracking code (tracking.rules)
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    SERIAL_NOT_TRACKED = "serial_not_tracked"
    LOT_NOT_TRACKED = "lot_not_tracked"
    SERIAL_MISSING = "serial_missing"
    LOT_MISSING = "lot_missing"
    SERIAL_QUANTITY_NOT_ONE = "serial_quantity_not_one"
    DUPLICATE_SERIAL = "duplicate_serial"
    TRACKING_EXCEEDS_QUANTITY = "tracking_exceeds_quantity"
    TRACKING_INCOMPLETE = "tracking_incomplete"

    # Master data (warehouse)
    SHIPMENT_BIN_REQUIRED = "shipment_bin_required"
    EXPIRATION_NOT_USED = "expiration_not_used"
    GTIN_INVALID = "gtin_invalid"
    FRACTION_NOT_ALLOWED = "fraction_not_allowed"

    # Stock in and out of bins (warehouse: the ledger posting primitive, adjustments)
    INSUFFICIENT_QUANTITY = "insufficient_quantity"
    INBOUND_REFUSED = "inbound_refused"
    ADJUSTMENT_REFUSED = "adjustment_refused"
    QUANTITY_ZERO = "quantity_zero"
    EXPIRATION_DATE_NOT_ALLOWED = "expiration_date_not_allowed"
    EXPIRATION_DATE_REQUIRED = "expiration_date_required"
    EXPIRATION_DATE_MISMATCH = "expiration_date_mismatch"
    BIN_NOT_FOUND = "bin_not_found"
    BIN_BLOCKED = "bin_blocked"
    SERIAL_NOT_STOCKED = "serial_not_stocked"
    LOT_NOT_STOCKED = "lot_not_stocked"
    NEW_NUMBER_NOT_ALLOWED = "new_number_not_allowed"
    SERIAL_NOT_AVAILABLE = "serial_not_available"
    LOT_NOT_AVAILABLE = "lot_not_available"
    SERIAL_BLOCKED = "serial_blocked"
    LOT_BLOCKED = "lot_blocked"
    SERIAL_USED_BEFORE = "serial_used_before"
    SERIAL_ALREADY_IN_STOCK = "serial_already_in_stock"
    EXPIRED = "expired"

    # Source documents and their item tracking lines (picking)
    DUPLICATE_DOCUMENT = "duplicate_document"
    DUPLICATE_LINE_NO = "duplicate_line_no"
    NUMBER_REQUIRED = "number_required"
    DUPLICATE_NUMBER = "duplicate_number"
    LOT_MISMATCH = "lot_mismatch"
    TRACKING_LOCKED = "tracking_locked"
    TRACKING_ALREADY_SHIPPED = "tracking_already_shipped"
    ASSIGN_NOT_ALLOWED = "assign_not_allowed"
    SELECT_NOT_ALLOWED = "select_not_allowed"
    QUANTITY_EXCEEDS_UNDEFINED = "quantity_exceeds_undefined"
    QUANTITY_BELOW_TRACKED = "quantity_below_tracked"
    INVALID_IMPORT = "invalid_import"

    # Picks: creation, line handling, scanning, posting (picking)
    LOCATION_WITHOUT_INVENTORY_PICKS = "location_without_inventory_picks"
    NOTHING_TO_PICK = "nothing_to_pick"
    PICK_EXISTS = "pick_exists"
    INVALID_RANGE = "invalid_range"
    NOT_AN_EMPLOYEE = "not_an_employee"
    NOT_A_TAKE_LINE = "not_a_take_line"
    LINE_HANDLED = "line_handled"
    LINE_PARTLY_HANDLED = "line_partly_handled"
    INVALID_QUANTITY = "invalid_quantity"
    QTY_TO_HANDLE_EXCEEDS_OUTSTANDING = "qty_to_handle_exceeds_outstanding"
    INVALID_SPLIT = "invalid_split"
    BIN_REQUIRED = "bin_required"
    NUMBER_ALREADY_SET = "number_already_set"
    SCAN_NO_MATCH = "scan_no_match"
    SCAN_AMBIGUOUS = "scan_ambiguous"
    SCAN_UNREADABLE = "scan_unreadable"
    SCAN_NEEDS_NUMBER = "scan_needs_number"
    EXPIRATION_MISMATCH = "expiration_mismatch"
    NO_PICK_WAITING = "no_pick_waiting"
    NOTHING_TO_HANDLE = "nothing_to_handle"
    PICK_POST_REFUSED = "pick_post_refused"
    PICK_DELETED = "pick_deleted"
    NO_SOURCE_DOCUMENT = "no_source_document"

    # Bins and locations of warehouse shipments, movements between bins (warehouse, picking)
    BIN_NOT_SHIPPING = "bin_not_shipping"
    BIN_IS_SHIPPING = "bin_is_shipping"
    BIN_NOT_EMPTY = "bin_not_empty"
    LOCATION_NEEDS_NO_PICK = "location_needs_no_pick"
    LOCATION_NEEDS_NO_SHIPMENT = "location_needs_no_shipment"
    SAME_BIN = "same_bin"
    ON_OPEN_PICK = "on_open_pick"

    # Warehouse shipments and warehouse picks (picking)
    NOTHING_TO_SHIP = "nothing_to_ship"
    OTHER_LOCATION = "other_location"
    SHIPMENT_HAS_PICKED_STOCK = "shipment_has_picked_stock"
    SHIPMENT_ON_PICK = "shipment_on_pick"
    QTY_TO_SHIP_EXCEEDS_PICKED = "qty_to_ship_exceeds_picked"
    QTY_TO_SHIP_EXCEEDS_OUTSTANDING = "qty_to_ship_exceeds_outstanding"
    SHIPMENT_POST_REFUSED = "shipment_post_refused"
    REGISTER_INSTEAD = "register_instead"
    POST_INSTEAD = "post_instead"
    PICK_REGISTER_REFUSED = "pick_register_refused"

    # Requests in general: limits of the API (core.api, core.parsers, core.validation)
    BODY_TOO_LARGE = "body_too_large"
    CONTROL_CHARACTER = "control_character"
    TOO_DEEPLY_NESTED = "too_deeply_nested"
    INVALID_CHARACTERS = "invalid_characters"
    FIELD_READ_ONLY = "field_read_only"
    SERVICE_UNAVAILABLE = "service_unavailable"
    CSRF_FAILED = "csrf_failed"

    # Changes from the ERP to source documents (picking)
    QUANTITY_BELOW_COMMITTED = "quantity_below_committed"
    LINE_COMMITTED = "line_committed"
    DOCUMENT_CANCELLED = "document_cancelled"

    # Item tracing and recalls (picking)
    RECALLED = "recalled"
    RECALL_NOT_OPEN = "recall_not_open"
    NUMBER_UNKNOWN = "number_unknown"

    # Events and webhooks (core.events, core.webhooks)
    INVALID_CURSOR = "invalid_cursor"
    WEBHOOK_URL_REFUSED = "webhook_url_refused"
    DELIVERY_IN_PROGRESS = "delivery_in_progress"


class DomainError(Exception):
    status: int = 400
    code: str = ErrorCode.INVALID
    title: StrOrPromise = _("The request cannot be carried out.")
    default_detail: StrOrPromise = _("The request cannot be carried out.")

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        **data: Any,
    ) -> None:
        self.detail: str = str(detail or self.default_detail)  # in the language of the request
        if code is not None:
            self.code = code
        self.errors = list(errors or [])
        self.data = data
        super().__init__(self.detail)

    def as_problem(self) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": f"https://lotpick.dev/problems/{self.code}",
            "title": str(self.title),
            "status": self.status,
            "detail": str(self.detail),
            "code": self.code,
        }
        if self.errors:
            problem["errors"] = self.errors
        problem.update({k: v for k, v in self.data.items() if k not in problem})
        return problem


class InvalidInput(DomainError):
    """400: the input itself is wrong (missing, malformed, out of range)."""

    status = 400
    code = ErrorCode.INVALID
    title: StrOrPromise = _("Invalid input.")


class PermissionDeniedError(DomainError):
    status = 403
    code = ErrorCode.PERMISSION_DENIED
    title: StrOrPromise = _("You are not allowed to do this.")
    default_detail: StrOrPromise = _("You are not allowed to do this. Ask a supervisor.")


class NotFoundError(DomainError):
    status = 404
    code = ErrorCode.NOT_FOUND
    title: StrOrPromise = _("Not found.")
    default_detail: StrOrPromise = _("Not found, or not at a location you work at.")


class Conflict(DomainError):
    """409: the input is well formed but conflicts with the current state."""

    status = 409
    code = ErrorCode.CONFLICT
    title: StrOrPromise = _("Conflicts with the current state.")


class DuplicateDocument(Conflict):
    code = ErrorCode.DUPLICATE_DOCUMENT
    title: StrOrPromise = _("Duplicate document.")


class TrackingLocked(Conflict):
    code = ErrorCode.TRACKING_LOCKED
    title: StrOrPromise = _("Item tracking is locked.")


class InsufficientQuantity(Conflict):
    code = ErrorCode.INSUFFICIENT_QUANTITY
    title: StrOrPromise = _("Not enough quantity.")


class SerialNotAvailable(Conflict):
    code = ErrorCode.SERIAL_NOT_AVAILABLE
    title: StrOrPromise = _("Serial number not available.")


class NoSeriesExhausted(Conflict):
    code = ErrorCode.NO_SERIES_EXHAUSTED
    title: StrOrPromise = _("Number series exhausted.")


class IdempotencyKeyReused(DomainError):
    status = 422
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED
    title: StrOrPromise = _("Idempotency key reused with another body.")
    default_detail: StrOrPromise = _(
        "This Idempotency-Key was already used with a different request body. "
        "Use a new key for a new request."
    )
