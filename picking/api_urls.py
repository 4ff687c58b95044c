"""REST API of the picking app; each area owns its own module under picking/apis/."""

from django.urls import include, path

urlpatterns = [
    path("", include("picking.apis.inventory")),
    path("", include("picking.apis.source_documents")),
    path("", include("picking.apis.picks")),
    path("", include("picking.apis.activity")),
    path("", include("picking.apis.warehouse_shipments")),
    path("", include("picking.apis.recalls")),
]
