/* The outbox of the grid pages: what a grid worker submitted without signal, kept on the phone
   (IndexedDB: the form's fields, its photos as Blobs) and sent when the signal returns, each
   exactly once: the server knows the form's one-time token (form_token) and answers a copy it
   already has with the case the first one made.

   Loaded by the pages (offline.js draws the banner and keeps the forms) and by the service
   worker (sw.js: a submission whose network fails, Background Sync). No DOM here. */
(function (scope) {
  "use strict";

  var DB_NAME = "lianxin-offline";
  var OUTBOX = "outbox";
  var META = "meta";
  var SYNC = "lianxin-outbox";
  // The page's own CSRF field is stale by the time the signal returns (a new sign-in rotates the
  // secret); the token of the cookie at send time goes in the header instead.
  var NOT_KEPT = { csrfmiddlewaretoken: true };
  var SENT_KEPT_MS = 24 * 3600 * 1000;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: "id" });
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: "key" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  /* One request in its own transaction: resolves with its result once the transaction commits. */
  function one(store, mode, call) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var req = call(tx.objectStore(store));
        var value;
        req.onsuccess = function () { value = req.result; };
        tx.oncomplete = function () { db.close(); resolve(value); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error || req.error); };
      });
    });
  }

  function all() { return one(OUTBOX, "readonly", function (s) { return s.getAll(); }); }
  function get(id) { return one(OUTBOX, "readonly", function (s) { return s.get(id); }); }
  function put(item) { return one(OUTBOX, "readwrite", function (s) { return s.put(item); }); }
  function remove(id) { return one(OUTBOX, "readwrite", function (s) { return s.delete(id); }); }
  function setMeta(key, value) {
    return one(META, "readwrite", function (s) { return s.put({ key: key, value: value }); });
  }
  function getMeta(key) {
    return one(META, "readonly", function (s) { return s.get(key); }).then(function (row) {
      return row ? row.value : null;
    });
  }

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    var b = scope.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* The form's fields as [name, value] pairs; a chosen file becomes {blob, name, type}. */
  function fieldsOf(formData) {
    var fields = [];
    formData.forEach(function (value, name) {
      if (NOT_KEPT[name]) return;
      if (typeof value === "string") fields.push([name, value]);
      else if (value && value.size) {
        fields.push([name, { blob: value.slice(0, value.size, value.type), name: value.name, type: value.type }]);
      }
      // An empty file input (no photo chosen) is sent as nothing, as the browser would.
    });
    return fields;
  }

  function bodyOf(item) {
    var body = new FormData();
    item.fields.forEach(function (pair) {
      var value = pair[1];
      if (value && typeof value === "object" && value.blob) body.append(pair[0], value.blob, value.name || "photo");
      else body.append(pair[0], value);
    });
    return body;
  }

  function valueOf(fields, name) {
    for (var i = 0; i < fields.length; i++) if (fields[i][0] === name) return fields[i][1];
    return "";
  }

  /* A line to recognise the submission by: its title or the first words of its text. */
  function summaryOf(fields) {
    var text = "";
    ["title", "description", "findings", "note"].some(function (name) {
      var value = valueOf(fields, name);
      text = typeof value === "string" ? value.trim().split("\n")[0] : "";
      return text;
    });
    return text.length > 24 ? text.slice(0, 24) + "…" : text;
  }

  function newItem(o) {
    return {
      id: o.key || uuid(),
      user: String(o.user),
      kind: o.kind,
      action: o.action,
      page: o.page,
      summary: o.summary || summaryOf(o.fields),
      fields: o.fields,
      createdAt: Date.now(),
      state: "waiting", // waiting → sent | invalid (需修改)
      note: "", // why a waiting item is still waiting: network, login, server
      message: "",
      errors: {},
      number: "",
      url: "",
      tries: 0
    };
  }

  /* Send one item; what became of it: {state, note?, message?, errors?, number?, url?}. */
  function sendOne(item, token) {
    var headers = { "X-CSRFToken": token, "X-Offline-Replay": "1", "Accept": "application/json" };
    return fetch(item.action, {
      method: "POST", body: bodyOf(item), credentials: "same-origin", redirect: "manual", headers: headers
    }).then(function (res) {
      // A redirect is the sign-in page: the session ended while offline. Kept until signed in.
      if (res.type === "opaqueredirect") return { state: "waiting", note: "login" };
      var json = (res.headers.get("Content-Type") || "").indexOf("application/json") >= 0;
      return (json ? res.json().catch(function () { return null; }) : Promise.resolve(null)).then(function (data) {
        if (res.ok && data && data.ok) {
          return { state: "sent", number: data.number || "", url: data.url || "", message: data.message || "" };
        }
        if (data && res.status >= 400 && res.status < 500) {
          return { state: "invalid", message: data.message || "", errors: data.errors || {} };
        }
        // Django's own 403 page is a refused CSRF token: a new sign-in gives a new cookie.
        if (res.status === 403) return { state: "waiting", note: "login" };
        if (res.status >= 400 && res.status < 500) return { state: "invalid", message: "", errors: {}, note: "http" + res.status };
        return { state: "waiting", note: "server" };
      });
    }, function () {
      return { state: "waiting", note: "network" };
    });
  }

  /* Send the user's waiting items, one at a time, in the order they were kept. getToken() gives
     the CSRF token (the cookie's, read now). Resolves with the number of items that changed. */
  function sendAll(user, getToken) {
    function run() {
      var changed = 0;
      return all().then(function (items) {
        items = items.filter(function (i) { return i.user === String(user) && i.state === "waiting"; });
        items.sort(function (a, b) { return a.createdAt - b.createdAt; });
        var chain = Promise.resolve(true);
        items.forEach(function (item) {
          chain = chain.then(function (goOn) {
            if (!goOn) return false;
            return Promise.resolve(getToken()).then(function (token) {
              if (!token) return false;
              return sendOne(item, token).then(function (result) {
                return get(item.id).then(function (current) {
                  if (!current || current.state !== "waiting") return true; // deleted or reopened meanwhile
                  current.tries += 1;
                  current.lastTry = Date.now();
                  current.note = result.note || "";
                  if (result.state === "sent") {
                    current.state = "sent";
                    current.number = result.number;
                    current.url = result.url;
                    current.message = result.message;
                    current.fields = []; // the photos are on the server now: freed from the phone
                    current.sentAt = Date.now();
                  } else if (result.state === "invalid") {
                    current.state = "invalid";
                    current.message = result.message;
                    current.errors = result.errors;
                  }
                  changed += 1;
                  return put(current).then(function () {
                    // No signal or no session: the others would fare no better now.
                    return !(result.note === "network" || result.note === "login");
                  });
                });
              });
            });
          });
        });
        return chain;
      }).then(function () { return changed; });
    }
    var locks = scope.navigator && scope.navigator.locks;
    if (locks) {
      // One sender at a time across the tabs and the worker; a busy outbox is left to its sender.
      return locks.request(SYNC, { ifAvailable: true }, function (lock) { return lock ? run() : 0; });
    }
    return run();
  }

  /* Forget the sent items shown long enough. */
  function purge() {
    return all().then(function (items) {
      var old = Date.now() - SENT_KEPT_MS;
      return Promise.all(items.filter(function (i) { return i.state === "sent" && i.sentAt < old; })
        .map(function (i) { return remove(i.id); }));
    });
  }

  scope.LianxinOutbox = {
    SYNC: SYNC,
    all: all, get: get, put: put, remove: remove, setMeta: setMeta, getMeta: getMeta,
    uuid: uuid, fieldsOf: fieldsOf, summaryOf: summaryOf, newItem: newItem,
    sendOne: sendOne, sendAll: sendAll, purge: purge
  };
})(self);
