// The document panel without reloads: "生成…" asks for the document (JSON), adds its row and follows
// it (queued → running → done / failed, with a progress figure for batches) through the status
// endpoint until it is finished. No dependencies, no inline script (CSP); without JavaScript every
// form still posts and the page shows the status after a reload.
(function () {
  if (window.__documentPanel) { return; }
  window.__documentPanel = true;

  function labels(panel) { return panel.querySelector("[data-role=labels]").dataset; }

  function csrfToken(panel) {
    var input = panel.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function cell(className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    return td;
  }

  // A row like the template's, for a document asked for on this page.
  function newRow(data) {
    var row = document.createElement("tr");
    row.setAttribute("data-document", "");
    row.dataset.documentId = data.id;
    row.dataset.statusUrl = data.status_url;
    var title = cell();
    var titleText = document.createElement("span");
    titleText.dataset.role = "title";
    title.appendChild(titleText);
    var created = cell("small text-muted");
    created.textContent = data.created_at_text || "";
    var status = cell();
    var badge = document.createElement("span");
    badge.dataset.role = "status";
    badge.setAttribute("role", "status");
    badge.setAttribute("aria-live", "polite");
    var progress = document.createElement("span");
    progress.className = "small text-body-secondary ms-1";
    progress.dataset.role = "progress";
    var error = document.createElement("div");
    error.className = "small text-danger";
    error.dataset.role = "error";
    status.appendChild(badge); status.appendChild(progress); status.appendChild(error);
    var actions = cell("text-end");
    actions.dataset.role = "actions";
    row.appendChild(title); row.appendChild(created); row.appendChild(status); row.appendChild(actions);
    return row;
  }

  function render(row, data, panel) {
    var text = labels(panel);
    row.dataset.status = data.status;
    var title = row.querySelector("[data-role=title]");
    if (title && data.title) { title.textContent = data.title; }
    var badge = row.querySelector("[data-role=status]");
    badge.textContent = data.status_label;
    badge.className = "badge document-status status-" + data.status;
    var progress = row.querySelector("[data-role=progress]");
    if (progress) {
      progress.textContent = data.progress && data.status !== "done" ? data.progress.done + " / " + data.progress.total : "";
    }
    row.querySelector("[data-role=error]").textContent = data.error || "";
    var actions = row.querySelector("[data-role=actions]");
    actions.textContent = "";
    if (data.download_url) {
      var link = document.createElement("a");
      link.className = "btn btn-sm btn-primary";
      link.href = data.download_url;
      link.textContent = text.download;
      actions.appendChild(link);
    } else if (data.retry_url) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = data.retry_url;
      var token = document.createElement("input");
      token.type = "hidden"; token.name = "csrfmiddlewaretoken"; token.value = csrfToken(panel);
      var next = document.createElement("input");
      next.type = "hidden"; next.name = "next"; next.value = window.location.pathname + window.location.search;
      var button = document.createElement("button");
      button.type = "submit"; button.className = "btn btn-sm btn-outline-danger"; button.textContent = text.retry;
      form.appendChild(token); form.appendChild(next); form.appendChild(button);
      actions.appendChild(form);
    }
  }

  function follow(row, panel) {
    if (row.dataset.following) { return; }
    row.dataset.following = "1";
    var delay = 700;
    function poll() {
      fetch(row.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (data) {
          render(row, data, panel);
          if (data.status === "queued" || data.status === "running") {
            delay = Math.min(delay * 1.3, 5000);
            window.setTimeout(poll, delay);
          } else {
            delete row.dataset.following;
          }
        })
        .catch(function () {
          row.querySelector("[data-role=error]").textContent = labels(panel).pollError;
          window.setTimeout(poll, 10000);
        });
    }
    window.setTimeout(poll, delay);
  }

  function showRow(panel, data) {
    var table = panel.querySelector("[data-role=documents]");
    var body = table.querySelector("tbody");
    var row = body.querySelector('tr[data-document-id="' + data.id + '"]');
    if (!row) {
      row = newRow(data);
      body.insertBefore(row, body.firstChild);
    }
    table.classList.remove("d-none");
    var empty = panel.querySelector("[data-role=empty]");
    if (empty) { empty.classList.add("d-none"); }
    render(row, data, panel);
    if (data.status === "queued" || data.status === "running") { follow(row, panel); }
  }

  function generate(event, form, panel) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var problem = panel.querySelector("[data-role=request-error]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(panel) }
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) {
          var refused = new Error(result.data.error || labels(panel).requestError);
          refused.fromServer = true;
          throw refused;
        }
        if (problem) { problem.classList.add("d-none"); }
        showRow(panel, result.data);
      })
      .catch(function (error) {
        if (problem) {
          problem.textContent = error && error.fromServer ? error.message : labels(panel).requestError;
          problem.classList.remove("d-none");
        }
      })
      .then(function () { if (button) { button.disabled = false; } });
  }

  function start() {
    document.querySelectorAll("[data-document-panel]").forEach(function (panel) {
      panel.querySelectorAll("form[data-role=generate]").forEach(function (form) {
        form.addEventListener("submit", function (event) { generate(event, form, panel); });
      });
      panel.querySelectorAll("[data-document]").forEach(function (row) {
        if (row.dataset.status === "queued" || row.dataset.status === "running") { follow(row, panel); }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
