"""Pages of the warehouse app (namespace `warehouse`, under /warehouse/)."""

from django.urls import path

from warehouse import views

urlpatterns = [
    path("stock/", views.availability, name="availability"),
]
