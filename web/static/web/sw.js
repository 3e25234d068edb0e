/* The service worker of the grid pages, served at /sw.js by web/offline.py, which puts CONFIG
   above this file (the shell to keep, the page and form paths, the texts, a version).

   - The shell (stylesheets, scripts, htmx) is kept at install and served from the phone.
   - Grid pages and the household visit form: network first, so an online page is fresh; the
     copy kept from the last visit opens when there is no signal.
   - A form post that gets no answer (no signal behind a signal icon) is kept in the outbox and
     the worker is sent back to the form page, which shows it waiting.
   - Background Sync sends the outbox when the signal returns, even with the page closed.
   - A sign-in or sign-out forgets the kept pages: the next user must not see them. */
/* global CONFIG, LianxinOutbox */
"use strict";

importScripts(CONFIG.precache.filter(function (u) { return /offline-queue\.js$/.test(u); })[0]);

var STATIC = "lianxin-static-" + CONFIG.version;
var PAGES = "lianxin-pages";
var PAGE_PATTERNS = CONFIG.pagePatterns.map(function (p) { return new RegExp(p); });
var FORM_PATTERNS = Object.keys(CONFIG.forms).map(function (p) { return [new RegExp(p), CONFIG.forms[p]]; });
var POST_WAIT_MS = 30000;

function keepable(res) {
  return res && res.status === 200 && res.type === "basic" && !res.redirected &&
    (res.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

self.addEventListener("install", function (event) {
  event.waitUntil((async function () {
    var shell = await caches.open(STATIC);
    await shell.addAll(CONFIG.precache);
    var pages = await caches.open(PAGES);
    await Promise.all(CONFIG.pages.map(async function (url) {
      try {
        var res = await fetch(url, { credentials: "same-origin" });
        if (keepable(res)) await pages.put(url, res);
      } catch (e) { /* kept the next time it is opened */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    var names = await caches.keys();
    await Promise.all(names.filter(function (n) { return n.indexOf("lianxin-static-") === 0 && n !== STATIC; })
      .map(function (n) { return caches.delete(n); }));
    await self.clients.claim();
  })());
});

function formKind(path) {
  for (var i = 0; i < FORM_PATTERNS.length; i++) if (FORM_PATTERNS[i][0].test(path)) return FORM_PATTERNS[i][1];
  return null;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST") {
    if (CONFIG.signOut.indexOf(url.pathname) >= 0) {
      event.waitUntil(caches.delete(PAGES));
      return;
    }
    var kind = formKind(url.pathname);
    if (kind && request.mode === "navigate") event.respondWith(postOrKeep(event, kind));
    return;
  }
  if (request.method !== "GET") return;
  if (CONFIG.precache.indexOf(url.pathname) >= 0) {
    event.respondWith(shellFirst(request));
  } else if (request.mode === "navigate" && PAGE_PATTERNS.some(function (p) { return p.test(url.pathname); })) {
    event.respondWith(networkFirst(event));
  }
});

async function shellFirst(request) {
  var kept = await caches.match(request, { cacheName: STATIC, ignoreSearch: true });
  return kept || fetch(request);
}

async function networkFirst(event) {
  var request = event.request;
  try {
    var res = await fetch(request);
    if (keepable(res)) {
      var copy = res.clone();
      event.waitUntil(caches.open(PAGES).then(function (c) { return c.put(request, copy); }));
    }
    return res;
  } catch (e) {
    var pages = await caches.open(PAGES);
    var kept = await pages.match(request, { ignoreVary: true }) ||
      await pages.match(request, { ignoreVary: true, ignoreSearch: true });
    return kept || notKept();
  }
}

function notKept() {
  var html = '<!doctype html><html lang="zh-hans"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>" + CONFIG.offlineTitle + "</title>" +
    '<link rel="stylesheet" href="' + CONFIG.precache[0] + '">' +
    '<main class="page"><h1>' + CONFIG.offlineTitle + "</h1><p>" + CONFIG.offlineText + "</p>" +
    '<p><a class="button" href="' + CONFIG.home + '">' + CONFIG.offlineLink + "</a></p></main></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/* A form post: sent as usual; when no answer comes (a network error, or nothing for half a
   minute) it is kept in the outbox for later. A late answer is harmless: the copy sent later
   carries the same token and the server answers it with what the first one made. */
async function postOrKeep(event, kind) {
  var request = event.request;
  var copy = request.clone();
  var sent = fetch(request);
  var timer;
  var late = new Promise(function (resolve) { timer = setTimeout(resolve, POST_WAIT_MS, "late"); });
  try {
    var res = await Promise.race([sent, late]);
    clearTimeout(timer);
    if (res !== "late") return res;
  } catch (e) {
    clearTimeout(timer);
  }
  var user = await LianxinOutbox.getMeta("user");
  if (!user) return sent; // no page told us whose outbox this is: nothing to keep it for
  var data = await copy.formData();
  var fields = LianxinOutbox.fieldsOf(data);
  var page = request.referrer && new URL(request.referrer).origin === self.location.origin
    ? request.referrer : request.url;
  await LianxinOutbox.put(LianxinOutbox.newItem({
    key: data.get("form_token"), user: user, kind: kind, action: new URL(request.url).pathname,
    page: new URL(page).pathname + new URL(page).search, fields: fields
  }));
  try { await self.registration.sync.register(LianxinOutbox.SYNC); } catch (e) { /* the pages retry */ }
  return Response.redirect(new URL(page).href.split("#")[0] + "#offline-saved", 303);
}

async function csrfToken() {
  if (!self.cookieStore) return null; // the pages send it then
  var cookie = await self.cookieStore.get(CONFIG.csrfCookie);
  return cookie ? cookie.value : null;
}

async function tellPages() {
  var pages = await self.clients.matchAll({ type: "window" });
  pages.forEach(function (p) { p.postMessage({ type: "lianxin-outbox" }); });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== LianxinOutbox.SYNC) return;
  event.waitUntil((async function () {
    var user = await LianxinOutbox.getMeta("user");
    if (!user) return;
    var changed = await LianxinOutbox.sendAll(user, csrfToken);
    if (changed) await tellPages();
    var left = (await LianxinOutbox.all()).filter(function (i) { return i.user === user && i.state === "waiting"; });
    if (left.length) throw new Error("the outbox is not empty yet"); // the browser tries again later
  })());
});
