"""Domain errors of the warehouse app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict, ErrorCode

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class OutboundRefused(Conflict):
    """Stock cannot be taken out as asked; `errors` lists every problem, per line (`ref`)."""

    code = ErrorCode.INSUFFICIENT_QUANTITY
    title: StrOrPromise = _("Stock cannot be taken out.")


class InboundRefused(Conflict):
    """Stock cannot be received as asked; `errors` lists every problem, per line (`ref`)."""

    code = ErrorCode.INBOUND_REFUSED
    title: StrOrPromise = _("Stock cannot be received.")
