"""Master data writes: items, locations, bins, lot and serial information cards."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.exceptions import Conflict, DomainError, ErrorCode, InvalidInput, NotFoundError
from core.roles import sees_all_locations
from tracking.exceptions import TrackingCodeInUse
from tracking.models import ItemTrackingCode, NoSeries
from tracking.rules import Requirement, requirement, requirement_from_values, warehouse_tracking_changes
from warehouse.models import (
    Bin,
    BinContent,
    Item,
    Location,
    LotNoInformation,
    SerialNoInformation,
    WarehouseEmployee,
)
from warehouse.rules import gtin_forms, gtin_problem
from warehouse.scoping import get_visible_location

ITEM_FIELDS = (
    "description",
    "base_unit_of_measure",
    "tracking_code",
    "serial_nos",
    "lot_nos",
    "gtin",
    "whole_units",
)
LOCATION_FIELDS = (
    "name",
    "require_pick",
    "require_shipment",
    "bin_mandatory",
    "pick_according_to_fefo",
    "shipment_bin",
)


def _field_error(field: str, code: str, detail: str, *, cls: type[DomainError] = InvalidInput) -> DomainError:
    return cls(detail, code=code, errors=[{"field": field, "code": code, "detail": detail}])


def _already_exists(message: str, field: str, value: str, **names: str) -> Conflict:
    """`message` (translated) names `%(value)s` and `%(field)s`, and any of `names`."""
    return Conflict(
        message % {"value": value, "field": field, **names},
        code=ErrorCode.ALREADY_EXISTS,
        errors=[
            {
                "field": field,
                "code": ErrorCode.ALREADY_EXISTS,
                "detail": _("%(value)s is taken.") % {"value": value},
            }
        ],
    )


# --- Items --------------------------------------------------------------------------------------


def _resolve_item_refs(data: dict[str, Any]) -> dict[str, Any]:
    """Natural keys (tracking code, no. series codes) -> objects; unknown codes are field errors."""
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    if "tracking_code" in data:
        code = data["tracking_code"] or ""
        values["tracking_code"] = None
        if code:
            values["tracking_code"] = ItemTrackingCode.objects.filter(code=code).first()
            if values["tracking_code"] is None:
                errors.append(
                    {
                        "field": "tracking_code",
                        "code": ErrorCode.NOT_FOUND,
                        "detail": _("There is no tracking code %(code)s.") % {"code": code},
                    }
                )
    for name in ("serial_nos", "lot_nos"):
        if name in data:
            code = data[name] or ""
            values[name] = None
            if code:
                values[name] = NoSeries.objects.filter(code=code).first()
                if values[name] is None:
                    errors.append(
                        {
                            "field": name,
                            "code": ErrorCode.NOT_FOUND,
                            "detail": _("There is no number series %(code)s.") % {"code": code},
                        }
                    )
    for name in ("description", "base_unit_of_measure"):
        if name in data:
            values[name] = data[name] or ""
    if "whole_units" in data:
        values["whole_units"] = bool(data["whole_units"])
    if "gtin" in data:
        values["gtin"] = (data["gtin"] or "").strip()
        problem = gtin_problem(values["gtin"]) if values["gtin"] else None
        if problem:
            errors.append({"field": "gtin", "code": ErrorCode.GTIN_INVALID, "detail": problem})
    if "base_unit_of_measure" in values and not values["base_unit_of_measure"]:
        errors.append(
            {
                "field": "base_unit_of_measure",
                "code": ErrorCode.REQUIRED,
                "detail": _("Give a base unit of measure, e.g. PCS."),
            }
        )
    if errors:
        raise InvalidInput("; ".join(e["detail"] for e in errors), code=errors[0]["code"], errors=errors)
    return values


# --- Tracking code changes against stock -----------------------------------------------------------


def _stock_contradictions(
    stock: QuerySet[BinContent], before: Requirement, after: Requirement
) -> list[tuple[str, ErrorCode]]:
    """(kind, code) for each kind ("lot", "serial") whose warehouse tracking the change turns off while
    `stock` carries numbers of that kind (stock_carries_numbers), or turns on while `stock` has rows
    without them (stock_without_numbers). One query per kind whose warehouse tracking changes."""
    found: list[tuple[str, ErrorCode]] = []
    for kind, turned_on in warehouse_tracking_changes(before, after):
        number_field = f"{kind}_no"
        if turned_on and stock.filter(**{number_field: ""}).exists():
            found.append((kind, ErrorCode.STOCK_WITHOUT_NUMBERS))
        elif not turned_on and stock.exclude(**{number_field: ""}).exists():
            found.append((kind, ErrorCode.STOCK_CARRIES_NUMBERS))
    return found


def tracking_code_stock_check(code: ItemTrackingCode, values: Mapping[str, Any]) -> None:
    """Refuse a change of tracking code `code` to the flags `values` that contradicts the stock of the
    items using it (TrackingCodeInUse). Added to tracking's change checks by WarehouseConfig.ready, so the
    tracking services, API and admin refuse such changes without knowing about stock."""
    stock = BinContent.objects.filter(item__tracking_code=code, quantity__gt=0)
    errors: list[dict[str, Any]] = []
    for kind, problem in _stock_contradictions(stock, requirement(code), requirement_from_values(values)):
        flag = f"{'sn' if kind == 'serial' else kind}_warehouse_tracking"
        serial = kind == "serial"
        if problem == ErrorCode.STOCK_CARRIES_NUMBERS:
            message = (
                _(
                    "Stock of items with tracking code %(code)s carries serial numbers; serial warehouse "
                    "tracking cannot be turned off until that stock is gone."
                )
                if serial
                else _(
                    "Stock of items with tracking code %(code)s carries lot numbers; lot warehouse tracking "
                    "cannot be turned off until that stock is gone."
                )
            )
        else:
            message = (
                _(
                    "Items with tracking code %(code)s have stock without serial numbers; serial warehouse "
                    "tracking cannot be turned on until that stock is removed (adjust it out, then receive "
                    "it again with numbers)."
                )
                if serial
                else _(
                    "Items with tracking code %(code)s have stock without lot numbers; lot warehouse "
                    "tracking cannot be turned on until that stock is removed (adjust it out, then receive "
                    "it again with numbers)."
                )
            )
        detail = message % {"code": code.code}
        errors.append({"field": flag, "code": problem, "detail": detail})
    if errors:
        raise TrackingCodeInUse("; ".join(e["detail"] for e in errors), errors=errors)


def item_tracking_change_check(item: Item, new_code: ItemTrackingCode | None) -> None:
    """A new tracking code must not contradict the item's stock (numbers carried or not)."""
    stock = BinContent.objects.filter(item=item, quantity__gt=0)
    errors: list[dict[str, Any]] = []
    for kind, problem in _stock_contradictions(stock, requirement(item.tracking_code), requirement(new_code)):
        serial = kind == "serial"
        if problem == ErrorCode.STOCK_CARRIES_NUMBERS:
            message = (
                _(
                    "Stock of item %(item)s carries serial numbers; the new tracking code has no serial "
                    "warehouse tracking. Remove that stock first."
                )
                if serial
                else _(
                    "Stock of item %(item)s carries lot numbers; the new tracking code has no lot warehouse "
                    "tracking. Remove that stock first."
                )
            )
        else:
            message = (
                _(
                    "Item %(item)s has stock without serial numbers; the new tracking code needs serial "
                    "numbers in stock. Remove that stock first, then receive it with numbers."
                )
                if serial
                else _(
                    "Item %(item)s has stock without lot numbers; the new tracking code needs lot numbers in "
                    "stock. Remove that stock first, then receive it with numbers."
                )
            )
        detail = message % {"item": item.no}
        errors.append({"field": "tracking_code", "code": problem, "detail": detail})
    if errors:
        raise Conflict(
            "; ".join(e["detail"] for e in errors), code=ErrorCode.TRACKING_CODE_IN_USE, errors=errors
        )


def _check_gtin_free(gtin: str, *, item_pk: int | None) -> None:
    """A GTIN belongs to one item, whatever number of leading zeros it is written with."""
    if not gtin:
        return
    others = Item.objects.filter(gtin__in=gtin_forms(gtin))
    if item_pk is not None:
        others = others.exclude(pk=item_pk)
    taken = others.values_list("no", flat=True).first()
    if taken is not None:
        detail = _("GTIN %(gtin)s is already the GTIN of item %(item)s: one GTIN identifies one item.") % {
            "gtin": gtin,
            "item": taken,
        }
        raise Conflict(
            detail,
            code=ErrorCode.ALREADY_EXISTS,
            errors=[{"field": "gtin", "code": ErrorCode.ALREADY_EXISTS, "detail": detail}],
        )


def item_create(*, no: str, **data: Any) -> Item:
    if not (no or "").strip():
        raise _field_error("no", ErrorCode.REQUIRED, _("Give the item a number."))
    values = _resolve_item_refs(data)
    _check_gtin_free(values.get("gtin", ""), item_pk=None)
    try:
        with transaction.atomic():
            return Item.objects.create(no=no, **values)
    except IntegrityError as exc:
        raise _already_exists(_("Item %(value)s already exists. Use another %(field)s."), "no", no) from exc


def item_update(*, item: Item, **data: Any) -> Item:
    unknown = set(data) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    values = _resolve_item_refs(data)
    _check_gtin_free(values.get("gtin", ""), item_pk=item.pk)
    with transaction.atomic():
        if "tracking_code" in values and values["tracking_code"] != item.tracking_code:
            item_tracking_change_check(item, values["tracking_code"])
        for name, value in values.items():
            setattr(item, name, value)
        item.save()
    return item


# --- Locations and bins ---------------------------------------------------------------------------


def location_check(location: Location) -> None:
    """A location that requires shipments names its shipment bin, a shipping bin (docs/warehouse-shipments.md,
    "Location modes"); every combination of require_pick and require_shipment is allowed."""
    if location.require_shipment and location.shipment_bin_id is None:
        raise _field_error(
            "shipment_bin",
            ErrorCode.SHIPMENT_BIN_REQUIRED,
            _(
                "A location that requires shipments needs a shipment bin: create the bin, then set "
                "shipment_bin."
            ),
        )
    shipment_bin = location.shipment_bin if location.shipment_bin_id is not None else None
    if shipment_bin is not None and not shipment_bin.is_shipping:
        raise _field_error(
            "shipment_bin",
            ErrorCode.BIN_NOT_SHIPPING,
            _(
                "Bin %(bin)s is a storage bin: the shipment bin must be a shipping bin. Give the bin the "
                "kind 'shipping' first, or choose a shipping bin."
            )
            % {"bin": shipment_bin.code},
        )


def _shipment_bin(location: Location, code: str | None) -> Bin | None:
    if not code:
        return None
    bin_ = Bin.objects.filter(location=location, code=code).first() if location.pk else None
    if bin_ is None:
        raise _field_error(
            "shipment_bin",
            ErrorCode.NOT_FOUND,
            _("There is no bin %(bin)s at location %(location)s.") % {"bin": code, "location": location.code},
        )
    return bin_


def location_create(*, code: str, user: Any = None, **data: Any) -> Location:
    """Create a location; a creator who does not see all locations becomes its warehouse employee."""
    if not (code or "").strip():
        raise _field_error("code", ErrorCode.REQUIRED, _("Give the location a code."))
    unknown = set(data) - set(LOCATION_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if data.get("shipment_bin"):
        raise _field_error(
            "shipment_bin",
            ErrorCode.NOT_FOUND,
            _("A new location has no bins yet: create the bins, then set shipment_bin."),
        )
    location = Location(code=code, **{k: v for k, v in data.items() if k != "shipment_bin"})
    location_check(location)
    try:
        with transaction.atomic():
            location.save()
            if user is not None and getattr(user, "is_authenticated", False) and not sees_all_locations(user):
                WarehouseEmployee.objects.create(user=user, location=location)
    except IntegrityError as exc:
        raise _already_exists(
            _("Location %(value)s already exists. Use another %(field)s."), "code", code
        ) from exc
    return location


def location_update(*, location: Location, **data: Any) -> Location:
    unknown = set(data) - set(LOCATION_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        for name, value in data.items():
            if name == "shipment_bin":
                location.shipment_bin = _shipment_bin(location, value)
            else:
                setattr(location, name, value)
        location_check(location)
        location.save()
    return location


def _check_kind(kind: str) -> str:
    if kind not in Bin.Kind.values:
        raise _field_error(
            "kind",
            ErrorCode.INVALID_CHOICE,
            _("Unknown bin kind '%(kind)s'. Use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Bin.Kind.values)},
        )
    return kind


def bin_create(
    *,
    location: Location,
    code: str,
    description: str = "",
    blocked: bool = False,
    kind: str = Bin.Kind.STORAGE,
) -> Bin:
    if not (code or "").strip():
        raise _field_error("code", ErrorCode.REQUIRED, _("Give the bin a code."))
    _check_kind(kind)
    try:
        with transaction.atomic():
            return Bin.objects.create(
                location=location, code=code, description=description, blocked=blocked, kind=kind
            )
    except IntegrityError as exc:
        raise _already_exists(
            _("Bin at location %(location)s: %(value)s already exists. Use another %(field)s."),
            "code",
            code,
            location=location.code,
        ) from exc


def bin_update(*, bin: Bin, **data: Any) -> Bin:
    unknown = set(data) - {"description", "blocked", "kind"}
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        if "kind" in data and _check_kind(data["kind"]) != bin.kind:
            bin_kind_change_check(bin, data["kind"])
        for name, value in data.items():
            setattr(bin, name, value)
        bin.save()
    return bin


def bin_kind_change_check(bin_: Bin, kind: str) -> None:
    """A bin changes its kind only while empty (stock in it would change meaning), and the shipment bin of
    a location stays a shipping bin."""
    if kind == Bin.Kind.STORAGE and Location.objects.filter(shipment_bin=bin_).exists():
        raise _field_error(
            "kind",
            ErrorCode.BIN_NOT_SHIPPING,
            _(
                "Bin %(bin)s is the shipment bin of its location: it stays a shipping bin. Name another "
                "shipment bin first."
            )
            % {"bin": bin_.code},
            cls=Conflict,
        )
    if BinContent.objects.filter(bin=bin_, quantity__gt=0).exists():
        raise _field_error(
            "kind",
            ErrorCode.BIN_NOT_EMPTY,
            _(
                "Bin %(bin)s holds stock: its kind can change only when it is empty. Move the stock to "
                "another bin first."
            )
            % {"bin": bin_.code},
            cls=Conflict,
        )


def get_bin(*, user: Any, location_code: str, bin_code: str) -> Bin:
    location = get_visible_location(user, code=location_code)
    bin_ = Bin.objects.filter(location=location, code=bin_code).select_related("location").first()
    if bin_ is None:
        raise NotFoundError(
            _("There is no bin %(bin)s at location %(location)s.")
            % {"bin": bin_code, "location": location.code}
        )
    return bin_


# --- Lot and serial information --------------------------------------------------------------------


INFO_FIELDS = ("blocked", "description", "certificate", "expiration_date")


def _info_set(
    model: type[LotNoInformation] | type[SerialNoInformation],
    *,
    item: Item,
    number_field: str,
    number: str,
    data: Any,
) -> Any:
    unknown = set(data) - set(INFO_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if not (number or "").strip():
        raise _field_error(number_field, ErrorCode.REQUIRED, _("Give the number."))
    date: datetime.date | None = data.get("expiration_date")
    if date is not None and not requirement(item.tracking_code).use_expiration_dates:
        raise _field_error(
            "expiration_date",
            ErrorCode.EXPIRATION_NOT_USED,
            _("Item %(item)s does not use expiration dates: leave the expiration date empty.")
            % {"item": item.no},
        )
    with transaction.atomic():
        lookup: dict[str, Any] = {number_field: number}
        info, _created = model.objects.get_or_create(item=item, **lookup)
        for name, value in data.items():
            setattr(info, name, "" if value is None and name in ("description", "certificate") else value)
        info.save()
        if "expiration_date" in data:
            # Stock of this number expires on the new date too (the ledger keeps its history).
            BinContent.objects.filter(item=item, **{number_field: number}).update(expiration_date=date)
    return info


def lot_info_set(*, item: Item, lot_no: str, **data: Any) -> LotNoInformation:
    """Create or change the information card of a lot (PATCH creates it when missing)."""
    result: LotNoInformation = _info_set(
        LotNoInformation, item=item, number_field="lot_no", number=lot_no, data=data
    )
    return result


def serial_info_set(*, item: Item, serial_no: str, **data: Any) -> SerialNoInformation:
    """Create or change the information card of a serial number (PATCH creates it when missing)."""
    result: SerialNoInformation = _info_set(
        SerialNoInformation, item=item, number_field="serial_no", number=serial_no, data=data
    )
    return result
