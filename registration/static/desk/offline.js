// The offline desk: the roster snapshot (SHA-256 hex of a badge token → name, entity, category,
// status, sessions, small photo; no contact details), the local judgement of scans while the
// network is cut, the queue of scans in IndexedDB, and its sync through the scan API with each
// scan's nonce, exactly once and in scan order. Shared by the desk page and its service worker.
(function (global) {
  "use strict";
  const PREFIX = "desk-";
  const PHOTO_CACHE = "desk-photos";
  //: A delta covers what changed; the whole roster is fetched again this often (deletions).
  const FULL_EVERY_MS = 15 * 60 * 1000;

  const wait = (request) =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const finished = (transaction) =>
    new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });

  function open(name) {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta"); // device, roster, user
      db.createObjectStore("people", { keyPath: "key" });
      db.createObjectStore("admitted"); // "<checkpoint> <key>" → scan time, on this desk
      db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("setaside", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("conflicts", { keyPath: "seq", autoIncrement: true });
    };
    return wait(request);
  }

  class Store {
    constructor(db) {
      this.db = db;
    }
    static async open(slug) {
      return new Store(await open(PREFIX + slug));
    }
    get(store, key) {
      return wait(this.db.transaction(store).objectStore(store).get(key));
    }
    all(store) {
      return wait(this.db.transaction(store).objectStore(store).getAll());
    }
    count(store) {
      return wait(this.db.transaction(store).objectStore(store).count());
    }
    first(store) {
      return wait(this.db.transaction(store).objectStore(store).openCursor()).then((c) => (c ? c.value : null));
    }
    // Writes in one transaction: change(stores) receives {name: objectStore}.
    write(names, change) {
      const transaction = this.db.transaction(names, "readwrite");
      const stores = Object.fromEntries(names.map((name) => [name, transaction.objectStore(name)]));
      change(stores);
      return finished(transaction);
    }
    // Sign-out: the roster and what it says about people go; unsent scans and the device token
    // that can send them stay, so that nothing scanned is lost.
    async forgetRoster() {
      const queued = (await this.count("queue")) + (await this.count("setaside"));
      await this.write(["meta", "people", "admitted"], (s) => {
        s.people.clear();
        s.admitted.clear();
        s.meta.delete("roster");
        s.meta.delete("user");
        if (!queued) s.meta.delete("device");
      });
    }
  }

  async function wipeAll() {
    await caches.delete(PHOTO_CACHE);
    const databases = indexedDB.databases ? await indexedDB.databases() : [];
    for (const info of databases) {
      if (!info.name || !info.name.startsWith(PREFIX)) continue;
      const store = new Store(await open(info.name));
      await store.forgetRoster();
      store.db.close();
    }
  }

  async function sha256hex(text) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const isText = (value, max) => typeof value === "string" && value.length > 0 && value.length <= max;
  // A queue entry the scan API can take; anything else is set aside, never dropped.
  function wellFormed(entry) {
    return (
      entry &&
      isText(entry.nonce, 100) &&
      isText(entry.token, 256) &&
      isText(entry.checkpoint, 64) &&
      isText(entry.scanned_at, 40) &&
      !Number.isNaN(Date.parse(entry.scanned_at)) &&
      typeof entry.force === "boolean" &&
      typeof entry.admitted_offline === "boolean"
    );
  }

  class OfflineDesk {
    // options: slug, eventId, user, urls {device, roster, apiScan}, csrf, onChange(state)
    constructor(options) {
      Object.assign(this, options);
      this.problem = null;
      this.syncing = false;
    }

    async start() {
      this.store = await Store.open(this.slug);
      const roster = await this.store.get("meta", "roster");
      if (roster && (!roster.event || roster.event.slug !== this.slug || roster.event.id !== this.eventId)) {
        // Never judge this meeting's badges with another meeting's people.
        await this.store.forgetRoster();
        this.problem = "otherMeeting";
      }
      const user = await this.store.get("meta", "user");
      if (navigator.onLine && user !== undefined && user !== this.user) await this.store.forgetRoster();
      global.addEventListener("online", () => this.refresh());
      global.addEventListener("offline", () => this.changed());
      setInterval(() => this.refresh(), 20000);
      await this.changed();
      if (navigator.onLine) await this.refresh();
    }

    async refresh() {
      if (!navigator.onLine) return this.changed();
      try {
        await this.pullRoster();
      } catch (error) {
        // No roster now: the next round tries again; scans are still queued safely.
      }
      await this.sync();
    }

    async device() {
      const known = await this.store.get("meta", "device");
      if (known) return known;
      const response = await fetch(this.urls.device, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": this.csrf, Accept: "application/json" },
      });
      if (!response.ok) throw new Error("device " + response.status);
      const data = await response.json();
      const device = { token: data.token, id: data.device_id, event: data.event };
      await this.store.write(["meta"], (s) => s.meta.put(device, "device"));
      return device;
    }

    async registerAgain() {
      await this.store.write(["meta"], (s) => s.meta.delete("device"));
      this.problem = null;
      await this.refresh();
    }

    async api(url, options) {
      const device = await this.device();
      const headers = Object.assign({ Authorization: "Bearer " + device.token, Accept: "application/json" }, options.headers);
      return fetch(url, Object.assign({}, options, { headers: headers, credentials: "omit" }));
    }

    async pullRoster() {
      const known = await this.store.get("meta", "roster");
      const full = !known || Date.now() - known.full_at > FULL_EVERY_MS;
      const url = this.urls.roster + (full ? "" : "?since=" + encodeURIComponent(known.cursor));
      const response = await this.api(url, { method: "GET" });
      if (response.status === 401) {
        this.problem = "revoked";
        return this.changed();
      }
      if (!response.ok) throw new Error("roster " + response.status);
      const data = await response.json();
      if (!data.event || data.event.slug !== this.slug || data.event.id !== this.eventId) {
        this.problem = "otherMeeting";
        return this.changed();
      }
      const now = Date.now();
      await this.store.write(["meta", "people"], (s) => {
        if (data.full) s.people.clear();
        for (const person of data.people) s.people.put(person);
        s.meta.put(
          { event: data.event, cursor: data.cursor, total: data.total, updated_at: now, full_at: data.full ? now : known.full_at },
          "roster"
        );
        s.meta.put(this.user, "user");
      });
      if (this.problem === "otherMeeting") this.problem = null;
      if (!data.full && (await this.store.count("people")) !== data.total) {
        // Someone was deleted: only the whole roster tells who.
        await this.store.write(["meta"], (s) => s.meta.put(Object.assign({}, known, { full_at: 0 }), "roster"));
      }
      this.warmPhotos(data.people);
      return this.changed();
    }

    // Small photos go to a cache the service worker answers from while offline.
    async warmPhotos(people) {
      if (!global.caches) return;
      const cache = await caches.open(PHOTO_CACHE);
      for (const person of people) {
        if (!person.photo_url || (await cache.match(person.photo_url))) continue;
        try {
          await cache.add(person.photo_url);
        } catch (error) {
          return; // offline again: later
        }
      }
    }

    // The verdict of the roster on a badge; "unchecked" without a roster.
    async judge(token, checkpoint, force) {
      const roster = await this.store.get("meta", "roster");
      if (!roster) return { result: "unchecked" };
      const key = await sha256hex(token);
      const person = await this.store.get("people", key);
      if (!person) return { result: "unknown_token" };
      if (person.status === "withdrawn" || person.status === "rejected") return { result: person.status, person };
      if (person.status !== "approved") return { result: "not_approved", person };
      const admittedKey = checkpoint + " " + key;
      const earlier = await this.store.get("admitted", admittedKey);
      if (earlier || (checkpoint === "venue" && person.checked_in)) {
        return { result: "already_checked_in", person, earlier: earlier || null };
      }
      if (checkpoint !== "venue" && !person.sessions.includes(checkpoint) && !force) {
        return { result: "session_not_chosen", person };
      }
      return { result: "ok", person, admittedKey };
    }

    // Judge a scan locally and keep it for the server (except a question the desk must answer).
    async scan(fields) {
      const verdict = await this.judge(fields.token, fields.checkpoint, fields.force);
      if (verdict.result === "session_not_chosen") return verdict;
      const entry = {
        nonce: fields.nonce,
        token: fields.token,
        checkpoint: fields.checkpoint,
        scanned_at: fields.scanned_at,
        force: !!fields.force,
        admitted_offline: verdict.result === "ok",
        name: verdict.person ? verdict.person.name : "",
      };
      await this.store.write(["queue", "admitted"], (s) => {
        s.queue.add(entry);
        if (verdict.admittedKey) s.admitted.put(fields.scanned_at, verdict.admittedKey);
      });
      await this.changed();
      if (navigator.onLine) this.sync();
      return verdict;
    }

    async setAside(entry, message) {
      await this.store.write(["queue", "setaside"], (s) => {
        s.queue.delete(entry.seq);
        s.setaside.add({ entry: entry, message: message || "" });
      });
    }

    async finish(entry, answer) {
      await this.store.write(["queue", "conflicts"], (s) => {
        s.queue.delete(entry.seq);
        if (entry.admitted_offline && answer.status !== "ok") {
          s.conflicts.add({
            name: answer.registration ? answer.registration.name : entry.name,
            reason: answer.reason,
            message: answer.message,
            first: answer.first_checked_in_at ? answer.first_checked_in_at.local : "",
            scanned_at: entry.scanned_at,
          });
        }
      });
    }

    // Send the queue oldest first; stop at the first scan without an answer, so that the
    // order holds and a retry (same nonce) is recorded once.
    async sync() {
      if (this.syncing || !navigator.onLine) return;
      this.syncing = true;
      await this.changed();
      try {
        for (;;) {
          const entry = await this.store.first("queue");
          if (!entry) break;
          if (!wellFormed(entry)) {
            await this.setAside(entry, "");
            continue;
          }
          const body = {
            token: entry.token,
            checkpoint: entry.checkpoint,
            nonce: entry.nonce,
            scanned_at: entry.scanned_at,
            force: entry.force,
            admitted_offline: entry.admitted_offline,
          };
          let response;
          try {
            response = await this.api(this.urls.apiScan, {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify(body),
            });
          } catch (error) {
            break; // the network again: the same entry, with its nonce, is sent next time
          }
          if (response.status === 401) {
            this.problem = "revoked";
            break;
          }
          let answer = null;
          try {
            answer = await response.json();
          } catch (error) {
            answer = null;
          }
          if (!answer || response.status >= 500 || response.status === 429) break;
          if (response.status === 400) await this.setAside(entry, answer.message);
          else await this.finish(entry, answer);
          if (this.problem === "revoked") this.problem = null;
        }
      } catch (error) {
        // No device token (offline page, expired sign-in): the queue waits.
      } finally {
        this.syncing = false;
        await this.changed();
      }
    }

    async clearConflicts() {
      await this.store.write(["conflicts"], (s) => s.conflicts.clear());
      await this.changed();
    }

    async state() {
      return {
        online: navigator.onLine,
        syncing: this.syncing,
        problem: this.problem,
        queued: await this.store.count("queue"),
        setAside: await this.store.count("setaside"),
        conflicts: await this.store.all("conflicts"),
        roster: (await this.store.get("meta", "roster")) || null,
        people: await this.store.count("people"),
      };
    }

    // States are read asynchronously: only the newest read is shown, never an older one late.
    async changed() {
      const round = (this.round = (this.round || 0) + 1);
      const state = await this.state();
      if (this.onChange && round === this.round) this.onChange(state);
    }
  }

  global.DeskOffline = { OfflineDesk, Store, wipeAll, sha256hex, wellFormed };
})(self);
