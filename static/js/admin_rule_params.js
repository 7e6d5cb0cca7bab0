/* Eligibility rules in the admin: show only the parameters of the rule kind chosen in each rule.
   Without JavaScript every kind's parameters stay visible (the form refuses values under another kind). */
(function () {
  "use strict";
  function sync(select) {
    var block = select.closest(".inline-related") || select.closest("form");
    if (!block) { return; }
    block.querySelectorAll("fieldset.rule-params").forEach(function (set) {
      set.hidden = !set.classList.contains("rule-params-" + select.value);
    });
  }
  function syncAll() { document.querySelectorAll("select.rule-kind").forEach(sync); }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select.rule-kind")) { sync(event.target); }
  });
  document.addEventListener("formset:added", syncAll);
  document.addEventListener("DOMContentLoaded", syncAll);
})();
