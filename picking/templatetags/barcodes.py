"""`{% load barcodes %}` then `{{ line.serial_no|code128 }}`: an inline SVG Code 128 barcode."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from picking.barcodes import svg

register = template.Library()


@register.filter
def code128(value: object) -> SafeString:
    return svg(str(value or ""))
