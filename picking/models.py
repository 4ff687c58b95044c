"""Source documents with item tracking lines, picks and posted picks; warehouse shipments, registered picks
and posted shipments.

Stored derived quantities (`SourceLine.qty_on_picks`, `qty_on_shipments`, `qty_shipped`, the shipment
lines' `qty_picked`, `qty_on_picks`, `qty_shipped`) are kept by the services under row locks, so the
database itself can check the invariants (qty_shipped + qty_on_picks + qty_on_shipments <= quantity).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.quantities import ZERO


class SourceDocument(models.Model):
    class Type(models.TextChoices):
        SALES_ORDER = "sales_order", _("Sales order")
        PURCHASE_RETURN_ORDER = "purchase_return_order", _("Purchase return order")
        OUTBOUND_TRANSFER = "outbound_transfer", _("Outbound transfer")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
        SHIPPED = "shipped", _("Shipped")
        CANCELLED = "cancelled", _("Cancelled")

    type = models.CharField(max_length=30, choices=Type.choices)
    no = models.CharField(max_length=30)
    location = models.ForeignKey(
        "warehouse.Location", on_delete=models.PROTECT, related_name="source_documents"
    )
    partner = models.CharField(max_length=100, blank=True, default="")
    shipment_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["type", "no"], name="source_document_type_no_unique")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.no}"


class SourceLine(models.Model):
    # db_index=False: `source_line_no_unique` (document, line_no) serves lookups by document
    document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    line_no = models.PositiveIntegerField()
    item = models.ForeignKey("warehouse.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    bin = models.ForeignKey(
        "warehouse.Bin", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    qty_shipped = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    qty_on_picks = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    # Outstanding (not shipped) quantity of the open warehouse shipment line for this line.
    qty_on_shipments = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)

    class Meta:
        ordering = ["document_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["document", "line_no"], name="source_line_no_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="source_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(qty_shipped__gte=0) & Q(qty_on_picks__gte=0) & Q(qty_on_shipments__gte=0),
                name="source_line_qtys_not_negative",
            ),
            # shipped + on open inventory picks + on open warehouse shipments <= quantity
            models.CheckConstraint(
                condition=Q(qty_shipped__lte=F("quantity") - F("qty_on_picks") - F("qty_on_shipments")),
                name="source_line_shipped_plus_committed_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}/{self.line_no}"

    @property
    def qty_outstanding(self) -> Decimal:
        """Not shipped yet (whether on a pick or not)."""
        return self.quantity - self.qty_shipped

    @property
    def qty_to_pick(self) -> Decimal:
        """Neither shipped nor on an open pick or shipment: what a new pick or shipment may take."""
        return self.quantity - self.qty_shipped - self.qty_on_picks - self.qty_on_shipments


class ItemTrackingLine(models.Model):
    """A (serial_no, lot_no, quantity) assignment on a source line: which numbers ship.

    origin `source`: prescribed by the source document (case 4), survives any deletion of picks.
    origin `pick`: assigned or selected on a pick and written back when it was posted.
    """

    class Origin(models.TextChoices):
        SOURCE = "source", _("Source document")
        PICK = "pick", _("Pick")

    # db_index=False: `item_tracking_line_unique` (source_line, lot, serial, origin) serves lookups by line
    source_line = models.ForeignKey(
        SourceLine, on_delete=models.CASCADE, related_name="tracking_lines", db_index=False
    )
    serial_no = models.CharField(max_length=50, blank=True, default="")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    qty_handled = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.SOURCE)

    class Meta:
        ordering = ["source_line_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_line", "lot_no", "serial_no", "origin"], name="item_tracking_line_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="itl_quantity_positive"),
            models.CheckConstraint(
                condition=Q(qty_handled__gte=0) & Q(qty_handled__lte=F("quantity")),
                name="itl_handled_within_quantity",
            ),
            models.CheckConstraint(condition=Q(serial_no="") | Q(quantity=1), name="itl_serial_quantity_one"),
            models.CheckConstraint(condition=~Q(serial_no="", lot_no=""), name="itl_has_a_number"),
        ]

    def __str__(self) -> str:
        return f"{self.source_line_id}: {self.serial_no}/{self.lot_no} x {self.quantity}"

    @property
    def qty_outstanding(self) -> Decimal:
        return self.quantity - self.qty_handled


class Pick(models.Model):
    class Type(models.TextChoices):
        INVENTORY_PICK = "inventory_pick", _("Inventory pick")
        WAREHOUSE_PICK = "warehouse_pick", _("Warehouse pick")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    no = models.CharField(max_length=30, unique=True)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.INVENTORY_PICK)
    location = models.ForeignKey("warehouse.Location", on_delete=models.PROTECT, related_name="picks")
    source_document = models.ForeignKey(
        SourceDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="picks"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_picks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        permissions = [("post_pick", "Can post picks"), ("register_pick", "Can register warehouse picks")]
        constraints = [
            # One open inventory pick per source document and location.
            models.UniqueConstraint(
                fields=["source_document", "location"],
                condition=Q(type="inventory_pick") & ~Q(status="completed"),
                name="one_open_inventory_pick_per_document_location",
            ),
        ]

    def __str__(self) -> str:
        return self.no


class PickLine(models.Model):
    class Action(models.TextChoices):
        TAKE = "take", _("Take")
        PLACE = "place", _("Place")

    # db_index=False: `pick_line_no_unique` (pick, line_no) serves lookups by pick
    pick = models.ForeignKey(Pick, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.TAKE)
    source_line = models.ForeignKey(SourceLine, on_delete=models.PROTECT, related_name="pick_lines")
    item = models.ForeignKey("warehouse.Item", on_delete=models.PROTECT, related_name="+")
    bin = models.ForeignKey(
        "warehouse.Bin", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    qty_handled = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    qty_to_handle = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    serial_no = models.CharField(max_length=50, blank=True, default="")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    tracking_locked = models.BooleanField(default=False)
    item_tracking_line = models.ForeignKey(
        ItemTrackingLine, null=True, blank=True, on_delete=models.PROTECT, related_name="pick_lines"
    )
    # Warehouse picks: the shipment line the line picks for, and the other line of its take/place pair.
    shipment_line = models.ForeignKey(
        "picking.WarehouseShipmentLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pick_lines",
    )
    pair = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_index=True
    )

    class Meta:
        ordering = ["pick_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["pick", "line_no"], name="pick_line_no_unique"),
            # A place line (warehouse picks) always belongs to a pair.
            models.CheckConstraint(
                condition=Q(action="take") | Q(pair__isnull=False), name="pick_line_place_has_pair"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pick_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(qty_handled__gte=0) & Q(qty_handled__lte=F("quantity")),
                name="pick_line_handled_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(qty_to_handle__gte=0) & Q(qty_to_handle__lte=F("quantity") - F("qty_handled")),
                name="pick_line_qty_to_handle_within_outstanding",
            ),
            models.CheckConstraint(
                condition=Q(serial_no="") | Q(quantity=1), name="pick_line_serial_quantity_one"
            ),
            # A serial number is on at most one open pick line.
            models.UniqueConstraint(
                fields=["item", "serial_no"],
                condition=~Q(serial_no="") & Q(action="take") & Q(qty_handled__lt=F("quantity")),
                name="serial_on_one_open_pick_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pick_id}/{self.line_no}"

    @property
    def qty_outstanding(self) -> Decimal:
        return self.quantity - self.qty_handled


class PostedPick(models.Model):
    """The immutable record of one posting."""

    no = models.CharField(max_length=30, unique=True)
    pick_no = models.CharField(max_length=30)
    pick = models.ForeignKey(Pick, null=True, blank=True, on_delete=models.SET_NULL, related_name="postings")
    type = models.CharField(max_length=20, choices=Pick.Type.choices, default=Pick.Type.INVENTORY_PICK)
    location = models.ForeignKey("warehouse.Location", on_delete=models.PROTECT, related_name="+")
    source_document = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="posted_picks")
    posting_date = models.DateField()
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.no


class PostedPickLine(models.Model):
    posted_pick = models.ForeignKey(PostedPick, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    pick_line_no = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=PickLine.Action.choices, default=PickLine.Action.TAKE)
    source_line = models.ForeignKey(SourceLine, on_delete=models.PROTECT, related_name="+")
    # Copies of the item and bin of the warehouse entries this posting wrote, with the database's checks
    # there: no foreign key constraint here (docs/architecture.md, "Foreign keys").
    item = models.ForeignKey(
        "warehouse.Item", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    bin = models.ForeignKey(
        "warehouse.Bin",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    serial_no = models.CharField(max_length=50, blank=True, default="")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    # The prescribed item tracking line this line shipped (case 4), for tracing; None otherwise.
    item_tracking_line = models.ForeignKey(
        ItemTrackingLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["posted_pick_id", "line_no"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="posted_pick_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.posted_pick_id}/{self.line_no}"


# --- Warehouse shipments, registered picks, posted shipments -----------------------------------------


class WarehouseShipment(models.Model):
    """Gathers source lines of one location for shipping; posted when the goods leave."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RELEASED = "released", _("Released")
        PARTIALLY_PICKED = "partially_picked", _("Partially picked")
        PICKED = "picked", _("Picked")
        PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
        SHIPPED = "shipped", _("Shipped")

    no = models.CharField(max_length=30, unique=True)
    location = models.ForeignKey("warehouse.Location", on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        permissions = [("post_warehouseshipment", "Can post warehouse shipments")]

    def __str__(self) -> str:
        return self.no


class WarehouseShipmentLine(models.Model):
    """One source line on a shipment. `qty_picked` is registered so far (shipped included), `qty_on_picks`
    is on open warehouse pick take lines, `qty_to_ship` is what the next posting ships."""

    # db_index=False: `shipment_line_no_unique` (shipment, line_no) serves lookups by shipment
    shipment = models.ForeignKey(
        WarehouseShipment, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    line_no = models.PositiveIntegerField()
    source_line = models.ForeignKey(SourceLine, on_delete=models.PROTECT, related_name="shipment_lines")
    item = models.ForeignKey("warehouse.Item", on_delete=models.PROTECT, related_name="+")
    # The bin the line ships from (a location without picks) or where its picks place the goods.
    bin = models.ForeignKey(
        "warehouse.Bin", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    qty_picked = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    qty_on_picks = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    qty_shipped = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    qty_to_ship = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)

    class Meta:
        ordering = ["shipment_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "line_no"], name="shipment_line_no_unique"),
            # A source line is on at most one open (not completely shipped) shipment line.
            models.UniqueConstraint(
                fields=["source_line"],
                condition=Q(qty_shipped__lt=F("quantity")),
                name="source_line_on_one_open_shipment_line",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(qty_picked__gte=0)
                & Q(qty_on_picks__gte=0)
                & Q(qty_shipped__gte=0)
                & Q(qty_to_ship__gte=0),
                name="shipment_line_qtys_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(qty_picked__lte=F("quantity") - F("qty_on_picks")),
                name="shipment_line_picked_plus_on_picks_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(qty_to_ship__lte=F("quantity") - F("qty_shipped")),
                name="shipment_line_to_ship_within_outstanding",
            ),
            # With picks, nothing ships that was not picked (qty_picked stays 0 without picks).
            models.CheckConstraint(
                condition=Q(qty_picked=0) | Q(qty_shipped__lte=F("qty_picked")),
                name="shipment_line_shipped_within_picked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}/{self.line_no}"

    @property
    def qty_outstanding(self) -> Decimal:
        return self.quantity - self.qty_shipped

    @property
    def qty_to_pick(self) -> Decimal:
        """Neither registered nor on an open warehouse pick: what a new warehouse pick may take."""
        return self.quantity - self.qty_picked - self.qty_on_picks


class PickedStock(models.Model):
    """Stock registered for a shipment line: it waits in a shipping bin, with its numbers, until the
    shipment is posted (which ships exactly these numbers). `quantity` is what is registered there,
    `qty_shipped` what has left since."""

    shipment_line = models.ForeignKey(
        WarehouseShipmentLine, on_delete=models.CASCADE, related_name="picked_stock"
    )
    item = models.ForeignKey("warehouse.Item", on_delete=models.PROTECT, related_name="+")
    bin = models.ForeignKey("warehouse.Bin", on_delete=models.PROTECT, related_name="+")
    serial_no = models.CharField(max_length=50, blank=True, default="")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    qty_shipped = models.DecimalField(max_digits=18, decimal_places=5, default=ZERO)
    # The prescribed item tracking line these numbers ship (case 4); None otherwise.
    item_tracking_line = models.ForeignKey(
        ItemTrackingLine, null=True, blank=True, on_delete=models.PROTECT, related_name="picked_stock"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = _("picked stock")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="picked_stock_quantity_positive"),
            models.CheckConstraint(
                condition=Q(qty_shipped__gte=0) & Q(qty_shipped__lte=F("quantity")),
                name="picked_stock_shipped_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(serial_no="") | Q(quantity=1), name="picked_stock_serial_quantity_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_line_id}: {self.serial_no}/{self.lot_no} x {self.quantity}"


class RegisteredPick(models.Model):
    """The immutable record of registering a warehouse pick."""

    no = models.CharField(max_length=30, unique=True)
    pick_no = models.CharField(max_length=30)
    pick = models.ForeignKey(
        Pick, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    location = models.ForeignKey("warehouse.Location", on_delete=models.PROTECT, related_name="+")
    posting_date = models.DateField()
    registered_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.no


class RegisteredPickLine(models.Model):
    registered_pick = models.ForeignKey(RegisteredPick, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    pick_line_no = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=PickLine.Action.choices)
    source_line = models.ForeignKey(SourceLine, on_delete=models.PROTECT, related_name="+")
    shipment_line = models.ForeignKey(
        WarehouseShipmentLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipment_no = models.CharField(max_length=30, blank=True, default="")
    # Copies of the item and bin of the warehouse entries registering wrote, with the database's checks
    # there: no foreign key constraint here (docs/architecture.md, "Foreign keys").
    item = models.ForeignKey(
        "warehouse.Item", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    bin = models.ForeignKey("warehouse.Bin", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    serial_no = models.CharField(max_length=50, blank=True, default="")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    item_tracking_line = models.ForeignKey(
        ItemTrackingLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["registered_pick_id", "line_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="registered_pick_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registered_pick_id}/{self.line_no}"


class PostedShipment(models.Model):
    """The immutable record of posting a warehouse shipment."""

    no = models.CharField(max_length=30, unique=True)
    shipment_no = models.CharField(max_length=30)
    shipment = models.ForeignKey(
        WarehouseShipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="postings"
    )
    location = models.ForeignKey("warehouse.Location", on_delete=models.PROTECT, related_name="+")
    posting_date = models.DateField()
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.no


class PostedShipmentLine(models.Model):
    posted_shipment = models.ForeignKey(PostedShipment, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    shipment_line_no = models.PositiveIntegerField()
    source_document = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="+")
    source_line = models.ForeignKey(SourceLine, on_delete=models.PROTECT, related_name="+")
    # Copies of the item and bin of the warehouse entries this posting wrote, with the database's checks
    # there: no foreign key constraint here (docs/architecture.md, "Foreign keys").
    item = models.ForeignKey(
        "warehouse.Item", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    bin = models.ForeignKey("warehouse.Bin", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    quantity = models.DecimalField(max_digits=18, decimal_places=5)
    serial_no = models.CharField(max_length=50, blank=True, default="")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    expiration_date = models.DateField(null=True, blank=True)
    item_tracking_line = models.ForeignKey(
        ItemTrackingLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["posted_shipment_id", "line_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="posted_shipment_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posted_shipment_id}/{self.line_no}"


# --- Recalls --------------------------------------------------------------------------------------------


class Recall(models.Model):
    """A recall of an item's lots or serial numbers: opening it blocks the numbers (their information
    cards' `blocked` flag) everywhere at once; open pick lines carrying them are held (posting, registering
    and shipping refuse them with the recall's reason). Closing it unblocks what it blocked, and only that."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("recall status", "Open")
        CLOSED = "closed", pgettext_lazy("recall status", "Closed")

    no = models.CharField(max_length=30, unique=True)
    item = models.ForeignKey("warehouse.Item", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        permissions = [("close_recall", "Can close recalls")]

    def __str__(self) -> str:
        return self.no


class RecallNumber(models.Model):
    """One lot or serial number of a recall. `blocked_by_recall`: the number was not blocked before, so
    closing the recall unblocks it (a number blocked before the recall stays blocked)."""

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="numbers")
    lot_no = models.CharField(max_length=50, blank=True, default="")
    serial_no = models.CharField(max_length=50, blank=True, default="")
    blocked_by_recall = models.BooleanField(default=False)

    class Meta:
        ordering = ["recall_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recall", "lot_no", "serial_no"], name="recall_number_unique"),
            # Exactly one number per row: a lot or a serial number.
            models.CheckConstraint(
                condition=(Q(lot_no="") & ~Q(serial_no="")) | (~Q(lot_no="") & Q(serial_no="")),
                name="recall_number_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recall_id}: {self.lot_no or self.serial_no}"
