// Live counts: poll the counts endpoint every few seconds and update the numbers in place.
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  if (!root) return;
  const interval = Number(root.dataset.interval) || 3000;

  function set(key, value) {
    for (const element of root.querySelectorAll('[data-count="' + key + '"]')) {
      if (element.textContent !== String(value)) element.textContent = value;
    }
  }

  function progress(key, value, max) {
    const bar = root.querySelector('[data-progress="' + key + '"]');
    if (!bar) return;
    bar.max = max || 1;
    bar.value = value;
  }

  async function refresh() {
    try {
      const response = await fetch(root.dataset.countsUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const counts = await response.json();
      set("approved", counts.approved);
      set("checked_in", counts.checked_in);
      for (const row of counts.categories) {
        set("category-" + row.id + "-approved", row.approved);
        set("category-" + row.id + "-checked_in", row.checked_in);
        progress("category-" + row.id, row.checked_in, row.approved);
      }
      for (const row of counts.sessions) {
        set("session-" + row.code + "-attended", row.attended);
        set("session-" + row.code + "-chosen", row.chosen);
      }
      root.classList.remove("stale");
      // The page's language on a 24-hour clock, not the browser's own locale.
      document.getElementById("updated").textContent = new Date().toLocaleTimeString(document.documentElement.lang, {
        hourCycle: "h23",
      });
    } catch (error) {
      root.classList.add("stale"); // shown dimmed until the network is back
    }
  }

  setInterval(refresh, interval);
})();
