"""Warehouse picks: take lines and their place lines, kept in pairs.

A warehouse pick's lines come in pairs: a `take` line (from a storage bin) and a `place` line (into a
shipping bin), each naming the other as `pair`. The numbers of a take line come from the four cases
exactly as on inventory picks, and every line service (Qty. to Handle, numbers, bin, Split Line, Assign,
scanning) works on the take line. The place line FOLLOWS its take line: quantity, Qty. Handled, Qty. to
Handle, numbers, expiration date, the locked flag and the prescribed tracking line are always the take
line's; only its bin (another shipping bin) is its own.

This module is the one place that rule is written: a service that changes or creates take lines of a
warehouse pick calls `pairs_follow` once, at the end, with the take lines it changed and those it created
(each with the take line it was made from, whose place bin the new pair gets). On inventory picks it does
nothing. Queries do not grow with the number of lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from core.db import insert_rows, update_rows
from picking.models import Pick, PickLine, WarehouseShipmentLine
from picking.services.pick_common import LINE_NO_STEP, integrity_conflict

# The place line's fields that are always its take line's.
FOLLOWED = [
    "quantity",
    "qty_handled",
    "qty_to_handle",
    "serial_no",
    "lot_no",
    "expiration_date",
    "tracking_locked",
    "item_tracking_line",
]
_COLUMNS = ["item_tracking_line_id" if name == "item_tracking_line" else name for name in FOLLOWED]


def is_warehouse_pick(pick: Pick) -> bool:
    return pick.type == Pick.Type.WAREHOUSE_PICK


def pairs_follow(
    *, pick: Pick, take_line_ids: Iterable[int], made_from: Mapping[int, int] | None = None
) -> None:
    """Warehouse picks: the place lines of these take lines follow them; take lines made by the service
    (`made_from`: new take line -> the take line it was made from) get a place line into the bin of their
    origin's place line. Nothing on inventory picks. Three or four queries."""
    if not is_warehouse_pick(pick):
        return
    made_from = dict(made_from or {})
    ids = set(take_line_ids) | set(made_from)
    if not ids:
        return
    takes = list(
        PickLine.objects.filter(pick_id=pick.pk, pk__in=sorted(ids), action=PickLine.Action.TAKE).values(
            "pk", "pair_id", "line_no", "source_line_id", "item_id", "shipment_line_id", *_COLUMNS
        )
    )
    update_rows(
        PickLine,
        [(t["pair_id"], *(t[c] for c in _COLUMNS)) for t in takes if t["pair_id"]],
        set_fields=FOLLOWED,
    )
    new = [t for t in takes if not t["pair_id"]]
    if new:
        origins = {t["pk"]: made_from.get(t["pk"]) for t in new}
        place_bins = dict(
            PickLine.objects.filter(pair_id__in=sorted({o for o in origins.values() if o})).values_list(
                "pair_id", "bin_id"
            )
        )
        bins: list[int | None] = [place_bins.get(origins[t["pk"]] or 0) for t in new]
        if None in bins:  # no origin: the shipment line's bin, where its picks place the goods
            shipment_bins = dict(
                WarehouseShipmentLine.objects.filter(pk__in={t["shipment_line_id"] for t in new}).values_list(
                    "pk", "bin_id"
                )
            )
            bins = [b or shipment_bins.get(t["shipment_line_id"]) for t, b in zip(new, bins, strict=True)]
        add_place_lines(pick_id=pick.pk, takes=new, bins=bins)


def add_place_lines(*, pick_id: int, takes: Sequence[Mapping[str, Any]], bins: Sequence[int | None]) -> None:
    """A place line for each take line (a mapping with `pk`, `line_no`, `source_line_id`, `item_id`,
    `shipment_line_id` and the FOLLOWED columns) into `bins` (one per take line), and the pairs linked: one
    INSERT and one UPDATE (plus one read of the pick's line numbers). A place line is numbered right after
    its take line."""
    if not takes:
        return
    used = set(PickLine.objects.filter(pick_id=pick_id).values_list("line_no", flat=True))
    last = max(used | {t["line_no"] for t in takes})
    line_nos = []
    for t in takes:
        line_no = t["line_no"] + 1
        if line_no in used:
            last += LINE_NO_STEP
            line_no = last
        used.add(line_no)
        line_nos.append(line_no)
    place = PickLine.Action.PLACE.value
    rows = [
        (
            pick_id,
            line_no,
            place,
            t["source_line_id"],
            t["item_id"],
            bin_id,
            t["shipment_line_id"],
            t["pk"],
            *(t[c] for c in _COLUMNS),
        )
        for t, bin_id, line_no in zip(takes, bins, line_nos, strict=True)
    ]
    fields = ["pick", "line_no", "action", "source_line", "item", "bin", "shipment_line", "pair", *FOLLOWED]
    try:
        with transaction.atomic():
            place_ids = insert_rows(PickLine, fields, rows)
            update_rows(
                PickLine, [(t["pk"], pk) for t, pk in zip(takes, place_ids, strict=True)], set_fields=["pair"]
            )
    except IntegrityError as exc:
        raise integrity_conflict(exc) from exc
