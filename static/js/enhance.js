// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // A second click on "send" while the first is on its way is ignored (the server is idempotent anyway).
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[data-once]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });
  // Bring the error summary into view and focus so screen readers announce it first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
