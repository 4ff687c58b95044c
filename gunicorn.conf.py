"""gunicorn's settings, read from the working directory (`gunicorn config.wsgi ...`, docs/operations.md).

Only one hook: after a worker has loaded the application, `config.gctuning.tune()` freezes what start-up
loaded and raises the garbage collector's thresholds (`LOTPICK_GC_TUNING=0` turns it off).
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    # Django's URL configuration and DRF's settings load on the first request otherwise: load them now,
    # so that they are frozen with the rest.
    from django.urls import get_resolver

    from config.gctuning import tune

    get_resolver().url_patterns  # noqa: B018 - imports every URL module (views, serializers)
    tune()
