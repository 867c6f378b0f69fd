// A form came back with errors: move focus to the summary at its top, so a phone user sees it and a
// screen reader reads it. Its links then move focus to the control itself (a plain #link only scrolls),
// with the field's label in view. Without this script the summary is still the first thing on the page.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var control = document.getElementById(link.getAttribute("href").slice(1));
    if (!control) return;
    event.preventDefault();
    var block = control.closest(".field, fieldset") || control;
    block.scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
    if (history.replaceState) history.replaceState(null, "", link.getAttribute("href"));
  });
});
