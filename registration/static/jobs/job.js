// A job's page: polls its progress, fills the bar, then starts the download if there is one.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var bar = document.getElementById("job-progress");
  var state = document.getElementById("job-state");
  var count = document.getElementById("job-count");
  var link = document.getElementById("job-download");
  var failures = 0;

  function show(job) {
    if (job.total) {
      bar.max = job.total;
      bar.value = job.done;
      count.textContent = (box.dataset.countLabel || "{done} / {total}")
        .replace("{done}", job.done).replace("{total}", job.total);
    }
    if (job.status === "done") {
      bar.hidden = true;
      state.textContent = box.dataset.ready || state.textContent;
      if (link && job.download) {
        link.hidden = false;
        window.location.assign(job.download);
      }
      return true;
    }
    if (job.status === "failed") {
      bar.hidden = true;
      state.textContent = job.error;
      return true;
    }
    if (job.status !== "queued") { state.textContent = box.dataset.working || state.textContent; }
    return false;
  }

  function poll() {
    fetch(box.dataset.progress, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) { failures = 0; if (!show(job)) { window.setTimeout(poll, 700); } })
      .catch(function () { failures += 1; if (failures < 20) { window.setTimeout(poll, 2000); } });
  }

  if (bar && !bar.hidden) { poll(); }
})();
