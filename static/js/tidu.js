// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.matches("select")) form.requestSubmit();
});
// Progress bars carry their value in data-progress; widths are set here because inline styles are not allowed.
function paintProgress(root) {
  root.querySelectorAll("[data-progress]").forEach((bar) => { bar.style.width = `${bar.dataset.progress}%`; });
}
document.addEventListener("DOMContentLoaded", () => paintProgress(document));
document.addEventListener("htmx:afterSwap", (event) => paintProgress(event.target.parentElement || document));
// A multi-select's exclusive option ("无") and the other options rule each other out: ticking one unticks the rest.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!box.matches(".q-choices input[type=checkbox]") || !box.checked) return;
  const group = box.closest(".q-choices").querySelectorAll("input[type=checkbox]");
  group.forEach((other) => {
    if (other !== box && (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive"))) other.checked = false;
  });
});
