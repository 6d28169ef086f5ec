// Check-in screens: reload every few seconds so the QR code stays fresh, until the "Stop
// refreshing" link is followed (that page has no data-refresh-seconds). A script rather than
// <meta http-equiv="refresh">, which cannot be paused; without JavaScript a <noscript> meta
// refresh does the same and the same link stops it.
(function () {
  "use strict";
  var holder = document.querySelector("[data-refresh-seconds]");
  if (!holder) return;
  var seconds = parseInt(holder.getAttribute("data-refresh-seconds"), 10);
  if (!(seconds > 0)) return;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
