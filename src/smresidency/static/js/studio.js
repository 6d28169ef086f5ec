// The studio editor's live preview: the server renders, the page swaps the panel in.
// Without this script the "Preview" button does the same with a full page load.
(function () {
  "use strict";
  var form = document.getElementById("studio-form");
  var panel = document.getElementById("studio-preview");
  if (!form || !panel || !window.fetch) return;
  var status = document.querySelector(".studio-preview-status");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function refresh() {
    var ticket = ++latest;
    var data = new FormData(form);
    if (status) status.textContent = "Updating preview…";
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (ticket !== latest) return;  // a newer request is on its way
        panel.innerHTML = html;  // rendered and sanitised by the server
        if (status) status.textContent = "Preview updated.";
      })
      .catch(function () {
        if (status) status.textContent = "The preview could not be updated; use the Preview button.";
      });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
  refresh();
})();
