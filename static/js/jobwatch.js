// A page that waits for a job updates itself while the reader lets it (templates/macros/jobs.html): every few
// seconds it asks the server again and puts the new status and progress in place, without moving the reader's focus;
// when the job is done it opens the result. The reader can switch this off, and the choice is remembered.
(function () {
  "use strict";
  var watch = document.querySelector("[data-job-watch]");
  if (!watch || !window.fetch || !window.DOMParser) { return; }
  var SECONDS = 3;
  var KEY = "leefwereld-job-watch";
  var toggle = watch.querySelector("#job-watch-auto");
  var timer = null;

  function remembered() {
    try { return window.localStorage.getItem(KEY) !== "off"; } catch (error) { return true; }
  }

  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (error) { /* private mode: not kept */ }
  }

  function textOf(region) {
    // The progress bar changes on every look; only a change in words is worth announcing.
    var copy = region.cloneNode(true);
    copy.querySelectorAll("progress").forEach(function (bar) { bar.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function update(fresh) {
    var current = document.querySelector("[data-job-status]");
    var next = fresh.querySelector("[data-job-status]");
    if (!current || !next) { return; }
    if (textOf(current) !== textOf(next)) {
      current.innerHTML = next.innerHTML;
      return;
    }
    var bar = current.querySelector("progress");
    var nextBar = next.querySelector("progress");
    if (bar && nextBar) { bar.value = nextBar.value; }
  }

  function look() {
    timer = null;
    fetch(watch.dataset.jobWatch, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok) { throw new Error(String(response.status)); }
        if (type.indexOf("text/html") !== 0) { return null; }
        return response.text();
      })
      .then(function (html) {
        var fresh = html === null ? null : new DOMParser().parseFromString(html, "text/html");
        if (fresh === null || !fresh.querySelector("[data-job-watch]")) {
          window.location.assign(watch.dataset.jobDone);  // done (or failed): show the outcome
          return;
        }
        update(fresh);
        plan();
      })
      .catch(function () { plan(); });  // the connection dropped or the server is busy: try again later
  }

  function plan() {
    if (toggle.checked && timer === null) { timer = window.setTimeout(look, SECONDS * 1000); }
  }

  toggle.checked = remembered();
  toggle.closest("[hidden]").hidden = false;
  toggle.addEventListener("change", function () {
    remember(toggle.checked);
    if (toggle.checked) { plan(); } else if (timer !== null) { window.clearTimeout(timer); timer = null; }
  });
  plan();
})();
