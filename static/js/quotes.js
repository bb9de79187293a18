// Quote review without reloading the page: the decision is sent in the background, the quote's status is written
// out, the result is announced and the next quote gets the focus. Without this file the form posts and the server
// sends the analyst back to the same page, at the next quote.
(function () {
  "use strict";
  var announce = document.getElementById("quote-announce");
  document.querySelectorAll(".lw-quote-actions").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch || !window.FormData) { return; }  // the ordinary post still works
      event.preventDefault();
      var data = new FormData(form);
      data.append(button.name, button.value);
      var card = form.closest(".lw-quote");
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                           headers: { "Accept": "application/json" } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") !== 0) { throw new Error("not json"); }
          return response.json();
        })
        .then(function (answer) {
          if (announce) { announce.textContent = answer.message; }
          if (!answer.ok) { return; }
          card.className = "lw-quote lw-quote--" + answer.status;
          card.querySelector(".lw-quote-status").textContent = answer.status_text;
          var next = document.getElementById("quote-" + answer.next);
          if (next && next !== card) { next.focus(); next.scrollIntoView({ block: "start" }); }
          else if (!next) { window.location.assign(answer.url); }
        })
        .catch(function () {  // e.g. logged out: post the form as without JavaScript
          var decision = document.createElement("input");
          decision.type = "hidden";
          decision.name = button.name;
          decision.value = button.value;
          form.appendChild(decision);
          form.submit();
        });
    });
  });
})();
