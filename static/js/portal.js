// Small progressive enhancements; every page works without JavaScript.
document.querySelectorAll(".js-autosubmit").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
