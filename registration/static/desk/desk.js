// The check-in desk: keyboard-wedge scanner input, camera frames read by the server (Chromium
// on Linux has no BarcodeDetector), search with one-click check-in, annulment, sound cues,
// print on arrival, and the offline desk (offline.js) when the network is cut.
// Every scan carries a nonce, so a retry after a network failure is recorded only once.
(function () {
  "use strict";
  const root = document.getElementById("desk");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const urls = root.dataset;
  const text = JSON.parse(root.dataset.messages);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const input = $("scan-input");
  const checkpoint = $("checkpoint");
  const result = $("result");
  const autoPrint = $("auto-print");
  const storageKey = "desk.checkpoint." + root.dataset.slug;
  const autoPrintKey = "desk.autoprint." + root.dataset.slug;
  // Amber: the desk can act (override, send to the registration desk); red: refused.
  const WARNINGS = new Set(["already_checked_in", "duplicate", "session_not_chosen", "not_approved"]);
  // Not colour alone: an icon and a word say the same thing.
  const VERDICTS = {
    ok: ["✔", text.verdictOk],
    warn: ["⚠", text.verdictWarn],
    bad: ["✖", text.verdictBad],
    pending: ["⏳", text.verdictPending],
    annulled: ["↺", text.verdictAnnulled],
  };
  let lastSource = "scanner";
  let offline = null;
  let offlineState = { queued: 0 };

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // A time of day in the page's language on a 24-hour clock, not the browser's own locale.
  const clock = (moment) =>
    new Date(moment).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const format = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? values[name] : match));

  function nonce() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- Checkpoint: ?checkpoint= first, then this desk's last choice -------------------------
  function showCheckpoint() {
    const link = $("attendance-link");
    if (link) link.href = urls.attendanceUrl.replace("__checkpoint__", encodeURIComponent(checkpoint.value));
    root.dataset.checkpoint = checkpoint.value;
  }
  const wanted = new URLSearchParams(location.search).get("checkpoint") || localStorage.getItem(storageKey);
  if (wanted && Array.from(checkpoint.options).some((option) => option.value === wanted)) {
    checkpoint.value = wanted;
  }
  checkpoint.addEventListener("change", () => {
    localStorage.setItem(storageKey, checkpoint.value);
    showCheckpoint();
    input.focus();
  });
  showCheckpoint();
  autoPrint.checked = localStorage.getItem(autoPrintKey) === "1";
  autoPrint.addEventListener("change", () => {
    localStorage.setItem(autoPrintKey, autoPrint.checked ? "1" : "0");
    input.focus();
  });

  // --- The scanner input stays focused unless staff use another field -----------------------
  const isField = (element) => element && element.matches("input, select, textarea, button, a, video");
  input.addEventListener("blur", () => {
    setTimeout(() => {
      if (!isField(document.activeElement)) input.focus();
    }, 0);
  });
  document.addEventListener("click", (event) => {
    if (!isField(event.target)) input.focus();
  });

  // --- Talking to the server ------------------------------------------------------------------
  async function post(url, body, contentType) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const response = await fetch(url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "Content-Type": contentType, "X-CSRFToken": csrf, Accept: "application/json" },
        });
        try {
          return await response.json();
        } catch (error) {
          return { status: "error", reason: "http_" + response.status, message: text.serverError };
        }
      } catch (error) {
        // Network failure: the same body, with the same nonce, is safe to send again.
        if (attempt >= 2 || !navigator.onLine) return { status: "error", reason: "network", message: text.network };
        await sleep(400 * (attempt + 1));
      }
    }
  }

  // Online and nothing waiting: the server answers. Otherwise (or if it cannot be reached)
  // the roster judges and the scan joins the queue, keeping the order of scans.
  async function scan(fields) {
    lastSource = fields.source;
    const body = Object.assign(
      { checkpoint: checkpoint.value, nonce: nonce(), scanned_at: new Date().toISOString() },
      fields
    );
    const canQueue = offline && body.token;
    if (canQueue && (!navigator.onLine || offlineState.queued > 0)) return showOffline(await offline.scan(body), body);
    const data = await post(urls.scanUrl, JSON.stringify(body), "application/json");
    if (canQueue && data.reason === "network") return showOffline(await offline.scan(body), body);
    return show(data);
  }

  // Scans are sent one after the other, in the order they were read.
  let queue = Promise.resolve();
  function enqueue(task) {
    queue = queue.then(task, task);
    return queue;
  }

  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = input.value.trim();
    input.value = "";
    if (token) enqueue(() => scan({ token: token, source: "scanner" }));
  });

  // --- Showing a result -----------------------------------------------------------------------
  let audio = null;
  function beep(state) {
    const tones = { ok: [[880, 0.12]], warn: [[520, 0.1], [520, 0.1]], bad: [[220, 0.45]] }[state];
    if (!tones) return;
    try {
      audio = audio || new AudioContext();
      let start = audio.currentTime;
      for (const [frequency, length] of tones) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.frequency.value = frequency;
        gain.gain.value = 0.2;
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start);
        oscillator.stop(start + length);
        start += length + 0.08;
      }
    } catch (error) {
      // No sound available: the colours, icons and words still tell.
    }
  }

  const sessionTitles = new Map(Array.from(checkpoint.options, (option) => [option.value, option.textContent]));

  function fillPerson(panel, person, earlier) {
    const find = (id) => panel.querySelector("#" + id);
    find("result-name").textContent = person.name;
    find("result-entity").textContent = person.entity;
    const category = find("result-category");
    category.textContent = person.category;
    // Set through the CSSOM (allowed by the CSP), and only a #RRGGBB colour.
    category.style.borderColor = /^#[0-9a-fA-F]{6}$/.test(person.category_colour) ? person.category_colour : "";
    find("result-status").textContent = person.status_label || "";
    const photo = find("result-photo");
    if (person.photo_url) photo.src = person.photo_url;
    else photo.remove();
    find("result-earlier").textContent = earlier ? text.earlier + " " + earlier : "";
    const titles = person.sessions.map((session) => session.title || sessionTitles.get(session) || session);
    find("result-sessions").textContent = titles.length ? text.sessions + " " + titles.join(" · ") : text.noSessions;
  }

  // One answer, one fresh panel: a copy of the template with only the actions that apply.
  function render(answer) {
    const panel = $("result-template").content.cloneNode(true);
    const find = (id) => panel.querySelector("#" + id);
    const [icon, word] = VERDICTS[answer.state];
    find("result-message").textContent = answer.message;
    panel.querySelector(".result-icon").textContent = icon;
    panel.querySelector(".result-word").textContent = word;
    if (answer.person) fillPerson(panel, answer.person, answer.earlier);
    else find("result-person").remove();
    const actions = answer.actions || {};
    if (!actions.force) find("force-button").remove();
    else find("force-button").addEventListener("click", actions.force);
    const printable = actions.print;
    if (!printable || printable.badge_printed) find("print-button").remove();
    else find("print-button").addEventListener("click", () => printBadge(printable, ""));
    if (!printable || !printable.badge_printed) find("reprint-form").remove();
    else setUpReprint(find("reprint-form"), printable);
    if (!actions.annulUrl) find("annul-form").remove();
    else setUpAnnul(find("annul-form"), actions.annulUrl);
    if (!find("result-actions").children.length) find("result-actions").remove();
    result.className = "result result-" + answer.state;
    result.dataset.reason = answer.reason;
    result.replaceChildren(panel);
    beep(answer.state);
    if (!isField(document.activeElement) || document.activeElement === input) input.focus();
  }

  function show(data) {
    const state = data.status === "ok" ? "ok" : WARNINGS.has(data.reason) ? "warn" : "bad";
    const person = data.registration || null;
    const attendance = data.attendance;
    const atVenue = data.checkpoint === "venue";
    const actions = {};
    if (data.reason === "session_not_chosen" && person) {
      const source = lastSource;
      actions.force = () => enqueue(() => scan({ registration_id: person.id, force: true, source: source }));
    }
    if (person && atVenue && (data.status === "ok" || data.reason === "already_checked_in")) actions.print = person;
    if (attendance && !attendance.annulled && (data.status === "ok" || data.reason === "already_checked_in")) {
      actions.annulUrl = attendance.annul_url;
    }
    const first = data.first_checked_in_at || (data.status === "ok" || !person ? null : person.checked_in_at);
    render({
      state: state,
      reason: data.reason || "ok",
      message: data.message,
      person: person,
      earlier: first ? first.local : null,
      actions: actions,
    });
    if (state === "ok" && atVenue && autoPrint.checked && person && !person.badge_printed) printBadge(person, "");
  }

  const OFFLINE_MESSAGES = {
    ok: "offlineOk",
    unknown_token: "offlineUnknown",
    not_approved: "offlineNotApproved",
    withdrawn: "offlineWithdrawn",
    rejected: "offlineRejected",
    already_checked_in: "offlineAlready",
    session_not_chosen: "offlineSession",
    unchecked: "offlineNoRoster",
  };

  function showOffline(verdict, fields) {
    const reason = verdict.result;
    const state = reason === "ok" ? "ok" : reason === "unchecked" ? "pending" : WARNINGS.has(reason) ? "warn" : "bad";
    const earlier = verdict.earlier ? clock(verdict.earlier) : null;
    const actions = {};
    if (reason === "session_not_chosen") {
      actions.force = () => enqueue(() => scan({ token: fields.token, force: true, source: fields.source }));
    }
    render({
      state: state,
      reason: reason,
      message: format(text[OFFLINE_MESSAGES[reason]], { name: verdict.person ? verdict.person.name : "", time: earlier || "" }),
      person: verdict.person || null,
      earlier: earlier,
      actions: actions,
    });
  }

  function setUpAnnul(form, url) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const reason = form.querySelector("#annul-reason").value.trim();
      if (!reason) {
        form.querySelector("#annul-reason").focus();
        form.querySelector("label").textContent = text.reasonRequired;
        return;
      }
      post(url, JSON.stringify({ reason: reason }), "application/json").then((data) => {
        render({
          state: data.status === "ok" ? "annulled" : "bad",
          reason: data.status === "ok" ? "annulled" : data.reason,
          message: data.message,
          person: data.registration || null,
          actions: {},
        });
      });
    });
  }

  // --- Print on arrival -----------------------------------------------------------------------
  function setUpReprint(form, person) {
    form.querySelector("label").textContent = text.reprintReason;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const reason = form.querySelector("#reprint-reason").value.trim();
      if (reason) printBadge(person, reason);
      else form.querySelector("#reprint-reason").focus();
    });
  }

  function printBadge(person, reason) {
    const message = $("result-message");
    if (message) message.textContent = format(text.printing, { name: person.name });
    return DeskPrinting.printBadge(person, reason, csrf).then((answer) => {
      const done = answer.status === "ok";
      const line = done
        ? format(text.printed, { name: person.name })
        : format(text.printFailed, { message: answer.message });
      const current = $("result-message");
      if (current) current.textContent = line;
      if (done) person.badge_printed = true;
      // The print took the focus into its frame: give it back to the scanner before the next
      // badge's keys arrive (the blur handler's own refocus waits for a later turn).
      if (!isField(document.activeElement)) input.focus();
    });
  }

  // One key: F8 prints (or asks the reprint's reason) for the person on screen.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "F8") return;
    event.preventDefault();
    const button = $("print-button");
    if (button) button.click();
    else if ($("reprint-reason")) $("reprint-reason").focus();
  });

  // --- Search by name, organisation, reference or country code --------------------------------
  const searchInput = $("search-input");
  const searchResults = $("search-results");
  let searchTimer = null;
  let searchRound = 0;

  function resultRow(person) {
    const item = document.createElement("li");
    const label = document.createElement("span");
    const parts = [person.name, person.entity, person.category, person.reference, person.status_label];
    if (person.checked_in_at) parts.push(text.checkedIn + " " + person.checked_in_at.local);
    label.textContent = parts.join(" · ");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text.checkIn;
    button.addEventListener("click", () => {
      enqueue(() => scan({ registration_id: person.id, source: "search" }));
    });
    item.append(label, " ", button);
    return item;
  }

  async function runSearch() {
    const query = searchInput.value.trim();
    const round = ++searchRound;
    if (query.length < 2) {
      searchResults.replaceChildren();
      return;
    }
    try {
      const response = await fetch(urls.searchUrl + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const data = await response.json();
      if (round !== searchRound) return; // a newer search is under way
      const rows = (data.results || []).map(resultRow);
      if (!rows.length) {
        const empty = document.createElement("li");
        empty.textContent = text.noMatch;
        rows.push(empty);
      }
      searchResults.replaceChildren(...rows);
    } catch (error) {
      render({ state: "bad", reason: "network", message: text.network });
    }
  }
  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });
  // Typed while this script was still loading (the page shows, and takes keys, before it runs).
  if (searchInput.value.trim()) runSearch();

  // --- Camera ---------------------------------------------------------------------------------
  const video = $("camera-video");
  const cameraBox = $("camera");
  const cameraToggle = $("camera-toggle");
  const canvas = document.createElement("canvas");
  let stream = null;

  function cameraStatus(message) {
    $("camera-status").textContent = message;
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    cameraBox.hidden = true;
    cameraToggle.setAttribute("aria-pressed", "false");
    input.focus();
  }

  async function sendFrame() {
    // Downscaled JPEG frames keep uploads small on a busy venue network.
    const scale = Math.min(1, 800 / (video.videoWidth || 800));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    if (!canvas.width || !canvas.height) return null;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
    if (!blob) return null;
    const query = new URLSearchParams({ checkpoint: checkpoint.value, nonce: nonce() });
    lastSource = "camera";
    return post(urls.frameUrl + "?" + query, blob, "image/jpeg");
  }

  async function detectInBrowser(detector) {
    // Phones' browsers have BarcodeDetector: only the token travels, not the picture.
    const codes = await detector.detect(video).catch(() => []);
    if (!codes.length) return null;
    return scan({ token: codes[0].rawValue, source: "camera" }).then(() => ({ status: "shown" }));
  }

  async function watch(detector) {
    while (stream) {
      const data = await (detector ? detectInBrowser(detector) : sendFrame());
      if (data && data.status !== "no_code") {
        if (data.status !== "shown") show(data);
        await sleep(2500); // the badge is still in front of the camera: do not read it again at once
      } else {
        await sleep(150);
      }
    }
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraStatus(text.noCamera);
      cameraBox.hidden = false;
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1280 } },
        audio: false,
      });
    } catch (error) {
      cameraStatus(text.noCamera);
      cameraBox.hidden = false;
      return;
    }
    video.srcObject = stream;
    cameraBox.hidden = false;
    cameraToggle.setAttribute("aria-pressed", "true");
    cameraStatus(text.cameraOn);
    await video.play();
    let detector = null;
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      } catch (error) {
        detector = null;
      }
    }
    watch(detector);
  }

  cameraToggle.addEventListener("click", () => (stream ? stopCamera() : startCamera()));

  // --- Offline desk: banner, queue, conflicts -------------------------------------------------
  function showOfflineState(state) {
    offlineState = state;
    const banner = $("offline-banner");
    banner.hidden = state.online && !state.queued && !state.setAside && !state.problem;
    $("offline-text").textContent = !state.online ? text.offlineBanner : state.syncing ? text.syncingBanner : "";
    $("queue-length").textContent = String(state.queued);
    $("setaside-length").textContent = String(state.setAside);
    $("setaside-line").hidden = !state.setAside;
    const problem = $("sync-problem");
    problem.hidden = !state.problem;
    problem.textContent = state.problem ? text[state.problem] : "";
    $("device-again").hidden = state.problem !== "revoked";
    $("roster-state").textContent = state.roster
      ? format(text.rosterAge, { count: state.people, time: clock(state.roster.updated_at) })
      : text.noRoster;
    $("sync-conflicts").hidden = !state.conflicts.length;
    $("conflict-list").replaceChildren(
      ...state.conflicts.map((conflict) => {
        const item = document.createElement("li");
        item.textContent =
          conflict.reason === "duplicate"
            ? format(text.conflictLine, { name: conflict.name, time: conflict.first })
            : format(text.refusedLine, { name: conflict.name, message: conflict.message });
        return item;
      })
    );
  }

  $("device-again").addEventListener("click", () => offline && offline.registerAgain());
  $("conflicts-clear").addEventListener("click", () => offline && offline.clearConflicts());

  async function startOffline() {
    if (!window.indexedDB || !window.crypto || !crypto.subtle) return; // not a secure context
    offline = new DeskOffline.OfflineDesk({
      slug: root.dataset.slug,
      eventId: Number(root.dataset.eventId),
      user: root.dataset.user,
      csrf: csrf,
      urls: { device: urls.deviceUrl, roster: urls.rosterUrl, apiScan: urls.apiScanUrl },
      onChange: showOfflineState,
    });
    await offline.start();
    if (!("serviceWorker" in navigator)) return;
    await navigator.serviceWorker.register(urls.workerUrl, { scope: "/" });
    const ready = await navigator.serviceWorker.ready;
    const assets = Array.from(document.querySelectorAll("script[src], link[rel=stylesheet]"), (el) => el.src || el.href);
    ready.active.postMessage({ type: "keep", urls: [location.pathname, ...assets] });
  }

  startOffline().catch(() => {
    // The desk still works online without IndexedDB or a service worker.
  });
  // Ready for scans: the scanner input takes the focus now (not through autofocus while this
  // script was still loading), unless staff are already typing elsewhere.
  if (!isField(document.activeElement)) input.focus();
})();
