"""Holding lines of open recalls at posting, registering and shipment posting.

A line (pick line, or what a shipment line ships) whose numbers an open recall names is refused with
`recalled` and the recall's number and reason, whatever else is wrong with it; the ledger primitive's own
`lot_blocked` / `serial_blocked` for the same line (the recall blocked the number) are left out, so the
worker reads why the goods are held. One query when no recall of the items is open, two when one is
(`picking.selectors.recalls.recall_holds`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import ErrorCode
from picking.selectors.recalls import RecallHold, recall_holds

_BLOCKED = {ErrorCode.LOT_BLOCKED, ErrorCode.SERIAL_BLOCKED}


def recall_errors(
    errors: list[dict[str, Any]],
    rows: Iterable[tuple[int, int, str, str]],
    *,
    line_error: Callable[[int, RecallHold], dict[str, Any]],
) -> list[dict[str, Any]]:
    """`errors` with a `recalled` error per held line added (one per line) and the blocked-number errors
    of those lines removed. `rows`: (line no., item id, lot no., serial no.) of what is posted;
    `line_error(line_no, hold)` builds the error of a line."""
    rows = list(rows)
    holds = recall_holds((item_id, lot_no, serial_no) for _line, item_id, lot_no, serial_no in rows)
    if not holds:
        return errors
    held: dict[int, RecallHold] = {}
    for line_no, item_id, lot_no, serial_no in rows:
        hold = holds.get((item_id, lot_no, serial_no))
        if hold is not None:
            held.setdefault(line_no, hold)
    kept = [e for e in errors if not (e.get("line") in held and e.get("code") in _BLOCKED)]
    return [line_error(line_no, hold) for line_no, hold in held.items()] + kept


def recalled_detail(line_no: int, hold: RecallHold) -> str:
    return _(
        "Line %(line_no)s is held by recall %(no)s: %(reason)s. Put the goods aside; do not ship them."
    ) % {
        "line_no": line_no,
        "no": hold.recall_no,
        "reason": hold.reason,
    }


def pick_line_recall_error(lines_by_no: dict[int, Any]) -> Callable[[int, RecallHold], dict[str, Any]]:
    def build(line_no: int, hold: RecallHold) -> dict[str, Any]:
        line = lines_by_no.get(line_no)
        return {
            "line": line_no,
            "pick_line_id": line.pk if line is not None else None,
            "code": ErrorCode.RECALLED,
            "detail": recalled_detail(line_no, hold),
            "recall": hold.recall_no,
        }

    return build
