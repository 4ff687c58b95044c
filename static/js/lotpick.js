// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm dangerous actions: <form data-confirm="Post this pick?">
  document.body.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // Scanners send Enter after a code: move to the next scan field instead of submitting twice.
  const scan = document.querySelector("[data-autofocus-scan]");
  if (scan instanceof HTMLInputElement) scan.focus();
});
