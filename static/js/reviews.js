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

  // Scoresheet: a 5 % band fills the score (max × band %), and the total follows the inputs.
  function updateTotal() {
    var cell = document.querySelector(".js-total");
    if (!cell) { return; }
    var cents = 0;
    document.querySelectorAll(".js-score").forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { cents += Math.round(value * 100); }
    });
    cell.textContent = (cents / 100).toFixed(2);
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
})();
