// Decisions pages: confirmation before actions that notify applicants or cannot be undone.
// Loaded as a file (strict CSP: no inline scripts); every page works without it.
(function () {
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  // Votes: show the running total next to each decision form so a miscount is seen before saving.
  document.querySelectorAll("form").forEach(function (form) {
    var inputs = form.querySelectorAll("input.votes");
    if (inputs.length !== 3) { return; }
    var output = document.createElement("span");
    output.className = "small text-muted ms-1";
    output.setAttribute("aria-live", "polite");
    inputs[2].parentNode.appendChild(output);
    function update() {
      var total = 0;
      inputs.forEach(function (i) { total += parseInt(i.value || "0", 10) || 0; });
      output.textContent = "Σ " + total;
    }
    inputs.forEach(function (i) { i.addEventListener("input", update); });
    update();
  });
})();
