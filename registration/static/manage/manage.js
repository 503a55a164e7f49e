// Back-office list: a "select the whole page" checkbox, and the reason field shown only for
// the actions that use it. Everything works without this script too.
(function () {
  "use strict";
  const all = document.getElementById("select-all");
  const boxes = Array.from(document.querySelectorAll('#bulk-form input[name="ids"]'));
  if (all && boxes.length) {
    all.hidden = false;
    all.addEventListener("change", function () {
      for (const box of boxes) box.checked = all.checked;
    });
    for (const box of boxes) {
      box.addEventListener("change", function () {
        all.checked = boxes.every(function (b) { return b.checked; });
      });
    }
  }
  const action = document.getElementById("action");
  const reason = document.getElementById("reason");
  if (action && reason) {
    const wrapper = reason.closest(".field");
    const refresh = function () {
      wrapper.hidden = !["reject", "withdraw"].includes(action.value);
    };
    action.addEventListener("change", refresh);
    refresh();
  }
})();
