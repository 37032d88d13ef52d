// Disclosure buttons: on a narrow screen the menu and the search filters fold away behind a
// button. Without this script both simply stay open; kb.css decides at which widths a
// folded part is hidden, so on a wide screen nothing ever folds.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.querySelectorAll("button[data-controls]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-controls"));
    if (!target) {
      return;
    }
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      target.classList.toggle("folded", !open);
    }
    button.setAttribute("aria-controls", target.id);
    button.hidden = false;
    show(false);
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
  });
})();
