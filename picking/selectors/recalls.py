"""Reads of recalls: the holds on lines (which open recall covers a line's numbers), the recall list and
one recall's report (its numbers, the open pick lines it holds, who received the numbers, the stock left).

Each read takes a fixed number of queries, whatever the number of lines, documents or bins. Everything a
recall lists is at the locations the user may see (`warehouse.scoping`); a recall itself is visible to a
user who sees every location or a location where one of its numbers was.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from core.quantities import ZERO
from picking.models import PickLine, Recall, RecallNumber, SourceDocument
from warehouse.models import BinContent, ItemLedgerEntry
from warehouse.scoping import at_locations, visible_location_ids

NumbersKey = tuple[int, str, str]  # (item id, lot no., serial no.)


@dataclass(frozen=True)
class RecallHold:
    """An open recall covering a line's numbers: what the worker is told and posting refuses with."""

    recall_id: int
    recall_no: str
    reason: str


class _Numbered(Protocol):
    item_id: int
    lot_no: str
    serial_no: str


def recall_holds(keys: Iterable[NumbersKey]) -> dict[NumbersKey, RecallHold]:
    """The open recall holding each (item id, lot no., serial no.) of `keys`, for those held. A key is held
    when an open recall of its item names its lot or its serial number.

    One query when no recall of the items is open (the usual case: the numbers are not sent), two when one
    is (its numbers among those of `keys`), none when `keys` is empty."""
    keys = {k for k in keys if k[1] or k[2]}
    if not keys:
        return {}
    item_ids = {k[0] for k in keys}
    open_recalls = list(
        Recall.objects.filter(status=Recall.Status.OPEN, item_id__in=item_ids).values_list("pk", flat=True)
    )
    if not open_recalls:
        return {}
    lots = {k[1] for k in keys if k[1]}
    serials = {k[2] for k in keys if k[2]}
    rows = (
        RecallNumber.objects.filter(recall_id__in=open_recalls)
        .filter(Q(lot_no__in=lots, serial_no="") | Q(serial_no__in=serials, lot_no=""))
        .order_by("recall_id", "pk")
        .values_list("recall__item_id", "lot_no", "serial_no", "recall_id", "recall__no", "recall__reason")
    )
    by_lot: dict[tuple[int, str], RecallHold] = {}
    by_serial: dict[tuple[int, str], RecallHold] = {}
    for item_id, lot_no, serial_no, recall_id, recall_no, reason in rows:
        hold = RecallHold(recall_id, recall_no, reason)
        if lot_no:
            by_lot.setdefault((item_id, lot_no), hold)
        else:
            by_serial.setdefault((item_id, serial_no), hold)
    held = {}
    for key in keys:
        found = by_serial.get((key[0], key[2])) if key[2] else None
        found = found or (by_lot.get((key[0], key[1])) if key[1] else None)
        if found is not None:
            held[key] = found
    return held


def holds_of(lines: Iterable[_Numbered]) -> dict[NumbersKey, RecallHold]:
    return recall_holds((line.item_id, line.lot_no, line.serial_no) for line in lines)


def hold_of(line: _Numbered, holds: dict[NumbersKey, RecallHold]) -> RecallHold | None:
    return holds.get((line.item_id, line.lot_no, line.serial_no))


# --- Recalls ---------------------------------------------------------------------------------------------


def _numbers_at(location_ids: set[int] | None) -> Q:
    """Recalls with a number that was in stock at one of `location_ids` (one EXISTS per kind)."""
    entries = ItemLedgerEntry.objects.filter(item_id=OuterRef(OuterRef("item_id")))
    if location_ids is not None:
        entries = entries.filter(location_id__in=location_ids)
    numbers = RecallNumber.objects.filter(recall_id=OuterRef("pk"))
    return Q(
        Exists(numbers.exclude(lot_no="").filter(Exists(entries.filter(lot_no=OuterRef("lot_no")))))
    ) | Q(
        Exists(numbers.exclude(serial_no="").filter(Exists(entries.filter(serial_no=OuterRef("serial_no")))))
    )


def visible_recalls(user: Any) -> QuerySet[Recall]:
    """Recalls the user may see: all for users who see every location; otherwise those they opened and
    those with a number that was at one of their locations."""
    recalls = Recall.objects.select_related("item", "opened_by", "closed_by")
    location_ids = visible_location_ids(user)
    if location_ids is None:
        return recalls
    return recalls.filter(Q(opened_by_id=user.pk) | _numbers_at(location_ids))


def recall_list(*, user: Any, status: str = "", item_no: str = "") -> QuerySet[Recall]:
    recalls = visible_recalls(user).prefetch_related("numbers").order_by("-pk")
    if status:
        recalls = recalls.filter(status=status)
    if item_no:
        recalls = recalls.filter(item__no=item_no)
    return recalls


def get_visible_recall(*, recall_id: int, user: Any) -> Recall:
    recall = visible_recalls(user).prefetch_related("numbers").filter(pk=recall_id).first()
    if recall is None:
        raise NotFoundError(
            _("There is no recall #%(id)s, or it concerns none of your locations.") % {"id": recall_id}
        )
    return recall


@dataclass
class HeldLine:
    pick_id: int
    pick_no: str
    line_id: int
    line_no: int
    location: str
    bin: str
    lot_no: str
    serial_no: str
    quantity: Decimal
    source_document: str
    partner: str


@dataclass
class Shipped:
    partner: str
    source_document_id: int | None
    source_document: str
    source_document_type: str
    document_no: str
    location: str
    quantity: Decimal
    posted_at: datetime.date


@dataclass
class InStock:
    location: str
    bin: str
    lot_no: str
    serial_no: str
    quantity: Decimal


@dataclass
class RecallReport:
    recall: Recall
    numbers: list[RecallNumber]
    blocked_pick_lines: list[HeldLine] = field(default_factory=list)
    shipped_to: list[Shipped] = field(default_factory=list)
    in_stock: list[InStock] = field(default_factory=list)

    @property
    def lot_nos(self) -> list[str]:
        return [n.lot_no for n in self.numbers if n.lot_no]

    @property
    def serial_nos(self) -> list[str]:
        return [n.serial_no for n in self.numbers if n.serial_no]

    @property
    def partners(self) -> list[tuple[str, Decimal]]:
        """Each partner with the quantity shipped to it, most first."""
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for row in self.shipped_to:
            totals[row.partner] += row.quantity
        return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def qty_shipped(self) -> Decimal:
        return sum((row.quantity for row in self.shipped_to), ZERO)

    @property
    def qty_in_stock(self) -> Decimal:
        return sum((row.quantity for row in self.in_stock), ZERO)


def recall_report(*, recall_id: int, user: Any) -> RecallReport:
    """One recall with everything it lists, at the user's locations (a fixed number of queries)."""
    recall = get_visible_recall(recall_id=recall_id, user=user)
    numbers = list(recall.numbers.all())
    return RecallReport(
        recall=recall, numbers=numbers, **recall_findings(recall, numbers, visible_location_ids(user))
    )


def recall_report_unscoped(*, recall_id: int) -> RecallReport:
    """A recall with what it lists at every location (the ERP's event data)."""
    recall = (
        Recall.objects.select_related("item", "opened_by", "closed_by")
        .prefetch_related("numbers")
        .get(pk=recall_id)
    )
    numbers = list(recall.numbers.all())
    return RecallReport(recall=recall, numbers=numbers, **recall_findings(recall, numbers, None))


def recall_findings(
    recall: Recall, numbers: list[RecallNumber], location_ids: set[int] | None
) -> dict[str, Any]:
    """The open pick lines a recall holds, what was shipped to whom, and the stock left per bin, at
    `location_ids` (None: everywhere); three queries and one for the partners."""
    lots = [n.lot_no for n in numbers if n.lot_no]
    serials = [n.serial_no for n in numbers if n.serial_no]
    which = Q(lot_no__in=lots) | Q(serial_no__in=serials)

    lines = [
        HeldLine(
            pick_id=row["pick_id"],
            pick_no=row["pick_no_"],
            line_id=row["pk"],
            line_no=row["line_no"],
            location=row["location_code"],
            bin=row["bin_code"],
            lot_no=row["lot_no"],
            serial_no=row["serial_no"],
            quantity=row["quantity"] - row["qty_handled"],
            source_document=row["document_no"],
            partner=row["document_partner"],
        )
        for row in PickLine.objects.filter(
            which,
            at_locations(location_ids, "pick__location_id"),
            item_id=recall.item_id,
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .order_by("pick_id", "line_no")
        .values(
            "pk",
            "pick_id",
            "line_no",
            "lot_no",
            "serial_no",
            "quantity",
            "qty_handled",
            pick_no_=F("pick__no"),
            location_code=F("pick__location__code"),
            bin_code=F("bin__code"),
            document_no=F("source_line__document__no"),
            document_partner=F("source_line__document__partner"),
        )
    ]
    shipped_rows = list(
        ItemLedgerEntry.objects.filter(
            which,
            at_locations(location_ids, "location_id"),
            item_id=recall.item_id,
            quantity__lt=0,
            document_type__in=["posted_pick", "posted_shipment"],
        )
        .values(
            "source_document_type",
            "source_document_no",
            "document_no",
            "posting_date",
            location_code=F("location__code"),
        )
        .annotate(shipped=-Sum("quantity"))
        .order_by("posting_date", "document_no", "source_document_no")
    )
    docs = {
        (d["type"], d["no"]): d
        for d in SourceDocument.objects.filter(no__in={r["source_document_no"] for r in shipped_rows}).values(
            "pk", "type", "no", "partner"
        )
    }
    shipped = []
    for r in shipped_rows:
        doc = docs.get((r["source_document_type"], r["source_document_no"]))
        shipped.append(
            Shipped(
                partner=doc["partner"] if doc else "",
                source_document_id=doc["pk"] if doc else None,
                source_document=r["source_document_no"],
                source_document_type=r["source_document_type"],
                document_no=r["document_no"],
                location=r["location_code"],
                quantity=r["shipped"],
                posted_at=r["posting_date"],
            )
        )
    stock = [
        InStock(
            location=row["location_code"],
            bin=row["bin_code"],
            lot_no=row["lot_no"],
            serial_no=row["serial_no"],
            quantity=row["quantity"],
        )
        for row in BinContent.objects.filter(
            which, at_locations(location_ids, "location_id"), item_id=recall.item_id, quantity__gt=0
        )
        .order_by("location__code", "bin__code", "lot_no", "serial_no")
        .values("lot_no", "serial_no", "quantity", location_code=F("location__code"), bin_code=F("bin__code"))
    ]
    return {"blocked_pick_lines": lines, "shipped_to": shipped, "in_stock": stock}
