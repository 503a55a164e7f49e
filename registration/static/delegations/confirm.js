// Ask before a destructive action: forms with data-confirm submit only after "OK".
// Without JavaScript the action still works; the server never depends on this.
(function () {
  "use strict";
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
})();
