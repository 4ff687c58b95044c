"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models
from psycopg.types.json import Json

from core.jsontext import compact_json

__all__ = ["JSONDocumentField"]


class JSONDocumentField(models.JSONField):
    """A JSON value written once and read whole (an event's data): PostgreSQL stores it as `json`, the
    text as it was sent, instead of `jsonb`, which parses the document into its binary form on every
    write. An event of 10 000 serial numbers is about 1.4 MB of JSON: about 30 ms to store as `jsonb`,
    about 6 ms as `json` (docs/performance.md, "Round eight"). Nothing queries inside the value, so
    nothing needs `jsonb`'s operators or indexes; `json` has no equality operator, so such a column is
    never compared, grouped or made distinct. Elsewhere (SQLite) it is Django's JSONField as it is.
    """

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        # Sent as `json`: a `jsonb` parameter would be parsed as such by the server, then cast.
        return Json(value, dumps=self._dumps)

    def _dumps(self, value: Any) -> str:
        return compact_json(value, encoder=self.encoder).decode()

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if connection.vendor == "postgresql":
            # psycopg parses `json` itself (Django has it return `jsonb` as text, which it parses here).
            return value
        return super().from_db_value(value, expression, connection)
