"""The Celery app. Tasks run eagerly in-process unless CELERY_BROKER_URL is set."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lotpick")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="core.ping")
def ping(value: str = "pong") -> str:
    """A round trip through the broker: returns its argument."""
    return value


@worker_process_init.connect
def _tune_garbage_collector(**_: object) -> None:
    """Each worker process, once started: freeze what is loaded, raise the collector's thresholds
    (config.gctuning; `LOTPICK_GC_TUNING=0` turns it off)."""
    from config.gctuning import tune

    tune()
