from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    name = "warehouse"
    verbose_name = _("Warehouse")

    def ready(self) -> None:
        # tracking sits below warehouse and knows nothing of stock: warehouse adds the check that refuses a
        # tracking code change contradicting stock (docs/architecture.md, "Layers").
        from tracking.services import tracking_code_change_check_add
        from warehouse.services.master_data import tracking_code_stock_check

        tracking_code_change_check_add(tracking_code_stock_check)
