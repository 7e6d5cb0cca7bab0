// Applicant portal: character counters, an unsaved-work guard and a local backup of the draft.
// Every page works without JavaScript; this only helps.
(function () {
  "use strict";

  // Characters as people count them: one per Chinese character, letter, digit or mark;
  // a line break counts once; surrounding blanks do not count (same rule as the server).
  function countChars(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").trim()).length;
  }

  document.querySelectorAll("textarea.js-char-count").forEach(function (area) {
    var max = parseInt(area.getAttribute("data-max-chars"), 10);
    var counter = document.createElement("div");
    counter.className = "form-text char-counter";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    function update() {
      var n = countChars(area.value);
      counter.textContent = n + " / " + max;
      counter.classList.toggle("text-danger", n > max);
    }
    area.addEventListener("input", update);
    update();
  });

  document.querySelectorAll(".js-print").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("form.js-draft-form");
  if (!form) { return; }
  var key = "portal-draft:" + form.getAttribute("data-draft-key");
  var status = form.querySelector(".js-draft-status");
  var dirty = false;

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !el.disabled && el.type !== "hidden" && el.type !== "submit" && el.type !== "file";
    });
  }
  function collect() {
    var data = {};
    fields().forEach(function (el) { data[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    return data;
  }
  function store() {
    try { window.localStorage.setItem(key, JSON.stringify({ saved: Date.now(), data: collect() })); } catch (e) { /* storage full or disabled */ }
  }
  form.addEventListener("input", function () { dirty = true; store(); });
  form.addEventListener("change", function () { dirty = true; store(); });
  form.addEventListener("submit", function () {
    dirty = false;
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // A backup left from a closed tab or a crash: offer it, never overwrite silently.
  var backup = null;
  try { backup = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { backup = null; }
  if (backup && backup.data && status) {
    var current = collect();
    var differs = Object.keys(backup.data).some(function (name) { return name in current && current[name] !== backup.data[name]; });
    if (differs) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-warning js-restore";
      button.textContent = form.getAttribute("data-restore-label") || status.getAttribute("data-restore-label") || "Restore unsaved input";
      button.addEventListener("click", function () {
        fields().forEach(function (el) {
          if (!(el.name in backup.data)) { return; }
          if (el.type === "checkbox") { el.checked = !!backup.data[el.name]; } else { el.value = backup.data[el.name]; }
          el.dispatchEvent(new Event("input", { bubbles: true }));
        });
        button.remove();
      });
      status.appendChild(button);
    }
  }
})();
