"""Items, locations, bins, warehouse employees, lot/serial information, ledgers and bin content.

Numbers that are absent are stored as the empty string "" (never NULL), so uniqueness and grouping by
(lot_no, serial_no) work the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.quantities import ZERO


class Item(models.Model):
    no = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=100, blank=True, default="")
    base_unit_of_measure = models.CharField(max_length=10, default="PCS")
    tracking_code = models.ForeignKey(
        "tracking.ItemTrackingCode", null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    serial_nos = models.ForeignKey(
        "tracking.NoSeries", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lot_nos = models.ForeignKey(
        "tracking.NoSeries", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The GTIN printed on the item's packaging (EAN/UPC, GS1 AI 01/02): scans find the item by it.
    gtin = models.CharField(max_length=14, blank=True, default="")
    # Counted in whole units: fractions are refused everywhere (warehouse.rules.require_whole_units).
    whole_units = models.BooleanField(default=False)

    class Meta:
        ordering = ["no"]
        constraints = [
            models.UniqueConstraint(fields=["gtin"], condition=~Q(gtin=""), name="item_gtin_unique"),
        ]

    def __str__(self) -> str:
        return self.no


class Location(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100, blank=True, default="")
    require_pick = models.BooleanField(default=True)
    require_shipment = models.BooleanField(default=False)
    bin_mandatory = models.BooleanField(default=True)
    pick_according_to_fefo = models.BooleanField(default=False)
    shipment_bin = models.ForeignKey(
        "warehouse.Bin", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Bin(models.Model):
    class Kind(models.TextChoices):
        """`storage`: stock picks take from. `shipping`: goods picked for a warehouse shipment wait here to
        be shipped; picks never take from a shipping bin and its stock is not available to them."""

        STORAGE = "storage", _("Storage")
        SHIPPING = "shipping", _("Shipping")

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="bins")
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100, blank=True, default="")
    blocked = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STORAGE)

    class Meta:
        ordering = ["location_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["location", "code"], name="bin_code_unique_per_location")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_shipping(self) -> bool:
        return self.kind == Bin.Kind.SHIPPING


class WarehouseEmployee(models.Model):
    """A user allowed to work at a location."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="warehouse_employees"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="employees")
    default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "location"], name="warehouse_employee_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.location}"


class LotNoInformation(models.Model):
    # db_index=False: `lot_info_unique` (item, lot_no) serves lookups by item
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lot_infos", db_index=False)
    lot_no = models.CharField(max_length=50)
    description = models.CharField(max_length=100, blank=True, default="")
    certificate = models.CharField(max_length=100, blank=True, default="")
    blocked = models.BooleanField(default=False)
    expiration_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["item_id", "lot_no"]
        verbose_name = _("lot no. information")
        constraints = [models.UniqueConstraint(fields=["item", "lot_no"], name="lot_info_unique")]
        # The blocked lots only (few): every stock read asks whether its lots are blocked, and without it
        # PostgreSQL reads the whole table to learn that none is.
        indexes = [
            models.Index(fields=["item", "lot_no"], condition=Q(blocked=True), name="lot_info_blocked")
        ]

    def __str__(self) -> str:
        return f"{self.item} lot {self.lot_no}"


class SerialNoInformation(models.Model):
    # db_index=False: `serial_info_unique` (item, serial_no) serves lookups by item
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="serial_infos", db_index=False)
    serial_no = models.CharField(max_length=50)
    description = models.CharField(max_length=100, blank=True, default="")
    certificate = models.CharField(max_length=100, blank=True, default="")
    blocked = models.BooleanField(default=False)
    expiration_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["item_id", "serial_no"]
        verbose_name = _("serial no. information")
        constraints = [models.UniqueConstraint(fields=["item", "serial_no"], name="serial_info_unique")]
        # The blocked serial numbers only (few), as `lot_info_blocked`.
        indexes = [
            models.Index(fields=["item", "serial_no"], condition=Q(blocked=True), name="serial_info_blocked")
        ]

    def __str__(self) -> str:
        return f"{self.item} serial {self.serial_no}"


class EntryType(models.TextChoices):
    POSITIVE_ADJUSTMENT = "positive_adjustment", _("Positive adjustment")
    NEGATIVE_ADJUSTMENT = "negative_adjustment", _("Negative adjustment")
    SALE = "sale", _("Sale")
    PURCHASE_RETURN = "purchase_return", _("Purchase return")
    TRANSFER = "transfer", _("Transfer")
    MOVEMENT = "movement", _("Movement")  # between two bins of a location (warehouse entries only)


class ItemLedgerEntry(models.Model):
    """Location-level inventory movement with its numbers. Open positive entries are stock.

    Outbound (negative) entries are applied to the exact receipt entry (`applies_to_entry`) they take
    from, so a number can be traced from receipt to shipment; an outbound quantity taken from several
    receipts is written as one entry per receipt.
    """

    entry_type = models.CharField(max_length=30, choices=EntryType.choices)
    document_type = models.CharField(max_length=30)
    document_no = models.CharField(max_length=30)
    posting_date = models.DateField()
    # db_index=False: the indexes on (item, ...) below serve lookups by item (one index less to write)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="ledger_entries", db_index=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    serial_no = models.CharField(max_length=50, blank=True, default="")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    remaining_quantity = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    open = models.BooleanField(default=False)
    applies_to_entry = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="applied_entries"
    )
    source_document_type = models.CharField(max_length=30, blank=True, default="")
    source_document_no = models.CharField(max_length=30, blank=True, default="")
    source_line_no = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = _("item ledger entries")
        indexes = [
            models.Index(fields=["item", "location", "open"], name="ile_item_loc_open"),
            models.Index(fields=["item", "lot_no"], name="ile_item_lot"),
            models.Index(fields=["item", "serial_no"], name="ile_item_serial"),
            models.Index(fields=["document_no"], name="ile_document_no"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="ile_quantity_not_zero"),
            # A receipt's remaining quantity lies between zero and its quantity; outbound entries keep none.
            models.CheckConstraint(
                condition=(
                    Q(quantity__gt=0)
                    & Q(remaining_quantity__gte=0)
                    & Q(remaining_quantity__lte=F("quantity"))
                )
                | (Q(quantity__lt=0) & Q(remaining_quantity=0)),
                name="ile_remaining_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(open=False) | (Q(quantity__gt=0) & Q(remaining_quantity__gt=0)),
                name="ile_open_only_with_remaining",
            ),
            # A serial number identifies exactly one unit.
            models.CheckConstraint(
                condition=Q(serial_no="") | Q(quantity=1) | Q(quantity=-1),
                name="ile_serial_quantity_one",
            ),
            # An item's serial number is in stock (open receipt) at most once.
            models.UniqueConstraint(
                fields=["item", "serial_no"],
                condition=Q(open=True) & ~Q(serial_no=""),
                name="ile_serial_in_stock_once",
            ),
        ]

    def __str__(self) -> str:
        return f"ILE {self.pk} {self.item_id} {self.quantity}"


class WarehouseEntry(models.Model):
    """Bin-level movement with its numbers; bin content is their running balance."""

    entry_type = models.CharField(max_length=30, choices=EntryType.choices)
    document_type = models.CharField(max_length=30)
    document_no = models.CharField(max_length=30)
    posting_date = models.DateField()
    # Copies (item, location, user) of what the item ledger entries of the same posting hold, with the
    # database's checks there: no foreign key constraint here (docs/architecture.md, "Foreign keys").
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    # db_index=False: `we_bin_item_numbers` (bin, item, lot, serial) serves lookups by bin
    bin = models.ForeignKey(Bin, on_delete=models.PROTECT, related_name="+", db_index=False)
    serial_no = models.CharField(max_length=50, blank=True, default="")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    item_ledger_entry = models.ForeignKey(
        ItemLedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="warehouse_entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = _("warehouse entries")
        indexes = [models.Index(fields=["bin", "item", "lot_no", "serial_no"], name="we_bin_item_numbers")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="we_quantity_not_zero"),
            models.CheckConstraint(
                condition=Q(serial_no="") | Q(quantity=1) | Q(quantity=-1),
                name="we_serial_quantity_one",
            ),
        ]

    def __str__(self) -> str:
        return f"WE {self.pk} {self.bin_id} {self.item_id} {self.quantity}"


class BinContent(models.Model):
    """Running balance per (bin, item, lot_no, serial_no): the sum of its warehouse entries."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    # db_index=False: `bin_content_unique` (bin, item, ...) and `bc_item_location` serve these lookups
    bin = models.ForeignKey(Bin, on_delete=models.PROTECT, related_name="contents", db_index=False)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="bin_contents", db_index=False)
    lot_no = models.CharField(max_length=50, blank=True, default="")
    serial_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = _("bin contents")
        indexes = [
            models.Index(fields=["item", "location"], name="bc_item_location"),
            models.Index(fields=["item", "serial_no"], name="bc_item_serial"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["bin", "item", "lot_no", "serial_no"], name="bin_content_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="bin_content_not_negative"),
            models.CheckConstraint(
                condition=Q(serial_no="") | Q(quantity__lte=1), name="bin_content_serial_at_most_one"
            ),
            # A serial number is in at most one bin.
            models.UniqueConstraint(
                fields=["item", "serial_no"],
                condition=Q(quantity__gt=0) & ~Q(serial_no=""),
                name="bin_content_serial_in_one_bin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bin} {self.item_id} {self.lot_no}/{self.serial_no}: {self.quantity}"
