"""Celery tasks of the picking app (append-only: each area adds its own tasks below).

Tasks take ids, call one service, and are safe to run twice.
"""

from __future__ import annotations
