"""Create Warehouse Shipment ("Get Source Documents"): the open source lines of released source documents
of one location, gathered on a new warehouse shipment, by document ids or by filter (type, number range,
partner, shipment date).

One shipment line per source line, for the quantity neither shipped nor on an open pick or shipment; the
source line counts it in `qty_on_shipments`, so no inventory pick, other shipment or quantity change can
over-commit it (database check on the source line; a source line is on at most one open shipment line, a
conditional unique constraint). At a location that requires pick, Qty. to Ship stays 0 until the goods
are registered; without picks it is the whole quantity, shipped from the line's bin.

Lock order (docs/architecture.md): the `WSH` number series, then the documents' source lines. Queries do
not grow with lines.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.activity import Action
from core.db import insert_rows, update_rows
from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode, InvalidInput, NotFoundError
from core.permissions import require_perm
from core.quantities import ZERO
from picking.locks import lock_source_lines
from picking.models import SourceDocument, SourceLine, WarehouseShipment, WarehouseShipmentLine
from picking.selectors.picks import visible_filter
from picking.selectors.shipments import ShipmentFilter, open_source_lines, shipment_documents
from picking.services.activity import record_shipment_change
from picking.services.document_numbers import SHIPMENT_SERIES, take_document_no
from picking.services.pick_common import LINE_NO_STEP
from picking.services.shipment_common import check_location_ships_with_shipments
from warehouse.models import Location
from warehouse.scoping import get_visible_location


def warehouse_shipment_create(
    *,
    location_code: str,
    user: Any,
    source_document_ids: Sequence[int] | None = None,
    document_type: str | None = None,
    no_from: str | None = None,
    no_to: str | None = None,
    partner: str | None = None,
    shipment_date_to: datetime.date | str | None = None,
) -> WarehouseShipment:
    """A new warehouse shipment at the location with the open lines of the matching source documents.

    Conflict `nothing_to_ship` when no open source line matches; `location_needs_no_shipment` (or
    `location_needs_no_pick`) at a location that does not require shipment; NotFoundError for a document
    id that does not exist or is not visible; Conflict `other_location` for one at another location.
    """
    require_perm(
        user,
        "picking.add_warehouseshipment",
        _("Creating warehouse shipments is for supervisors. Ask a supervisor."),
    )
    location = get_visible_location(user, code=location_code)
    check_location_ships_with_shipments(location)
    filters = _filters(
        user,
        location,
        ShipmentFilter(
            source_document_ids=tuple(source_document_ids or ()),
            document_type=document_type or "",
            no_from=no_from or "",
            no_to=no_to or "",
            partner=(partner or "").strip(),
            shipment_date_to=_date(shipment_date_to),
        ),
    )
    with transaction.atomic():
        shipment_no = take_document_no(SHIPMENT_SERIES)  # the series first in the lock order
        documents = shipment_documents(location_id=location.pk, filters=filters)
        locked = lock_source_lines(where=Q(pk__in=Subquery(open_source_lines(documents).values("pk"))))
        # read after the lock: a document cancelled meanwhile (its lines were locked by the cancel) is out
        statuses = _document_statuses({line.document_id for line in locked})
        open_lines = [
            line
            for line in locked
            if line.qty_to_pick > 0 and statuses[line.document_id] != SourceDocument.Status.CANCELLED
        ]
        if not open_lines:
            raise Conflict(
                _(
                    "Nothing to ship at location %(location)s: no released source document matches, or every "
                    "line of the matching documents is shipped or already on a pick or shipment. (A line "
                    "whose quantity the ERP raised while it is on an open shipment ships the rest once that "
                    "shipment line is shipped or deleted.)"
                )
                % {"location": location.code},
                code=ErrorCode.NOTHING_TO_SHIP,
            )
        shipment = WarehouseShipment.objects.create(
            no=shipment_no,
            location=location,
            status=WarehouseShipment.Status.OPEN,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        _insert_lines(shipment, location, _in_document_order(open_lines))
        update_rows(
            SourceLine, [(line.pk, line.qty_to_pick) for line in open_lines], add_fields=["qty_on_shipments"]
        )
        record_shipment_change(
            user=user,
            shipment=shipment,
            operation="warehouse_shipment_create",
            action=Action.CREATED,
            lines_before={},
            shipment_after={"status": shipment.status, "lines_added": len(open_lines)},
        )
        # Rendered right after the commit, off this transaction: a shipment can have thousands of lines.
        event_emit(event_type=EventType.WAREHOUSE_SHIPMENT_CREATED, subject=shipment, render_later=True)
    return shipment


def _document_statuses(document_ids: set[int]) -> dict[int, str]:
    return dict(SourceDocument.objects.filter(pk__in=document_ids).values_list("pk", "status"))


def _filters(user: Any, location: Location, filters: ShipmentFilter) -> ShipmentFilter:
    """Check the filters: known document type, a range whose 'from' is not after its 'to', and document
    ids that exist, are visible and are at the location."""
    if filters.document_type and filters.document_type not in SourceDocument.Type.values:
        raise InvalidInput(
            _("Unknown document type '%(type)s'. Use one of: %(types)s.")
            % {"type": filters.document_type, "types": ", ".join(SourceDocument.Type.values)},
            errors=[
                {"field": "document_type", "code": ErrorCode.INVALID_CHOICE, "detail": _("Unknown type.")}
            ],
        )
    if filters.no_from and filters.no_to and filters.no_from > filters.no_to:
        raise InvalidInput(
            _("The number range %(from)s to %(to)s is empty: 'from' comes after 'to'.")
            % {"from": filters.no_from, "to": filters.no_to},
            errors=[
                {"field": "no_to", "code": ErrorCode.INVALID_RANGE, "detail": _("'to' comes before 'from'.")}
            ],
        )
    ids = filters.source_document_ids
    if ids:
        rows = SourceDocument.objects.filter(visible_filter(user), pk__in=list(ids)).values_list(
            "pk", "location_id", "status", "no"
        )
        found = {pk: location_id for pk, location_id, _status, _no in rows}
        cancelled = {
            pk: no for pk, _location, status, no in rows if status == SourceDocument.Status.CANCELLED
        }
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise NotFoundError(
                _("There is no source document %(ids)s, or it is not at a location you work at.")
                % {"ids": ", ".join(f"#{pk}" for pk in missing)},
                errors=[
                    {"field": f"source_documents[{ids.index(pk)}]", "code": ErrorCode.NOT_FOUND, "detail": ""}
                    for pk in missing
                ],
            )
        if cancelled:
            raise Conflict(
                _("%(documents)s cancelled by the ERP: cancelled documents are never shipped.")
                % {"documents": ", ".join(sorted(cancelled.values()))},
                code=ErrorCode.DOCUMENT_CANCELLED,
                errors=[
                    {
                        "field": f"source_documents[{ids.index(pk)}]",
                        "code": ErrorCode.DOCUMENT_CANCELLED,
                        "detail": _("Cancelled."),
                    }
                    for pk in cancelled
                ],
            )
        elsewhere = [pk for pk in ids if found[pk] != location.pk]
        if elsewhere:
            raise Conflict(
                ngettext(
                    "Source document(s) %(ids)s are not at location %(location)s: a shipment gathers one "
                    "location.",
                    "Source document(s) %(ids)s are not at location %(location)s: a shipment gathers one "
                    "location.",
                    len(elsewhere),
                )
                % {"ids": ", ".join(f"#{pk}" for pk in elsewhere), "location": location.code},
                code=ErrorCode.OTHER_LOCATION,
                errors=[
                    {
                        "field": f"source_documents[{ids.index(pk)}]",
                        "code": ErrorCode.OTHER_LOCATION,
                        "detail": _("At another location."),
                    }
                    for pk in elsewhere
                ],
            )
    return filters


def _date(value: datetime.date | str | None) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if value is None or value == "":
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(
            _("'%(value)s' is not a date: use YYYY-MM-DD.") % {"value": value},
            errors=[{"field": "shipment_date_to", "code": ErrorCode.INVALID, "detail": _("Not a date.")}],
        ) from exc


def _in_document_order(lines: list[SourceLine]) -> list[SourceLine]:
    documents = {
        pk: (doc_type, no)
        for pk, doc_type, no in SourceDocument.objects.filter(
            pk__in={line.document_id for line in lines}
        ).values_list("pk", "type", "no")
    }
    return sorted(lines, key=lambda line: (documents[line.document_id], line.line_no))


_LINE_FIELDS = [
    "shipment",
    "line_no",
    "source_line",
    "item",
    "bin",
    "quantity",
    "qty_picked",
    "qty_on_picks",
    "qty_shipped",
    "qty_to_ship",
]


def _insert_lines(shipment: WarehouseShipment, location: Location, lines: list[SourceLine]) -> None:
    """One shipment line per source line (one INSERT). With picks, the goods will be placed in the
    location's shipment bin and Qty. to Ship waits for them; without picks, the line ships its whole
    quantity from the source line's bin (or the shipment bin)."""
    rows = []
    for index, line in enumerate(lines):
        quantity = line.qty_to_pick
        if location.require_pick:
            bin_id, to_ship = location.shipment_bin_id, ZERO
        else:
            bin_id, to_ship = line.bin_id or location.shipment_bin_id, quantity
        rows.append(
            (
                shipment.pk,
                (index + 1) * LINE_NO_STEP,
                line.pk,
                line.item_id,
                bin_id,
                quantity,
                ZERO,
                ZERO,
                ZERO,
                to_ship,
            )
        )
    try:
        with transaction.atomic():
            insert_rows(WarehouseShipmentLine, _LINE_FIELDS, rows, returning_ids=False)
    except IntegrityError as exc:  # only a shipment made for the same lines at this moment gets here
        raise Conflict(
            _("Someone else put these source lines on a shipment at the same moment. Reload and try again."),
            code=ErrorCode.CONCURRENT_CHANGE,
        ) from exc
