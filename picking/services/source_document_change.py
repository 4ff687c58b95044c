"""Changes from the ERP to a source document it already sent (docs/source-documents.md, "Changes from the
ERP"): add a line, delete a line, cancel the document; the line quantity is `source_lines`.

Every change locks the document's source lines (the lock order's SOURCE LINE step, as pick creation and
posting do), so it cannot interleave with a pick being created or posted; refuses what would contradict
what is committed (`committed_quantities`), and emits `source_document.changed` in its transaction.
A cancelled document is never picked and never changed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.exceptions import Conflict, ErrorCode, NotFoundError
from core.permissions import require_perm
from core.quantities import ZERO, format_quantity
from picking.locks import lock_document_source_lines
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from picking.services.source_document_create import validate_added_lines, write_lines
from picking.services.source_document_events import refuse_cancelled, source_document_changed
from picking.services.source_document_input import Error, parse_line
from picking.services.tracking_checks import raise_for

PERMISSION_DETAIL = gettext_lazy("Changing source documents is for supervisors and ERP integrations.")


@dataclass(frozen=True)
class Committed:
    """What of a source line is committed: shipped, on open picks, on open warehouse shipments."""

    shipped: Decimal = ZERO
    on_picks: Decimal = ZERO
    on_shipments: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.shipped + self.on_picks + self.on_shipments

    def describe(self) -> str:
        parts = [
            (self.shipped, _("%(qty)s shipped")),
            (self.on_picks, _("%(qty)s on picks")),
            (self.on_shipments, _("%(qty)s on warehouse shipments")),
        ]
        return ", ".join(text % {"qty": format_quantity(qty)} for qty, text in parts if qty) or "0"


def committed_quantities(lines: Sequence[SourceLine]) -> dict[int, Committed]:
    """What is committed of each line (by pk): the ONE answer to "how low may this line go, may it be
    deleted, may its document be cancelled". Read from the lines as locked by the caller (their stored
    quantities: shipped, on open inventory picks, on open warehouse shipment lines)."""
    return {
        line.pk: Committed(
            shipped=line.qty_shipped, on_picks=line.qty_on_picks, on_shipments=line.qty_on_shipments
        )
        for line in lines
    }


def lock_document_for_change(*, document_id: int, user: Any) -> tuple[SourceDocument, list[SourceLine]]:
    """Inside a transaction: the document (404 at a location the user does not work at) and its locked
    lines; 409 `document_cancelled` when it was cancelled."""
    from warehouse.scoping import visible_locations

    require_perm(user, "picking.change_sourcedocument", str(PERMISSION_DETAIL))
    document = (
        SourceDocument.objects.select_related("location")
        .filter(pk=document_id, location__in=visible_locations(user))
        .first()
    )
    if document is None:
        raise NotFoundError(_("This source document does not exist, or is not at a location you work at."))
    lines = lock_document_source_lines(document_id=document.pk)
    document.refresh_from_db(fields=["status"])
    refuse_cancelled(document)
    return document, lines


def source_line_add(*, document_id: int, data: Any, user: Any) -> SourceLine:
    """Add a line (same shape as a line of a new document, prescribed numbers included) to a document.
    409 `already_exists` when the document has a line with this line_no."""
    errors: list[Error] = []
    line_input = parse_line(data, "", set(), errors)
    raise_for(errors, ref=_("The line"))
    assert line_input is not None
    with transaction.atomic():
        document, lines = lock_document_for_change(document_id=document_id, user=user)
        if any(line.line_no == line_input.line_no for line in lines):
            detail = _("%(document)s has a line %(line_no)s already; use another line_no.") % {
                "document": document,
                "line_no": line_input.line_no,
            }
            raise Conflict(
                detail,
                code=ErrorCode.ALREADY_EXISTS,
                errors=[{"field": "line_no", "code": ErrorCode.ALREADY_EXISTS, "detail": detail}],
            )
        raise_for(validate_added_lines(document=document, lines=[line_input], user=user), ref=_("The line"))
        (line_id,) = write_lines([(document, line_input)])
        created = SourceLine(
            pk=line_id,
            document=document,
            line_no=line_input.line_no,
            item=line_input.item,
            quantity=line_input.quantity,
            bin=line_input.bin,
        )
        created._state.adding = False
        if document.status == SourceDocument.Status.SHIPPED:
            SourceDocument.objects.filter(pk=document.pk).update(
                status=SourceDocument.Status.PARTIALLY_SHIPPED
            )
        source_document_changed(document_id=document.pk)
        return created


def source_line_delete(*, document_id: int, line_no: int, user: Any) -> None:
    """Delete a line with nothing committed (409 `line_committed` otherwise), with its prescribed numbers."""
    with transaction.atomic():
        document, lines = lock_document_for_change(document_id=document_id, user=user)
        line = next((x for x in lines if x.line_no == line_no), None)
        if line is None:
            raise NotFoundError(
                _("%(document)s has no line %(line_no)s.") % {"document": document, "line_no": line_no}
            )
        committed = committed_quantities([line])[line.pk]
        if committed.total > 0:
            raise Conflict(
                _(
                    "Line %(line_no)s cannot be deleted: %(committed)s. Delete its picks first, or lower its "
                    "quantity to what is committed."
                )
                % {"line_no": line.line_no, "committed": committed.describe()},
                code=ErrorCode.LINE_COMMITTED,
                errors=[_committed_error(line, committed)],
            )
        ItemTrackingLine.objects.filter(source_line_id=line.pk).delete()
        SourceLine.objects.filter(pk=line.pk).delete()
        rest = [x for x in lines if x.pk != line.pk]
        if rest and all(x.qty_shipped >= x.quantity for x in rest):
            SourceDocument.objects.filter(pk=document.pk).update(status=SourceDocument.Status.SHIPPED)
        source_document_changed(document_id=document.pk)


def source_document_cancel(*, document_id: int, user: Any) -> SourceDocument:
    """Cancel a document with nothing committed on any line (409 `line_committed` listing the lines that
    are). Cancelling a cancelled document again changes nothing (an ERP may repeat the request)."""
    with transaction.atomic():
        try:
            document, lines = lock_document_for_change(document_id=document_id, user=user)
        except Conflict as exc:
            if exc.code == ErrorCode.DOCUMENT_CANCELLED:
                return SourceDocument.objects.get(pk=document_id)
            raise
        committed = committed_quantities(lines)
        errors = [_committed_error(x, committed[x.pk]) for x in lines if committed[x.pk].total > 0]
        if errors:
            raise Conflict(
                ngettext(
                    "%(document)s cannot be cancelled: %(count)s of its lines are shipped, picked or on a "
                    "shipment. Delete its picks first; shipped lines stay shipped.",
                    "%(document)s cannot be cancelled: %(count)s of its lines are shipped, picked or on a "
                    "shipment. Delete its picks first; shipped lines stay shipped.",
                    len(errors),
                )
                % {"document": document, "count": len(errors)},
                code=ErrorCode.LINE_COMMITTED,
                errors=errors,
            )
        SourceDocument.objects.filter(pk=document.pk).update(status=SourceDocument.Status.CANCELLED)
        document.status = SourceDocument.Status.CANCELLED
        source_document_changed(document_id=document.pk)
        return document


def _committed_error(line: SourceLine, committed: Committed) -> Error:
    return {
        "line": line.line_no,
        "code": ErrorCode.LINE_COMMITTED,
        "detail": _("Line %(line_no)s: %(committed)s.")
        % {"line_no": line.line_no, "committed": committed.describe()},
    }


__all__ = [
    "Committed",
    "committed_quantities",
    "source_document_cancel",
    "source_line_add",
    "source_line_delete",
]
