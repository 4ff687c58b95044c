"""What a posting writes to the source lines' item tracking lines (inventory picks and warehouse
shipments alike).

- Prescribed numbers (origin `source`, case 4) only get their `qty_handled` raised.
- Numbers chosen while picking (proposed, selected, assigned or typed: cases 1 to 3) are written back to
  the source line as item tracking lines of origin `pick`: added to the line's `pick` line for the same
  numbers, or new. So the source document says exactly which numbers shipped.

A fixed number of statements whatever the number of lines; call with the source lines locked.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.db import insert_rows, keys_subquery, update_rows
from picking.models import ItemTrackingLine

# (source line id, lot_no, serial_no)
NumbersKey = tuple[int, str, str]


@dataclass
class Chosen:
    """Numbers chosen on the pick for a source line: the quantity handled, the earliest expiration date."""

    quantity: Decimal
    expiration_date: datetime.date | None

    def add(self, quantity: Decimal, expiration_date: datetime.date | None) -> None:
        self.quantity += quantity
        if expiration_date and (self.expiration_date is None or expiration_date < self.expiration_date):
            self.expiration_date = expiration_date


def chosen_add(
    chosen: dict[NumbersKey, Chosen],
    key: NumbersKey,
    quantity: Decimal,
    expiration_date: datetime.date | None,
) -> None:
    if key in chosen:
        chosen[key].add(quantity, expiration_date)
    else:
        chosen[key] = Chosen(quantity, expiration_date)


def tracking_lines_write_back(
    *, prescribed: Mapping[int, Decimal], chosen: Mapping[NumbersKey, Chosen]
) -> None:
    """`prescribed`: handled quantity per prescribed item tracking line; `chosen`: the numbers chosen on
    the pick per source line. At most four statements."""
    update_rows(ItemTrackingLine, list(prescribed.items()), add_fields=["qty_handled"])
    if not chosen:
        return
    origin = ItemTrackingLine.Origin.PICK.value
    keys = [(source_line, lot, serial, origin) for (source_line, lot, serial) in chosen]
    existing = {
        (source_line, lot, serial): pk
        for pk, source_line, lot, serial in ItemTrackingLine.objects.filter(
            pk__in=keys_subquery(ItemTrackingLine, ["source_line", "lot_no", "serial_no", "origin"], keys)
        ).values_list("pk", "source_line_id", "lot_no", "serial_no")
    }
    update_rows(
        ItemTrackingLine,
        [(pk, chosen[key].quantity, chosen[key].quantity) for key, pk in existing.items()],
        add_fields=["quantity", "qty_handled"],
    )
    insert_rows(
        ItemTrackingLine,
        ["source_line", "serial_no", "lot_no", "expiration_date", "quantity", "qty_handled", "origin"],
        [
            (key[0], key[2], key[1], c.expiration_date, c.quantity, c.quantity, origin)
            for key, c in chosen.items()
            if key not in existing
        ],
        returning_ids=False,
    )
