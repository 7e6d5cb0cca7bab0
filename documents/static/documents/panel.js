// Follows queued/running documents of a panel and updates their rows without a reload.
// No dependencies; every panel works without JavaScript (reload to see the new status).
(function () {
  if (window.__documentPanel) { return; }
  window.__documentPanel = true;

  function csrfToken(panel) {
    var input = panel.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function render(row, data, panel) {
    var labels = panel.querySelector("[data-role=labels]").dataset;
    row.dataset.status = data.status;
    var badge = row.querySelector("[data-role=status]");
    badge.textContent = data.status_label;
    badge.className = "badge document-status status-" + data.status;
    row.querySelector("[data-role=error]").textContent = data.error || "";
    var actions = row.querySelector("[data-role=actions]");
    actions.textContent = "";
    if (data.download_url) {
      var link = document.createElement("a");
      link.className = "btn btn-sm btn-primary";
      link.href = data.download_url;
      link.textContent = labels.download;
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
      button.type = "submit"; button.className = "btn btn-sm btn-outline-danger"; button.textContent = labels.retry;
      form.appendChild(token); form.appendChild(next); form.appendChild(button);
      actions.appendChild(form);
    }
  }

  function follow(row, panel) {
    var delay = 1000;
    function poll() {
      fetch(row.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (data) {
          render(row, data, panel);
          if (data.status === "queued" || data.status === "running") {
            delay = Math.min(delay * 1.5, 10000);
            window.setTimeout(poll, delay);
          }
        })
        .catch(function () {
          row.querySelector("[data-role=error]").textContent = panel.querySelector("[data-role=labels]").dataset.pollError;
          window.setTimeout(poll, 10000);
        });
    }
    window.setTimeout(poll, delay);
  }

  function start() {
    document.querySelectorAll("[data-document-panel]").forEach(function (panel) {
      panel.querySelectorAll("tr[data-document]").forEach(function (row) {
        if (row.dataset.status === "queued" || row.dataset.status === "running") { follow(row, panel); }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
