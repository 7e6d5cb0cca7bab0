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
  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "file") { return; }
    dirty = true; store();
  });

  // Autosave: every data-autosave-seconds and when a changed field loses focus, the form is posted
  // in the background with autosave=1. The server applies the same optimistic lock as 保存草稿:
  // a stale version gets the conflict message back and autosaving stops instead of overwriting.
  var versionInput = form.querySelector("input[name=version]");
  var seconds = parseInt(form.getAttribute("data-autosave-seconds"), 10);
  var pending = null;
  var stopped = false;
  var deferred = null;
  var lastSaved = JSON.stringify(collect());  // what the server has: autosave only when the form differs

  function say(text, kind) {
    if (!status) { return; }
    var note = status.querySelector(".js-autosave-note");
    if (!note) {
      note = document.createElement("span");
      note.className = "js-autosave-note me-2";
      status.insertBefore(note, status.firstChild);
    }
    note.textContent = text;
    note.classList.toggle("text-danger", kind === "error");
    note.classList.toggle("text-success", kind === "ok");
  }

  function showConflict(message) {
    var box = document.getElementById("autosave-conflict");
    if (!box) {
      box = document.createElement("div");
      box.id = "autosave-conflict";
      box.className = "alert alert-danger";
      box.setAttribute("role", "alert");
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = message;
  }

  function autosave() {
    var sending = JSON.stringify(collect());
    if (sending === lastSaved || pending || stopped || !window.fetch || !window.FormData) { return pending; }
    var data = new FormData(form);
    ["file", "purpose", "delete_attachment", "upload", "save", "check"].forEach(function (name) { data.delete(name); });
    data.append("autosave", "1");
    if (status && status.getAttribute("data-saving-label")) { say(status.getAttribute("data-saving-label")); }
    pending = window.fetch(form.getAttribute("action") || window.location.href, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      var body = result.body || {};
      if (result.status === 200 && body.ok) {
        if (versionInput) { versionInput.value = body.version; versionInput.setAttribute("value", body.version); }
        lastSaved = sending;
        if (JSON.stringify(collect()) === sending) {
          dirty = false;
          try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
        }
        say(body.message, "ok");
      } else {
        if (result.status === 400) { lastSaved = sending; }  // refused as typed: wait for the next change
        if (body.conflict || result.status === 409) { stopped = true; showConflict(body.message || ""); }
        say(body.message || status.getAttribute("data-failed-label") || "", "error");
      }
    }).catch(function () {  // lastSaved unchanged: tried again at the next occasion
      say(status ? status.getAttribute("data-failed-label") || "" : "", "error");
    }).then(function () {
      pending = null;
      if (deferred) { var submitter = deferred; deferred = null; submit(submitter); }
    });
    return pending;
  }

  function submit(submitter) {
    if (form.requestSubmit) { form.requestSubmit(submitter && submitter.form === form ? submitter : undefined); }
    else { form.submit(); }
  }

  if (form.hasAttribute("data-autosave-seconds")) {
    if (seconds > 0) { window.setInterval(autosave, seconds * 1000); }
    // At once, not later: a click on a button blurs the field first, and its submit must wait for this save.
    form.addEventListener("focusout", function () { autosave(); });
  }

  // Client-side limits: say at once that a file is too large, before it is sent.
  document.querySelectorAll("input.js-upload-file").forEach(function (input) {
    var error = document.querySelector(".js-upload-error");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var message = "";
      if (file && file.size > parseInt(input.getAttribute("data-max-file-size"), 10)) { message = input.getAttribute("data-too-large"); }
      else if (file && file.size > parseInt(input.getAttribute("data-remaining"), 10)) { message = input.getAttribute("data-over-total"); }
      if (error) { error.textContent = message; }
      if (message) { input.value = ""; }
    });
  });

  form.addEventListener("submit", function (event) {
    if (pending) {  // an autosave is on its way: submit once it is back, with the version it got
      event.preventDefault();
      deferred = event.submitter || true;
      return;
    }
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
