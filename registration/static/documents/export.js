// Export form: up/down buttons reorder the column checkboxes; the form submits them in that order.
(function () {
  "use strict";
  var list = document.getElementById("columns");
  if (!list) { return; }
  list.querySelectorAll(".order").forEach(function (controls) { controls.hidden = false; });
  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var item = button.closest("li");
    if (button.classList.contains("move-up") && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (button.classList.contains("move-down") && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    }
    button.focus();
  });
})();
