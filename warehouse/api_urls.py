"""REST API URLs of the warehouse app (included under /api/v1/ by config/urls.py)."""

from warehouse.apis import urlpatterns

__all__ = ["urlpatterns"]
