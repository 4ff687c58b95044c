"""Domain errors of the picking app (append-only: each area adds its own below).

Most errors use the shared classes of core.exceptions with their stable codes (`tracking_locked`,
`insufficient_quantity`, `serial_not_available`, `tracking_incomplete`, `duplicate_document`, ...).
"""

from __future__ import annotations

from core.exceptions import Conflict, InvalidInput

__all__ = ["Conflict", "InvalidInput"]
