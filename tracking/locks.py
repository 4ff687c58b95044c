"""Row locks of the tracking app (the only `select_for_update` here)."""

from __future__ import annotations

from tracking.models import NoSeries


def lock_no_series(*, code: str, using: str | None = None) -> NoSeries | None:
    """Lock one number series row (first in the project's lock order); None when the code is unknown.
    `using`: the connection (default: the default one; `core.db.own_transaction_alias` for documents)."""
    series = NoSeries.objects.using(using) if using else NoSeries.objects.all()
    return series.select_for_update(of=("self",)).filter(code=code).order_by("pk").first()
