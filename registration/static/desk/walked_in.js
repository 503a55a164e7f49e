// A walk-in's confirmation: one click (or F8) prints the badge; a reprint asks for a reason.
(function () {
  "use strict";
  const box = document.getElementById("walk-in-print");
  if (!box) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const person = {
    id: Number(box.dataset.id),
    name: box.dataset.name,
    reference: box.dataset.reference,
    badge_url: box.dataset.badgeUrl,
    printed_url: box.dataset.printedUrl,
  };
  const message = document.getElementById("result-message");

  function print(reason) {
    DeskPrinting.printBadge(person, reason, csrf).then((answer) => {
      message.textContent = answer.status === "ok" ? box.dataset.done : answer.message;
    });
  }

  const button = document.getElementById("print-button");
  if (button) button.addEventListener("click", () => print(""));
  const reprint = document.getElementById("reprint-form");
  if (reprint) {
    reprint.addEventListener("submit", (event) => {
      event.preventDefault();
      const reason = document.getElementById("reprint-reason").value.trim();
      if (reason) print(reason);
      else document.getElementById("reprint-reason").focus();
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "F8") return;
    event.preventDefault();
    if (button) button.click();
    else if (reprint) document.getElementById("reprint-reason").focus();
  });
})();
