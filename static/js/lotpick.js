// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm dangerous actions: <form data-confirm="Post this pick?">
  document.body.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
});

// Picks (issue 5): after a refused action, bring the first line with a problem into view and put the
// cursor in its field, so a worker with a scanner can correct it at once.
document.addEventListener("DOMContentLoaded", () => {
  const problem = document.querySelector(".line.has-error");
  if (problem instanceof HTMLElement) {
    problem.scrollIntoView({ block: "center" });
    const field = problem.querySelector("input[aria-invalid=true], input[type=text], input[type=number]");
    if (field instanceof HTMLInputElement) field.focus();
  }
});
