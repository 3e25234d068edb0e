/* Beside a text box: 插入 puts a knowledge article's text (its title cited) where the cursor
   was, and choosing a saved reply (常用回复) does the same with the reply rendered for the case.
   The box is named by the id in the nearest data-kb-target. Text only: nothing is parsed as
   HTML. Loaded once however many panels include it (the CSP forbids inline handlers). */
(function () {
  "use strict";
  if (window.lianxinKnowledge) return;
  window.lianxinKnowledge = true;

  function targetOf(element) {
    var box = element.closest("[data-kb-target]");
    return box ? document.getElementById(box.getAttribute("data-kb-target")) : null;
  }

  /* Where the user left the cursor; at the end of a box they have not touched yet. */
  function insert(box, text) {
    if (!box || !text) return;
    var value = box.value;
    var touched = box.getAttribute("data-kb-touched") === "1";
    var start = touched ? box.selectionStart : value.length;
    var end = touched ? box.selectionEnd : value.length;
    var before = value.slice(0, start), after = value.slice(end);
    if (before && !/\n$/.test(before)) text = "\n" + text;
    if (after && !/^\n/.test(after)) text = text + "\n";
    box.value = before + text + after;
    var caret = before.length + text.length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.setAttribute("data-kb-touched", "1");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  ["focusin", "keyup", "mouseup"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var box = event.target;
      if (box instanceof HTMLTextAreaElement) box.setAttribute("data-kb-touched", "1");
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) return;
    event.preventDefault();
    insert(targetOf(button), button.getAttribute("data-text"));
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-kb-replies]");
    if (!select || !select.value) return;
    var option = select.options[select.selectedIndex];
    insert(targetOf(select), option.getAttribute("data-text"));
    select.value = "";
  });
})();
