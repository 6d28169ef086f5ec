// Counts a quiz cooldown down in words; at zero it offers a reload, since the server opens then.
(function () {
  "use strict";
  function words(ms) {
    var minutes = Math.max(1, Math.ceil(ms / 60000));
    if (minutes < 60) { return "in " + minutes + " minute" + (minutes === 1 ? "" : "s"); }
    var hours = Math.floor(minutes / 60), rest = minutes % 60;
    return "in " + hours + " h" + (rest ? " " + rest + " min" : "");
  }
  document.querySelectorAll("time[data-countdown]").forEach(function (el) {
    var at = Date.parse(el.getAttribute("datetime"));
    function tick() {
      var left = at - Date.now();
      if (left <= 0) {
        var link = document.createElement("a");
        link.href = window.location.pathname + "#quiz";
        link.textContent = "now: reload the page to start";
        link.addEventListener("click", function (e) { e.preventDefault(); window.location.reload(); });
        el.textContent = "";
        el.appendChild(link);
        return;
      }
      el.textContent = words(left);
      window.setTimeout(tick, Math.min(left, 15000));
    }
    tick();
  });
})();
