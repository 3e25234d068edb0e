/* The grid pages without signal (the page side; the outbox itself is offline-queue.js).

   - Registers the service worker (/sw.js), which keeps the pages on the phone.
   - Gives every form[data-offline] a fresh one-time token (a page opened from the phone's copy
     would otherwise repeat the token of the last one, and two reports would become one).
   - A submission made while the phone is offline is kept in the outbox (fields and photos) and
     the banner says so; it is sent when the signal returns (the online event, each page load,
     every half minute, Background Sync where the browser has it).
   - The banner lists what is waiting, what the server refused (需修改, with a link that opens the
     form filled in again) and what arrived (已上报 with the case number). */
(function () {
  "use strict";
  var Outbox = window.LianxinOutbox;
  var banner = document.querySelector("[data-offline-banner]");
  if (!banner || !Outbox || !window.indexedDB || !window.Promise) return;

  var user = banner.dataset.user;
  var cookieName = banner.dataset.csrfCookie || "csrftoken";
  var RETRY_MS = 30000;
  var NOT_FILLED = { csrfmiddlewaretoken: true, version: true }; // the page's own are current
  var text = {};
  banner.querySelector("template[data-offline-texts]").content.querySelectorAll("[data-text]")
    .forEach(function (el) { text[el.dataset.text] = el.textContent; });
  var statusLine = banner.querySelector("[data-offline-status]");
  var list = banner.querySelector("[data-offline-list]");
  var dismiss = banner.querySelector("[data-offline-dismiss]");
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-offline]"));

  /* --- The worker and the tokens --- */

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(banner.dataset.worker, { scope: "/" }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "lianxin-outbox") render();
    });
  }
  forms.forEach(freshToken);
  // Whose outbox this is, for the worker's Background Sync (it cannot see the session).
  Outbox.setMeta("user", user).catch(function () {});

  function freshToken(form) {
    var token = form.querySelector("input[name=form_token]");
    if (token) token.value = Outbox.uuid();
  }

  function csrfToken() {
    var read = function () {
      var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(cookieName + "=") === 0; })[0];
      return found ? decodeURIComponent(found.slice(cookieName.length + 1)) : null;
    };
    var token = read();
    if (token) return token;
    // No cookie (cleared while offline): any page sets it again.
    return fetch(banner.dataset.home, { credentials: "same-origin" }).then(read, function () { return null; });
  }

  /* --- Keeping a submission --- */

  forms.forEach(function (form) {
    form.addEventListener("submit", function (e) {
      // Online, the form posts as ever (the worker keeps it if no answer comes). A form reopened
      // from the outbox goes back through the outbox, so it stays one item with one token.
      if (navigator.onLine && !form.dataset.offlineItem) return;
      e.preventDefault();
      keep(form).catch(function () { enable(form); });
    });
  });

  function enable(form) {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
  }

  function keep(form) {
    var data = new FormData(form);
    var item = Outbox.newItem({
      key: data.get("form_token"),
      user: user,
      kind: form.dataset.offline,
      action: new URL(form.action, location.href).pathname,
      page: location.pathname + location.search,
      summary: form.dataset.offlineSummary,
      fields: Outbox.fieldsOf(data)
    });
    if (!item.summary) item.summary = Outbox.summaryOf(item.fields);
    var reopened = form.dataset.offlineItem;
    return Outbox.put(item).then(function () {
      askForSync();
      if (reopened && navigator.onLine) return sendNow().then(function () { return afterResend(form, item.id); });
      done(form);
      return render().then(function () { banner.scrollIntoView({ block: "start" }); });
    });
  }

  /* A visit is made once: its form gives way to a note while the visit is on the phone. */
  function setAside(form, message) {
    var note = form.previousElementSibling;
    if (!note || !note.classList.contains("offline-note")) {
      note = el("p", "offline-note");
      form.parentNode.insertBefore(note, form);
    }
    note.textContent = message || text.keptVisit;
    form.hidden = true;
  }

  function done(form) {
    delete form.dataset.offlineItem;
    clearErrors(form);
    if (form.dataset.offline === "visit") {
      setAside(form);
      return;
    }
    form.reset();
    freshToken(form);
    enable(form);
    var type = form.querySelector("[data-case-type]:checked");
    if (type) type.dispatchEvent(new Event("change", { bubbles: true }));
    form.querySelectorAll("[data-photo-name]").forEach(function (el) { el.textContent = text.noPhoto; });
  }

  function afterResend(form, id) {
    return Outbox.get(id).then(function (item) {
      if (item && item.state === "sent" && item.url) {
        location.assign(item.url);
        return;
      }
      if (item && item.state === "invalid") {
        showErrors(form, item);
        enable(form);
      } else {
        done(form);
      }
      return render();
    });
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.sync && reg.sync.register(Outbox.SYNC);
    }).catch(function () {});
  }

  /* --- Sending --- */

  var sending = null;
  function sendNow() {
    if (sending) return sending;
    sending = Outbox.sendAll(user, csrfToken).catch(function () { return 0; }).then(function (changed) {
      sending = null;
      return changed ? render() : null;
    });
    return sending;
  }

  function waitingCount(items) {
    return items.filter(function (i) { return i.state === "waiting"; }).length;
  }

  window.addEventListener("online", function () { render(); sendNow(); });
  window.addEventListener("offline", function () { render(); });
  setInterval(function () {
    if (!navigator.onLine || document.visibilityState !== "visible") return;
    Outbox.all().then(function (items) {
      if (waitingCount(mine(items))) sendNow();
    });
  }, RETRY_MS);

  /* --- The banner --- */

  function mine(items) {
    return items.filter(function (i) { return i.user === String(user); });
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function line(item) {
    var li = el("li", "offline-item state-" + item.state);
    li.appendChild(el("b", "", text["kind-" + item.kind] || item.kind));
    if (item.summary) li.appendChild(el("span", "summary", item.summary));
    var state;
    if (item.state === "sent") {
      state = el("span", "state", text.sent + (item.number ? " " + item.number : ""));
      li.appendChild(state);
      if (item.url) {
        var view = el("a", "", text.view);
        view.href = item.url;
        li.appendChild(view);
      }
    } else if (item.state === "invalid") {
      li.appendChild(el("span", "state", text.invalid));
      li.appendChild(el("span", "message", item.message || text.invalidGeneric));
      var reopen = el("a", "", text.reopen);
      reopen.href = item.page + "#offline=" + encodeURIComponent(item.id);
      li.appendChild(reopen);
      var drop = el("button", "link", text.remove);
      drop.type = "button";
      drop.addEventListener("click", function () {
        if (window.confirm(text.confirmRemove)) Outbox.remove(item.id).then(render);
      });
      li.appendChild(drop);
    } else {
      li.appendChild(el("span", "state", text.waiting));
      if (item.note === "login" || item.note === "server") li.appendChild(el("span", "message", text[item.note]));
    }
    return li;
  }

  function render() {
    return Outbox.all().then(function (items) {
      items = mine(items).sort(function (a, b) { return a.createdAt - b.createdAt; });
      var waiting = waitingCount(items);
      var sent = items.filter(function (i) { return i.state === "sent"; }).length;
      var toFix = items.length - waiting - sent;
      if (waiting) statusLine.textContent = text.saved.replace("%(n)s", String(waiting));
      else if (toFix) statusLine.textContent = text.toFix.replace("%(n)s", String(toFix));
      else if (!navigator.onLine) statusLine.textContent = text.offline;
      else if (sent) statusLine.textContent = text.allSent;
      else statusLine.textContent = "";
      // A page opened from the phone still offers the visit kept already: not twice.
      items.forEach(function (item) {
        if (item.kind !== "visit" || item.state === "invalid") return;
        forms.forEach(function (form) {
          if (form.dataset.offlineItem || new URL(form.action, location.href).pathname !== item.action) return;
          setAside(form, item.state === "sent" ? text.sent + " " + item.number : text.keptVisit);
        });
      });
      list.innerHTML = "";
      items.forEach(function (item) { list.appendChild(line(item)); });
      dismiss.hidden = !sent;
      banner.hidden = !items.length && navigator.onLine;
      banner.classList.toggle("is-offline", !navigator.onLine);
      banner.dataset.waiting = String(waiting);
    });
  }

  dismiss.addEventListener("click", function () {
    Outbox.all().then(function (items) {
      return Promise.all(mine(items).filter(function (i) { return i.state === "sent"; })
        .map(function (i) { return Outbox.remove(i.id); }));
    }).then(render);
  });

  /* --- Reopening a refused item, filled in --- */

  function fill(form, item) {
    var values = {};
    item.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    // Rows the page adds on demand (a dispute's parties): as many as were sent.
    form.querySelectorAll("input[name$='-TOTAL_FORMS']").forEach(function (total) {
      var wanted = parseInt((values[total.name] || ["0"])[0], 10);
      var add = total.closest("[data-intake-section]") && total.closest("[data-intake-section]").querySelector("[data-add-party]");
      for (var n = parseInt(total.value, 10); add && n < wanted; n++) add.click();
    });
    Array.prototype.forEach.call(form.elements, function (field) {
      var name = field.name;
      if (!name || NOT_FILLED[name] || !(name in values)) return;
      var given = values[name];
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = given.indexOf(field.value) >= 0;
        if (field.checked) field.dispatchEvent(new Event("change", { bubbles: true }));
      } else if (field.type === "file") {
        var files = new DataTransfer();
        given.forEach(function (v) {
          if (v && v.blob) files.items.add(new File([v.blob], v.name || "photo", { type: v.type }));
        });
        field.files = files.files;
        field.dispatchEvent(new Event("change", { bubbles: true }));
      } else if (field.tagName === "SELECT") {
        var value = String(given[0]);
        var known = Array.prototype.some.call(field.options, function (o) { return o.value === value; });
        if (!known && value) field.appendChild(new Option(text.chosen, value));
        field.value = value;
      } else if (typeof given[0] === "string") {
        field.value = given[0];
      }
    });
  }

  function clearErrors(form) {
    form.querySelectorAll(".offline-errors").forEach(function (n) { n.remove(); });
  }

  function showErrors(form, item) {
    clearErrors(form);
    var errors = item.errors || {};
    var top = el("div", "offline-errors card");
    top.appendChild(el("p", "", text.reopened));
    Object.keys(errors).forEach(function (name) {
      var field = name === "__all__" ? null : form.querySelector("[name='" + name.replace(/'/g, "") + "']");
      var box = field && (field.closest(".field") || field.closest(".photo-field"));
      var ul = el("ul", "errorlist offline-errors");
      errors[name].forEach(function (m) { ul.appendChild(el("li", "", m)); });
      if (box) box.appendChild(ul);
      else top.appendChild(ul);
    });
    if (!Object.keys(errors).length && item.message) top.appendChild(el("p", "error", item.message));
    form.insertBefore(top, form.firstChild);
  }

  function reopen() {
    var match = /^#offline=(.+)$/.exec(location.hash);
    if (!match) return Promise.resolve();
    var id = decodeURIComponent(match[1]);
    return Outbox.get(id).then(function (item) {
      if (!item || item.user !== String(user)) return;
      var form = forms.filter(function (f) { return new URL(f.action, location.href).pathname === item.action; })[0];
      if (!form) return;
      fill(form, item);
      var token = form.querySelector("input[name=form_token]");
      if (token) token.value = item.id; // the same submission: the server still makes it once
      form.dataset.offlineItem = item.id;
      var details = form.closest("details");
      if (details) details.open = true;
      showErrors(form, item);
      form.scrollIntoView({ block: "start" });
    });
  }

  // "重新打开" on the form's own page changes only the hash.
  window.addEventListener("hashchange", function () { reopen().then(render); });

  Outbox.purge().catch(function () {})
    .then(reopen)
    .then(render)
    .then(function () { if (navigator.onLine) return sendNow(); })
    .then(function () {
      if (location.hash === "#offline-saved") banner.scrollIntoView({ block: "start" });
    });
})();
