/* Rathaus: the few behaviours the server's HTML asks for. A file, not inline code (CSP).

   Focus: an element marked data-rathaus-focus gets the keyboard focus once it is on the page,
   after a full load or after htmx swapped it in (a reply just sent, an error summary), so the
   focus never drops to <body> when the part of the page holding it is replaced. */
(function () {
  "use strict";

  function focusMarked() {
    var target = document.querySelector("[data-rathaus-focus]");
    if (!target) {
      return;
    }
    target.removeAttribute("data-rathaus-focus");
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  document.addEventListener("DOMContentLoaded", focusMarked);
  document.addEventListener("htmx:afterSettle", focusMarked);
})();
