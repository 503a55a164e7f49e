// Print on arrival: the single-badge PDF is fetched, shown in a hidden frame from a blob: URL
// and handed to the browser's print dialog. The desk records the print first, so that a
// reprint without a reason is refused before anything comes out of the printer.
(function (global) {
  "use strict";

  async function postJson(url, body, csrf) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    });
    try {
      return await response.json();
    } catch (error) {
      return { status: "error", reason: "http_" + response.status, message: String(response.status) };
    }
  }

  function loadFrame(frame, url) {
    return new Promise((resolve) => {
      // A PDF frame may never report "load" where the browser has no PDF viewer.
      const timer = setTimeout(resolve, 4000);
      frame.onload = () => {
        clearTimeout(timer);
        resolve();
      };
      frame.src = url;
    });
  }

  // person: {id, reference, badge_url, printed_url}; returns {status, message}.
  async function printBadge(person, reason, csrf) {
    const marked = await postJson(person.printed_url, { reason: reason || null }, csrf);
    if (marked.status !== "ok") return marked;
    const response = await fetch(person.badge_url, { credentials: "same-origin" });
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || !type.startsWith("application/pdf")) {
      return { status: "error", reason: "http_" + response.status, message: String(response.status) };
    }
    // A fresh frame for each badge: the previous one may still be in the print dialog.
    const old = document.getElementById("print-frame");
    const frame = old.cloneNode(false);
    frame.removeAttribute("src");
    frame.removeAttribute("data-printed-for");
    old.replaceWith(frame);
    if (old.src.startsWith("blob:")) URL.revokeObjectURL(old.src);
    await loadFrame(frame, URL.createObjectURL(await response.blob()));
    try {
      frame.contentWindow.focus();
      frame.contentWindow.print();
    } catch (error) {
      // Some viewers refuse a scripted print: the frame's own print still works.
    }
    frame.dataset.printedFor = person.reference;
    return marked;
  }

  global.DeskPrinting = { printBadge };
})(window);
