"""Logging filters. `RefusalsAtInfo`: a page or API refusal (403, 404) is an answer, not a fault: it is
logged at INFO with its reason, without a traceback (settings.LOGGING puts it on `django.request`)."""

from __future__ import annotations

import logging


class RefusalsAtInfo(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        response = getattr(record, "response", None)
        status = getattr(response, "status_code", None) or getattr(record, "status_code", None)
        if status in (403, 404):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info, record.exc_text = None, None
        return True
