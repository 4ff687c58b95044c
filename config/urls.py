"""URLs: pages at the root, the REST API under /api/v1/, schema and docs under /api/."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from core.api import api_not_found
from core.apis_schema import redoc_view, schema_view, swagger_view

# The API documentation pages style themselves inline and ReDoc searches in a worker: allowed there only.
api_docs_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["'self'", "blob:"]})

api_v1 = [
    path("", include("core.api_urls")),
    path("", include("tracking.api_urls")),
    path("", include("warehouse.api_urls")),
    path("", include("picking.api_urls")),
]

# Refusals as pages with the reason and the navigation (templates/403.html, 404.html).
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"

urlpatterns = [
    path("", include("core.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("warehouse/", include(("picking.views.stock", "warehouse"), namespace="warehouse")),
    path("", include(("picking.urls", "picking"), namespace="picking")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", schema_view, name="schema"),
    path("api/docs/", api_docs_csp(swagger_view), name="swagger-ui"),
    path("api/redoc/", api_docs_csp(redoc_view), name="redoc"),
    re_path(r"^api/", api_not_found),
]

# Problem details for /api/ paths, Django's pages elsewhere (core.api).
handler400 = "core.api.bad_request"
handler500 = "core.api.server_error"
