// Immersion roster: tick and untick cells without reloading the page.
// Without this script every cell is a plain form that posts and comes back to the row.
(function () {
  "use strict";

  var status = document.getElementById("roster-status");

  function announce(text) {
    if (!status) return;
    status.textContent = "";
    // a fresh text node after a tick makes screen readers read it even if it repeats
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function show(form, data) {
    var cell = form.closest(".roster-cell");
    var button = form.querySelector("button");
    var ticked = Boolean(data.checked);
    var was = cell.classList.contains("is-ticked");
    form.querySelector("input[name=checked]").value = ticked ? "0" : "1";
    button.querySelector(".tick-state").textContent = ticked ? "✓ Ticked" : "Not yet";
    button.querySelector(".tick-context").textContent =
      button.dataset.item + ", " + button.dataset.learner +
      ". Press to " + (ticked ? "untick" : "tick") + ":";
    cell.classList.toggle("is-ticked", ticked);
    var by = cell.querySelector(".tick-by");
    if (by) by.textContent = ticked && data.by ? "by " + data.by + ", " + data.when : "";
    // "N of M done" counts the whole day, even when only one session's cells are shown
    var row = form.closest(".roster-row");
    var count = row && row.querySelector(".roster-done");
    var figures = count && count.textContent.match(/^(\d+) of (\d+) done$/);
    if (figures && was !== ticked) {
      var done = parseInt(figures[1], 10) + (ticked ? 1 : -1);
      count.textContent = done + " of " + figures[2] + " done";
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-tick")) return;
    if (!window.fetch || !window.FormData) return;
    event.preventDefault();
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    var button = form.querySelector("button");
    button.setAttribute("aria-busy", "true");
    var token = form.querySelector("input[name=csrf_token]");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        show(form, data);
        announce(data.message);
        delete form.dataset.busy;
        button.removeAttribute("aria-busy");
      })
      .catch(function () {
        // the server will answer the ordinary way, with a page and a message
        form.submit();
      });
  });
})();
