// Starts ReDoc on /api/redoc/ (templates/drf_spectacular/redoc.html) without an inline script.
const container = document.getElementById("redoc-container");
if (container && window.Redoc) window.Redoc.init(container.dataset.schemaUrl, {}, container);
