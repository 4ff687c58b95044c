"""Reads of warehouse shipments, registered picks and posted shipments for pages and the API, with the
prefetching that keeps query counts constant whatever the number of lines. Every selector shows only what
is at locations the user may see (anything else is "not found").

What a page needs (docs/warehouse-shipments.md, "For the pages"): `shipment_list`, `shipment_detail`
(lines with item, bin, source document; `open_picks` per shipment), `shipment_candidates` (the "Get
Source Documents" preview), `registered_pick_list` / `registered_pick_detail`, `posted_shipment_list` /
`posted_shipment_detail`; a warehouse pick itself is read with `picking.selectors.picks.pick_detail`
(its lines carry `pair` and `shipment_line`; `pick_pairs` groups them into cards).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from picking.models import (
    Pick,
    PickLine,
    PostedShipment,
    PostedShipmentLine,
    RegisteredPick,
    RegisteredPickLine,
    SourceDocument,
    SourceLine,
    WarehouseShipment,
    WarehouseShipmentLine,
)
from picking.selectors.picks import visible_filter


def _lines() -> Prefetch[Any]:
    return Prefetch(
        "lines",
        queryset=WarehouseShipmentLine.objects.select_related(
            "item", "bin", "source_line__document"
        ).order_by("line_no"),
    )


def shipment_list(
    *,
    user: Any,
    location: str | None = None,
    status: str | None = None,
    source_document: int | str | None = None,
) -> QuerySet[WarehouseShipment]:
    """Shipments the user may see, newest first (`location` a code, `source_document` an id)."""
    shipments = (
        WarehouseShipment.objects.filter(visible_filter(user))
        .select_related("location", "created_by")
        .prefetch_related(_lines())
        .order_by("-pk")
    )
    if location:
        shipments = shipments.filter(location__code=location)
    if status:
        shipments = shipments.filter(status=status)
    if source_document not in (None, ""):
        try:
            document_id = int(source_document)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return shipments.none()
        shipments = shipments.filter(
            pk__in=WarehouseShipmentLine.objects.filter(source_line__document_id=document_id).values(
                "shipment_id"
            )
        )
    return shipments


def shipment_detail(*, shipment_id: int, user: Any) -> WarehouseShipment:
    """One shipment with its lines (item, bin, source line and document), in a constant number of queries."""
    shipment = (
        WarehouseShipment.objects.filter(visible_filter(user), pk=shipment_id)
        .select_related("location", "created_by")
        .prefetch_related(_lines())
        .first()
    )
    if shipment is None:
        raise NotFoundError(
            _("There is no warehouse shipment #%(id)s, or it is not at a location you work at.")
            % {"id": shipment_id}
        )
    return shipment


def get_visible_shipment(*, shipment_id: int, user: Any) -> WarehouseShipment:
    """The shipment (with its location) if the user may see it; NotFoundError otherwise."""
    shipment = (
        WarehouseShipment.objects.select_related("location")
        .filter(visible_filter(user), pk=shipment_id)
        .first()
    )
    if shipment is None:
        raise NotFoundError(
            _("There is no warehouse shipment #%(id)s, or it is not at a location you work at.")
            % {"id": shipment_id}
        )
    return shipment


def get_visible_shipment_line(*, shipment_line_id: int, user: Any) -> WarehouseShipmentLine:
    line = (
        WarehouseShipmentLine.objects.select_related("shipment__location", "item", "bin")
        .filter(visible_filter(user, "shipment__location"), pk=shipment_line_id)
        .first()
    )
    if line is None:
        raise NotFoundError(
            _("There is no warehouse shipment line #%(id)s, or it is not at a location you work at.")
            % {"id": shipment_line_id}
        )
    return line


def open_picks(*, shipment_ids: Sequence[int]) -> dict[int, list[Pick]]:
    """Per shipment: the warehouse picks with an open line for it (one query)."""
    rows = (
        PickLine.objects.filter(
            shipment_line__shipment_id__in=list(shipment_ids),
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .values_list("shipment_line__shipment_id", "pick_id")
        .order_by()  # without the model's ordering, which DISTINCT would count in
        .distinct()
    )
    pairs = list(rows)
    picks = {
        p.pk: p
        for p in Pick.objects.filter(pk__in={pick_id for _, pick_id in pairs})
        .select_related("assigned_to")
        .order_by("pk")
    }
    result: dict[int, list[Pick]] = {}
    for shipment_id, pick_id in sorted(pairs):
        result.setdefault(shipment_id, []).append(picks[pick_id])
    return result


# --- "Get Source Documents": what a new shipment would gather ------------------------------------------


@dataclass(frozen=True)
class ShipmentFilter:
    """Which released source documents of a location a new shipment gathers: by ids, or by type, number
    range, partner and shipment date (up to and including `shipment_date_to`)."""

    source_document_ids: tuple[int, ...] = ()
    document_type: str = ""
    no_from: str = ""
    no_to: str = ""
    partner: str = ""
    shipment_date_to: Any = None  # a date


def shipment_documents(*, location_id: int, filters: ShipmentFilter) -> QuerySet[SourceDocument]:
    """The source documents of the location a shipment gathers: open or partially shipped, matching."""
    documents = SourceDocument.objects.filter(
        location_id=location_id,
        status__in=[SourceDocument.Status.OPEN, SourceDocument.Status.PARTIALLY_SHIPPED],
    )
    if filters.source_document_ids:
        documents = documents.filter(pk__in=list(filters.source_document_ids))
    if filters.document_type:
        documents = documents.filter(type=filters.document_type)
    if filters.no_from:
        documents = documents.filter(no__gte=filters.no_from)
    if filters.no_to:
        documents = documents.filter(no__lte=filters.no_to)
    if filters.partner:
        documents = documents.filter(partner__iexact=filters.partner)
    if filters.shipment_date_to:
        documents = documents.filter(shipment_date__lte=filters.shipment_date_to)
    return documents


def open_source_lines(documents: QuerySet[SourceDocument]) -> QuerySet[SourceLine]:
    """Lines of these documents neither shipped nor on an open pick or shipment, and not on an open
    shipment line (a source line is on at most one: when the ERP raised its quantity, the rest waits until
    that shipment line is shipped or deleted)."""
    return (
        SourceLine.objects.filter(document__in=documents)
        .filter(qty_shipped__lt=F("quantity") - F("qty_on_picks") - F("qty_on_shipments"))
        .exclude(
            Exists(
                WarehouseShipmentLine.objects.filter(
                    source_line_id=OuterRef("pk"), qty_shipped__lt=F("quantity")
                )
            )
        )
    )


def shipment_candidates(*, location_id: int, filters: ShipmentFilter) -> list[SourceLine]:
    """The source lines a new shipment would gather (with item, bin and document), in document order."""
    return list(
        open_source_lines(shipment_documents(location_id=location_id, filters=filters))
        .select_related("document", "item", "bin")
        .order_by("document__type", "document__no", "line_no")
    )


# --- Registered picks and posted shipments ---------------------------------------------------------------


def _registered_lines() -> Prefetch[Any]:
    return Prefetch(
        "lines",
        queryset=RegisteredPickLine.objects.select_related(
            "item", "bin", "source_line", "shipment_line"
        ).order_by("line_no"),
    )


def registered_pick_list(
    *, user: Any, pick_no: str | None = None, shipment: int | str | None = None
) -> QuerySet[RegisteredPick]:
    registered = (
        RegisteredPick.objects.filter(visible_filter(user))
        .select_related("location", "registered_by")
        .prefetch_related(_registered_lines())
        .order_by("-pk")
    )
    if pick_no:
        registered = registered.filter(pick_no=pick_no)
    if shipment not in (None, ""):
        try:
            shipment_id = int(shipment)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return registered.none()
        registered = registered.filter(
            pk__in=RegisteredPickLine.objects.filter(shipment_line__shipment_id=shipment_id).values(
                "registered_pick_id"
            )
        )
    return registered


def registered_pick_detail(*, registered_pick_id: int, user: Any, with_lines: bool = True) -> RegisteredPick:
    registered_picks = registered_pick_list(user=user).filter(pk=registered_pick_id)
    if not with_lines:
        registered_picks = registered_picks.prefetch_related(None)
    registered = registered_picks.first()
    if registered is None:
        raise NotFoundError(
            _("There is no registered pick #%(id)s, or it is not at a location you work at.")
            % {"id": registered_pick_id}
        )
    return registered


def _posted_lines() -> Prefetch[Any]:
    return Prefetch(
        "lines",
        queryset=PostedShipmentLine.objects.select_related(
            "item", "bin", "source_line", "source_document"
        ).order_by("line_no"),
    )


def posted_shipment_list(
    *, user: Any, source_document: int | str | None = None, shipment_no: str | None = None
) -> QuerySet[PostedShipment]:
    posted = (
        PostedShipment.objects.filter(visible_filter(user))
        .select_related("location", "posted_by")
        .prefetch_related(_posted_lines())
        .order_by("-pk")
    )
    if source_document not in (None, ""):
        try:
            document_id = int(source_document)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return posted.none()
        posted = posted.filter(
            pk__in=PostedShipmentLine.objects.filter(source_document_id=document_id).values(
                "posted_shipment_id"
            )
        )
    if shipment_no:
        posted = posted.filter(shipment_no=shipment_no)
    return posted


def posted_shipment_detail(*, posted_shipment_id: int, user: Any, with_lines: bool = True) -> PostedShipment:
    posted_shipments = posted_shipment_list(user=user).filter(pk=posted_shipment_id)
    if not with_lines:
        posted_shipments = posted_shipments.prefetch_related(None)
    posted = posted_shipments.first()
    if posted is None:
        raise NotFoundError(
            _("There is no posted shipment #%(id)s, or it is not at a location you work at.")
            % {"id": posted_shipment_id}
        )
    return posted


# --- A warehouse pick's pairs, for the pick page's cards ----------------------------------------------------


@dataclass(frozen=True)
class PickPair:
    """One card of the warehouse pick page: "take from <take.bin> -> place in <place.bin>"."""

    take: PickLine
    place: PickLine | None


def pick_pairs(pick: Pick) -> list[PickPair]:
    """The pairs of a warehouse pick read by `pick_detail` (lines prefetched), in take line order."""
    lines = list(pick.lines.all())
    by_pk = {line.pk: line for line in lines}
    return [
        PickPair(take=line, place=by_pk.get(line.pair_id) if line.pair_id else None)
        for line in lines
        if line.action == PickLine.Action.TAKE
    ]


__all__ = [
    "PickPair",
    "ShipmentFilter",
    "get_visible_shipment",
    "get_visible_shipment_line",
    "open_picks",
    "open_source_lines",
    "pick_pairs",
    "posted_shipment_detail",
    "posted_shipment_list",
    "registered_pick_detail",
    "registered_pick_list",
    "shipment_candidates",
    "shipment_detail",
    "shipment_documents",
    "shipment_list",
]


# --- Whoever asks: the data of events for ERPs --------------------------------------------------------------


def shipment_with_lines(*, shipment_id: int) -> WarehouseShipment:
    """One shipment with its lines as `shipment_detail` reads it, whoever asks (events for ERPs)."""
    return (
        WarehouseShipment.objects.select_related("location", "created_by")
        .prefetch_related(_lines())
        .get(pk=shipment_id)
    )


def registered_pick_with_lines(*, registered_pick_id: int, with_lines: bool = True) -> RegisteredPick:
    """One registered pick with its lines as `registered_pick_detail` reads it, whoever asks (`with_lines`
    False: the header only, for callers that read the lines as plain rows)."""
    registered = RegisteredPick.objects.select_related("location", "registered_by")
    if with_lines:
        registered = registered.prefetch_related(_registered_lines())
    return registered.get(pk=registered_pick_id)


def posted_shipment_with_lines(*, posted_shipment_id: int, with_lines: bool = True) -> PostedShipment:
    """One posted shipment with its lines as `posted_shipment_detail` reads it, whoever asks (`with_lines`
    False: the header only)."""
    posted = PostedShipment.objects.select_related("location", "posted_by")
    if with_lines:
        posted = posted.prefetch_related(_posted_lines())
    return posted.get(pk=posted_shipment_id)
