// Offer only the States or organisations of the chosen category, and show the free-text
// organisation field only when "another organisation" is chosen. Works without it too:
// the server checks the same rules.
(function () {
  "use strict";
  const category = document.getElementById("category");
  const entity = document.getElementById("entity");
  const other = document.getElementById("other-organisation");
  if (!category || !entity) return;
  const stateCategories = new Set(JSON.parse(entity.closest("form").dataset.stateCategories || "[]"));

  function refresh() {
    const chosen = category.value;
    for (const option of entity.options) {
      if (option.dataset.category) {
        option.hidden = option.disabled = option.dataset.category !== chosen;
      } else if (option.dataset.other) {
        option.hidden = option.disabled = stateCategories.has(chosen);
      }
    }
    if (entity.selectedOptions[0] && entity.selectedOptions[0].disabled) entity.value = "";
    if (other) other.hidden = entity.value !== "other";
  }
  category.addEventListener("change", refresh);
  entity.addEventListener("change", refresh);
  refresh();
})();
