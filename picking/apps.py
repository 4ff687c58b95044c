from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PickingConfig(AppConfig):
    name = "picking"
    verbose_name = _("Picking")

    def ready(self) -> None:
        # Services emit events; what an event's `data` holds is the object as the API returns it, made by
        # the API's serializers, which the services may not import (docs/architecture.md, "Events").
        from picking.event_data import register

        register()
