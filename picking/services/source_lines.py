"""Changes to a source line itself (not its numbers): its quantity."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.activity import Action, activity_record, loggable
from core.exceptions import Conflict, ErrorCode, InvalidInput
from core.quantities import ZERO, format_quantity
from picking.models import SourceLine
from picking.services.activity import source_line_change
from picking.services.item_tracking_lines import lock_line_for_change
from picking.services.pick_post import update_documents_status
from picking.services.source_document_change import committed_quantities
from picking.services.source_document_events import source_document_changed
from picking.services.source_document_input import Error, field_error, parse_quantity
from warehouse.rules import require_whole_units


def source_line_set_quantity(
    *, source_line_id: int, quantity: Any, user: Any, expected_quantity: Any = None
) -> SourceLine:
    """Change a source line's quantity; never below its tracked quantity (`quantity_below_tracked`) nor
    below what is committed: shipped, on picks, on shipments (`quantity_below_committed`).

    `expected_quantity`: the quantity the supervisor saw; when the line has another one now, 409
    `concurrent_change` and nothing changes.
    """
    errors: list[Error] = []
    value = parse_quantity(quantity, "quantity", errors)
    expected = None
    if expected_quantity not in (None, ""):
        expected = parse_quantity(expected_quantity, "expected_quantity", errors)
    if errors or value is None:
        raise InvalidInput(errors[0]["detail"], errors=errors)
    with transaction.atomic():
        locked = lock_line_for_change(source_line_id=source_line_id, user=user, check_picks=False)
        line = locked.line
        require_whole_units(value, item=line.item, field="quantity")
        if expected is not None and line.quantity != expected:
            raise Conflict(
                _(
                    "The quantity of line %(line_no)s was changed by someone else meanwhile: the page shows "
                    "the current quantity, nothing was changed. Make your change again if it is still needed."
                )
                % {"line_no": line.line_no},
                code=ErrorCode.CONCURRENT_CHANGE,
            )
        tracked = sum((t.quantity for t in locked.rows), ZERO)
        if value < tracked:
            raise Conflict(
                _(
                    "Line %(line)s has %(tracked)s with serial or lot numbers: its quantity cannot go below "
                    "%(tracked)s. Remove numbers first, then lower the quantity."
                )
                % {"line": line.line_no, "tracked": format_quantity(tracked)},
                code=ErrorCode.QUANTITY_BELOW_TRACKED,
                errors=[
                    field_error(
                        "quantity",
                        ErrorCode.QUANTITY_BELOW_TRACKED,
                        _("At least %(quantity)s.") % {"quantity": format_quantity(tracked)},
                    )
                ],
            )
        committed = committed_quantities([line])[line.pk]
        if value < committed.total:
            raise Conflict(
                _("Line %(line_no)s has %(committed)s: its quantity cannot go below %(total)s.")
                % {
                    "line_no": line.line_no,
                    "committed": committed.describe(),
                    "total": format_quantity(committed.total),
                },
                code=ErrorCode.QUANTITY_BELOW_COMMITTED,
                errors=[
                    field_error(
                        "quantity",
                        ErrorCode.QUANTITY_BELOW_COMMITTED,
                        _("At least %(total)s.") % {"total": format_quantity(committed.total)},
                    )
                ],
            )
        SourceLine.objects.filter(pk=line.pk).update(quantity=value)
        # lowered to what is shipped, the document may be shipped now; raised, no longer
        update_documents_status(documents=Q(pk=line.document_id))
        activity_record(
            user=user,
            action=Action.CHANGED,
            operation="source_line_set_quantity",
            changes=[
                source_line_change(
                    line, before={"quantity": loggable(line.quantity)}, after={"quantity": loggable(value)}
                )
            ],
        )
        line.quantity = value
        source_document_changed(document_id=line.document_id)
        return line
