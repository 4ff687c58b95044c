"""Page-specific relaxations of the Content-Security-Policy (config/settings.py holds the strict one)."""

from __future__ import annotations

from csp.decorators import csp_update

# Pages that can scan with the phone camera: where the browser has no BarcodeDetector, the vendored decoder
# (static/vendor/barcode-detector/, ZXing compiled to WebAssembly) needs 'wasm-unsafe-eval', which allows
# compiling WebAssembly only, not eval() of JavaScript.
camera_scanning_csp = csp_update({"script-src": ["'wasm-unsafe-eval'"]})
