"""Domain errors of the warehouse app."""

from __future__ import annotations

from core.exceptions import Conflict, InvalidInput


class OutboundRefused(Conflict):
    """Stock cannot be taken out as asked; `errors` lists every problem, per line (`ref`)."""

    code = "insufficient_quantity"
    title = "Stock cannot be taken out."


class InboundRefused(Conflict):
    """Stock cannot be received as asked; `errors` lists every problem, per line (`ref`)."""

    code = "inbound_refused"
    title = "Stock cannot be received."


class AdjustmentInvalid(InvalidInput):
    code = "invalid"
    title = "Invalid adjustment."
