/* The desk (登记诉求), keyboard first: the place combobox, the suggested lead unit, the
   Ctrl+Enter shortcut, linking a repeat call, and one submission per form. No eval (CSP). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-desk]");
  if (!form) return;

  // --- The place: type Chinese or pinyin initials, ↓/↑ to move, Enter to pick ----------------
  var input = document.getElementById("id_place");
  var hidden = document.getElementById("id_region");
  var list = document.getElementById("place-list");
  var help = document.getElementById("place-help");
  var results = [];
  var active = -1;
  var asked = 0;
  var timer = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function mark(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(items, message) {
    results = items;
    list.innerHTML = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "place-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.index = String(i);
      var name = document.createElement("span");
      name.className = "opt-name";
      name.textContent = item.name;
      var path = document.createElement("span");
      path.className = "opt-path";
      path.textContent = item.path + " · " + item.level;
      li.appendChild(name);
      li.appendChild(path);
      list.appendChild(li);
    });
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "opt-none";
      none.textContent = message || list.dataset.none;
      list.appendChild(none);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    mark(items.length ? 0 : -1);
    help.textContent = items.length ? list.dataset.count.replace("{n}", items.length) : "";
  }

  function search() {
    var q = input.value.trim();
    if (!q) { close(); return; }
    var mine = ++asked;
    fetch(input.dataset.searchUrl + "?q=" + encodeURIComponent(q), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (mine !== asked) return; // a later keystroke asked again
      if (!answer.ok) { show([], answer.body.error); return; }
      show(answer.body.results);
    }).catch(function () { if (mine === asked) show([], list.dataset.failed); });
  }

  function pick(index) {
    var item = results[index];
    if (!item) return;
    hidden.value = String(item.id);
    input.value = item.path;
    input.dataset.picked = item.path;
    help.textContent = list.dataset.picked.replace("{path}", item.path);
    close();
  }

  input.addEventListener("input", function () {
    if (input.value !== input.dataset.picked) hidden.value = "";
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  input.addEventListener("keydown", function (e) {
    var open = !list.hidden && results.length;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (list.hidden) { search(); return; }
      if (open) mark(Math.min(active + 1, results.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (open) mark(Math.max(active - 1, 0));
    } else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
      if (open) { e.preventDefault(); pick(active < 0 ? 0 : active); }
    } else if (e.key === "Escape") {
      if (!list.hidden) { e.preventDefault(); close(); }
    } else if (e.key === "Tab" && open && !hidden.value && results.length === 1) {
      pick(0); // one match: Tab takes it and moves on
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
  list.addEventListener("mousedown", function (e) {
    e.preventDefault(); // keep the focus in the input
    var li = e.target.closest("[role=option]");
    if (li) pick(Number(li.dataset.index));
  });
  if (hidden.value && input.value) input.dataset.picked = input.value;

  // --- The category's suggested lead unit ------------------------------------------------
  var units = JSON.parse(document.getElementById("category-units").textContent);
  var category = document.getElementById("id_category");
  var lead = document.getElementById("id_lead_unit");
  function suggest() {
    var unit = units[category.value];
    if (unit && lead) lead.value = unit;
  }
  if (category) {
    category.addEventListener("change", suggest);
    if (lead && !lead.value) suggest();
  }

  // --- A repeat call: link it to the caller's open case ---------------------------------------
  var repeat = form.querySelector("input[name=repeat_of]");
  var description = document.getElementById("id_description");
  function noteFor(number) { return form.dataset.repeatNote.replace("{number}", number); }
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-link-case]");
    if (button) toggleLink(button);
  });
  // Alt+L: link to (or unlink from) the latest open case, the focus staying where it is.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey || e.code !== "KeyL") return;
    var first = form.querySelector("[data-link-case]");
    if (!first) return;
    e.preventDefault();
    toggleLink(first);
  });
  function toggleLink(button) {
    var number = button.dataset.linkCase;
    var linked = repeat.value === number;
    form.querySelectorAll("[data-link-case]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    if (repeat.value) {
      description.value = description.value.replace(noteFor(repeat.value), "");
    }
    if (linked) {
      repeat.value = "";
    } else {
      repeat.value = number;
      button.setAttribute("aria-pressed", "true");
      description.value = noteFor(number) + description.value;
    }
  }
  // The panel is redrawn after each number: keep the linked case marked.
  document.body.addEventListener("htmx:afterSwap", function () {
    form.querySelectorAll("[data-link-case]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.linkCase === repeat.value ? "true" : "false");
    });
  });

  // --- Ctrl+Enter: 研判交办, or 直接答复 from the answer box -----------------------------------
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    var inAnswer = e.target && e.target.id === "id_answer";
    var button = form.querySelector(inAnswer ? "[data-outcome=answer]" : "[data-primary]");
    form.requestSubmit(button);
  });

  // --- One submission: a second press while the first is on its way does nothing ------------
  // (the server's one-time token is the real guard). The buttons stay enabled so the pressed
  // one's value is sent.
  form.addEventListener("submit", function (e) {
    if (form.dataset.sent) { e.preventDefault(); return; }
    form.dataset.sent = "1";
  });
  window.addEventListener("pageshow", function () { delete form.dataset.sent; });
})();
