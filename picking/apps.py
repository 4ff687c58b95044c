from django.apps import AppConfig


class PickingConfig(AppConfig):
    name = "picking"
    verbose_name = "Picking"

    def ready(self) -> None:
        # Services emit events; what an event's `data` holds is the object as the API returns it, made by
        # the API's serializers, which the services may not import (docs/architecture.md, "Events").
        from picking.event_data import register

        register()
