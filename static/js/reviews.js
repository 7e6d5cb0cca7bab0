// Review screens: progressive enhancements only; every form works without JavaScript.
(function () {
  // Staff queue: select all rows; show the "sections" choice only for a supplement request.
  var all = document.querySelector(".js-select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll(".js-row").forEach(function (box) { box.checked = all.checked; });
    });
  }
  var action = document.getElementById("id_action");
  var sections = document.querySelector(".js-sections");
  function toggleSections() {
    if (action && sections) { sections.hidden = action.value !== "request_supplement"; }
  }
  if (action) { action.addEventListener("change", toggleSections); toggleSections(); }

  // Scoresheet: a 5 % band fills the score (max × band %); the total and each category's subtotal follow the
  // inputs (the server counts the same on save); submitting asks for confirmation first, because it is final.
  function cents(input) {
    var value = parseFloat(input.value);
    return isNaN(value) ? 0 : Math.round(value * 100);
  }
  function updateTotal() {
    var total = 0, groups = {}, unscored = 0;
    document.querySelectorAll(".js-score").forEach(function (input) {
      var key = input.dataset.group || "";
      groups[key] = (groups[key] || 0) + cents(input);
      total += cents(input);
      if (input.value === "") { unscored += 1; }
    });
    document.querySelectorAll(".js-total").forEach(function (cell) { cell.textContent = (total / 100).toFixed(2); });
    document.querySelectorAll(".js-subtotal").forEach(function (cell) {
      cell.textContent = ((groups[cell.dataset.group || ""] || 0) / 100).toFixed(2);
    });
    var note = document.querySelector(".js-unscored-note");
    if (note) {
      note.hidden = unscored === 0;
      note.querySelector(".js-unscored").textContent = String(unscored);
    }
  }
  document.querySelectorAll(".js-band").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.value === "") { return; }
      var input = document.getElementById(select.dataset.target);
      var max = parseFloat(input.dataset.max);
      input.value = (Math.round(max * parseInt(select.value, 10)) / 100).toFixed(2);
      updateTotal();
    });
  });
  document.querySelectorAll(".js-score").forEach(function (input) {
    input.addEventListener("input", updateTotal);
  });
  document.querySelectorAll(".js-confirm-submit").forEach(function (button) {
    var dialog = document.getElementById(button.dataset.confirm);
    if (!dialog || !window.bootstrap) { return; }  // without the dialog the button submits as before
    button.addEventListener("click", function (event) {
      event.preventDefault();
      updateTotal();
      window.bootstrap.Modal.getOrCreateInstance(dialog).show();
    });
  });
})();
