// Fold the main menu on a phone-sized screen; without this script it simply stays open.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.matchMedia("(max-width: 640px)").matches) return;
  document.querySelectorAll("details.menu[open]").forEach(function (menu) { menu.open = false; });
});
