"""Page-specific relaxations of the Content-Security-Policy (config/settings.py holds the strict one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from csp.decorators import csp_update

View = TypeVar("View", bound=Callable[..., Any])

_camera = csp_update({"script-src": ["'wasm-unsafe-eval'"]})


def camera_scanning_csp(view: View) -> View:
    """For pages that can scan with the phone camera: where the browser has no BarcodeDetector, the vendored
    decoder (static/vendor/barcode-detector/, ZXing compiled to WebAssembly) needs 'wasm-unsafe-eval', which
    allows compiling WebAssembly only, not eval() of JavaScript."""
    return cast(View, _camera(view))
