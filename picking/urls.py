"""Pages of the picking app; each area owns its own module under picking/views/."""

from django.urls import include, path

urlpatterns = [
    path("", include("picking.views.source_documents")),
    path("", include("picking.views.picks")),
    path("", include("picking.views.activity")),
    path("", include("picking.views.pick_page")),
    path("", include("picking.views.pick_print")),
    path("", include("picking.views.warehouse_picks")),
    path("", include("picking.views.shipments")),
    path("", include("picking.views.shipment_create")),
    path("", include("picking.views.shipment_history")),
    path("", include("picking.views.recalls")),
]
