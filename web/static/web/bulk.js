/* The case list's bulk bar: "select all on this page" and the number selected. Delegated on the
   document, so the list swapped in by the filters (htmx) works the same. */
(function () {
  "use strict";
  function boxes() {
    return document.querySelectorAll("input[name=ids][form=bulk-form]");
  }
  function showCount() {
    var count = document.getElementById("bulk-count");
    if (!count) return;
    var picked = Array.prototype.filter.call(boxes(), function (box) { return box.checked; }).length;
    count.textContent = picked ? count.dataset.picked.replace("{n}", picked) : count.dataset.none;
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[data-select-all]")) {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("input[data-select-all], input[name=ids][form=bulk-form]")) {
      var all = document.getElementById("bulk-all");
      if (all && target.checked) all.checked = false;
      showCount();
    }
    if (target.id === "bulk-all" && target.checked) {
      boxes().forEach(function (box) { box.checked = false; });
      document.querySelectorAll("input[data-select-all]").forEach(function (box) { box.checked = false; });
      showCount();
    }
  });
})();
