"""Domain errors of the picking app (append-only: each area adds its own below).

Most errors use the shared classes of core.exceptions with their stable codes (`tracking_locked`,
`insufficient_quantity`, `serial_not_available`, `tracking_incomplete`, `duplicate_document`, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict, ErrorCode, InvalidInput

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["Conflict", "InvalidInput"]


# --- Picks (issue 5) ----------------------------------------------------------------------------


class PickPostRefused(Conflict):
    """The pick cannot be posted; `errors` lists every line's problem (`line` = pick line no.,
    `pick_line_id`, `code`, `detail`). Nothing was posted. When every problem has the same code, the
    error carries that code (e.g. `tracking_incomplete`); otherwise `pick_post_refused`."""

    code = ErrorCode.PICK_POST_REFUSED
    title: StrOrPromise = _("The pick cannot be posted.")


# --- Warehouse shipments and warehouse picks (issue 10) ----------------------------------------------


class PickRegisterRefused(Conflict):
    """The warehouse pick cannot be registered; `errors` lists every line's problem (`line` = the take
    line's no., `pick_line_id`, `code`, `detail`). Nothing was registered. When every problem has the same
    code, the error carries that code; otherwise `pick_register_refused`."""

    code = ErrorCode.PICK_REGISTER_REFUSED
    title: StrOrPromise = _("The warehouse pick cannot be registered.")


class ShipmentPostRefused(Conflict):
    """The warehouse shipment cannot be posted; `errors` lists every line's problem (`line` = shipment
    line no., `shipment_line_id`, `code`, `detail`). Nothing was posted."""

    code = ErrorCode.SHIPMENT_POST_REFUSED
    title: StrOrPromise = _("The warehouse shipment cannot be posted.")
