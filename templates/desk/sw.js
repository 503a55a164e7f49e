// The desk's service worker: keeps the desk page and its scripts for a network cut (network
// first, the last good copy otherwise), answers photos from the roster's cache, and forgets the
// roster when staff sign out (unsent scans stay until they are sent).
importScripts({{ url_for('static', filename='desk/offline.js')|tojson }});

const SHELL = "desk-shell-v1";
const PHOTOS = "desk-photos";
const SIGN_OUT = {{ sign_out_url|tojson }};
const DESK_PAGE = /^\/desk\/e\/[^/]+\/?$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// The page lists what it needs (itself, its scripts and styles) once the worker controls it.
self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "keep" || !Array.isArray(event.data.urls)) return;
  event.waitUntil(
    caches.open(SHELL).then((cache) =>
      Promise.all(
        event.data.urls.map((url) =>
          fetch(url, { credentials: "same-origin" })
            .then((response) => (response.ok && !response.redirected ? cache.put(url, response) : null))
            .catch(() => null)
        )
      )
    )
  );
});

async function networkFirst(request) {
  const cache = await caches.open(SHELL);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request.url, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(PHOTOS);
  const kept = await cache.match(request.url);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request.url, response.clone());
  return response;
}

async function signOut() {
  await caches.delete(SHELL);
  await self.DeskOffline.wipeAll();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === SIGN_OUT) {
    event.waitUntil(signOut());
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("/desk/photos/")) {
    event.respondWith(cacheFirst(request));
  } else if ((request.mode === "navigate" && DESK_PAGE.test(url.pathname)) || url.pathname.startsWith("/static/")) {
    event.respondWith(networkFirst(request));
  }
});
