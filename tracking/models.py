"""Item tracking codes and number series."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ItemTrackingCode(models.Model):
    """How an item's serial and lot numbers are tracked: the flags' effects are in docs/domain.md ("Item
    tracking codes"); what they require is answered by tracking.rules.requirement, nowhere else."""

    code = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=100, blank=True, default="")
    sn_specific_tracking = models.BooleanField(default=False)
    sn_warehouse_tracking = models.BooleanField(default=False)
    sn_outbound_tracking = models.BooleanField(default=False)
    lot_specific_tracking = models.BooleanField(default=False)
    lot_warehouse_tracking = models.BooleanField(default=False)
    lot_outbound_tracking = models.BooleanField(default=False)
    use_expiration_dates = models.BooleanField(default=False)
    require_expiration_date_entry = models.BooleanField(default=False)
    strict_expiration_posting = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sn_specific_tracking=False) | Q(sn_warehouse_tracking=True),
                name="itc_sn_specific_implies_warehouse",
            ),
            models.CheckConstraint(
                condition=Q(lot_specific_tracking=False) | Q(lot_warehouse_tracking=True),
                name="itc_lot_specific_implies_warehouse",
            ),
            models.CheckConstraint(
                condition=Q(require_expiration_date_entry=False, strict_expiration_posting=False)
                | Q(use_expiration_dates=True),
                name="itc_expiration_flags_imply_use",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class NoSeries(models.Model):
    """A number series: hands out `SN-0001`, `SN-0002`, ... safely under concurrency (tracking.services)."""

    code = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=100, blank=True, default="")
    starting_no = models.CharField(max_length=50)
    ending_no = models.CharField(max_length=50, blank=True, default="")
    increment = models.PositiveIntegerField(default=1)
    last_no_used = models.CharField(max_length=50, blank=True, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("no. series")
        verbose_name_plural = _("no. series")
        constraints = [
            models.CheckConstraint(condition=Q(increment__gte=1), name="noseries_increment_positive")
        ]

    def __str__(self) -> str:
        return self.code
