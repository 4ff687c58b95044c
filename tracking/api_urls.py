"""REST API URLs of the tracking app (included under /api/v1/ by config/urls.py)."""

from tracking.apis import urlpatterns

__all__ = ["urlpatterns"]
