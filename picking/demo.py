"""Demo master data, stock and documents for `make run` (idempotent)."""

from __future__ import annotations

from typing import Any


def load_demo_master_data(*, users: dict[str, Any]) -> None:
    """Master data, stock and source documents; extended as features land."""
    # Inventory (issue 3): tracking codes, no. series, items, locations, bins, employees, stock.
    from warehouse.demo import load_demo_inventory

    load_demo_inventory(users=users)
