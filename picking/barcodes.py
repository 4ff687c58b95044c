"""Code 128 barcodes for printed pick lists (pure, no database): the bars come from `python-barcode`'s
Code 128 encoder; `bars` turns them into (start, width) runs in modules, which the printable page draws as
one SVG path (`svg`) and the PDF as rectangles (picking.views.pick_print)."""

from __future__ import annotations

from barcode import Code128
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

QUIET = 10  # modules of white space on each side, as scanners need


def modules(text: str) -> str:
    """The bars of `text` in Code 128 as "1" (bar) and "0" (space) modules, without quiet zones."""
    return "".join(Code128(text).build())


def bars(text: str) -> tuple[list[tuple[int, int]], int]:
    """(start, width) of each bar in modules, counted from the left quiet zone, and the total width."""
    pattern = modules(text)
    runs: list[tuple[int, int]] = []
    start = None
    for index, module in enumerate(pattern + "0"):
        if module == "1" and start is None:
            start = index
        elif module == "0" and start is not None:
            runs.append((QUIET + start, index - start))
            start = None
    return runs, len(pattern) + 2 * QUIET


def svg(text: str, *, height: int = 40) -> SafeString:
    """An inline SVG of `text` as a Code 128 barcode (no style attributes: fine under a strict CSP)."""
    if not text:
        return mark_safe("")
    runs, width = bars(text)
    path = "".join(f"M{x} 0h{w}v{height}h-{w}z" for x, w in runs)
    return mark_safe(
        f'<svg class="barcode" viewBox="0 0 {width} {height}" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(text)}" xmlns="http://www.w3.org/2000/svg"><path d="{path}" fill="#000"/></svg>'
    )
