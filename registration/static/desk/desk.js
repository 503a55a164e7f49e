// The check-in desk: keyboard-wedge scanner input, camera frames read by the server (Chromium
// on Linux has no BarcodeDetector), search with one-click check-in, annulment, sound cues.
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
  const storageKey = "desk.checkpoint." + root.dataset.slug;
  // Amber: the desk can act (override, send to the registration desk); red: refused.
  const WARNINGS = new Set(["already_checked_in", "session_not_chosen", "not_approved"]);
  let lastPerson = null;
  let lastSource = "scanner";

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function nonce() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // randomUUID needs a secure context; venues may serve plain http
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
        if (attempt >= 2) return { status: "error", reason: "network", message: text.network };
        showMessage("pending", text.retrying);
        await sleep(400 * (attempt + 1));
      }
    }
  }

  function scan(fields) {
    lastSource = fields.source;
    const body = Object.assign(
      { checkpoint: checkpoint.value, nonce: nonce(), scanned_at: new Date().toISOString() },
      fields
    );
    return post(urls.scanUrl, JSON.stringify(body), "application/json").then(show);
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
      // No sound available: the colours still tell.
    }
  }

  function showMessage(state, message) {
    result.className = "result result-" + state;
    $("result-message").textContent = message;
  }

  function showPerson(person, data) {
    $("result-person").hidden = !person;
    if (!person) return;
    $("result-name").textContent = person.name;
    $("result-entity").textContent = person.entity;
    const category = $("result-category");
    category.textContent = person.category;
    // Set through the CSSOM (allowed by the CSP), and only a #RRGGBB colour.
    category.style.borderColor = /^#[0-9a-fA-F]{6}$/.test(person.category_colour) ? person.category_colour : "";
    $("result-status").textContent = person.status_label;
    const photo = $("result-photo");
    photo.hidden = !person.photo_url;
    if (person.photo_url) photo.src = person.photo_url;
    else photo.removeAttribute("src");
    const earlier = data.first_checked_in_at || (data.status === "ok" ? null : person.checked_in_at);
    $("result-earlier").textContent = earlier ? text.earlier + " " + earlier.local : "";
    const titles = person.sessions.map((session) => session.title);
    $("result-sessions").textContent = titles.length ? text.sessions + " " + titles.join(" · ") : text.noSessions;
  }

  function show(data) {
    const state = data.status === "ok" ? "ok" : WARNINGS.has(data.reason) ? "warn" : "bad";
    showMessage(state, data.message);
    result.dataset.reason = data.reason || "ok";
    lastPerson = data.registration || null;
    showPerson(lastPerson, data);
    $("force-button").hidden = !(data.reason === "session_not_chosen" && lastPerson);
    const badge = $("badge-link");
    badge.hidden = !(lastPerson && lastPerson.badge_url);
    if (!badge.hidden) badge.href = lastPerson.badge_url;
    const annul = $("annul-form");
    const attendance = data.attendance;
    annul.hidden = !(attendance && !attendance.annulled && (data.status === "ok" || data.reason === "already_checked_in"));
    annul.dataset.url = annul.hidden ? "" : attendance.annul_url;
    beep(state);
    if (!isField(document.activeElement) || document.activeElement === input) input.focus();
  }

  $("force-button").addEventListener("click", () => {
    if (lastPerson) enqueue(() => scan({ registration_id: lastPerson.id, force: true, source: lastSource }));
  });

  $("annul-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const reason = $("annul-reason").value.trim();
    if (!reason) {
      showMessage("warn", text.reasonRequired);
      $("annul-reason").focus();
      return;
    }
    post(form.dataset.url, JSON.stringify({ reason: reason }), "application/json").then((data) => {
      $("annul-reason").value = "";
      form.hidden = data.status === "ok";
      showMessage(data.status === "ok" ? "annulled" : "bad", data.message);
      input.focus();
    });
  });

  // --- Search by name, organisation or reference ----------------------------------------------
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
      showMessage("bad", text.network);
    }
  }
  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });

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
  input.focus();
})();
