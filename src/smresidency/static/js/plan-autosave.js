// Saves the strategy-plan draft a couple of seconds after the learner stops typing.
// Progressive enhancement: without this file the "Save draft" button does the same job.
(function () {
  "use strict";
  var DELAY_MS = 2000;
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var timer = null;
  var inFlight = false;
  var pending = false;
  var stopped = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function twoDigits(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clockTime(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) {
      when = new Date();
    }
    return twoDigits(when.getHours()) + ":" + twoDigits(when.getMinutes());
  }

  function save() {
    timer = null;
    if (stopped) {
      return;
    }
    if (inFlight) {
      pending = true;
      return;
    }
    inFlight = true;
    var data = new FormData(form);
    data.delete("action");
    var token = form.querySelector("input[name=csrf_token]");
    var headers = { "Accept": "application/json" };
    if (token) {
      headers["X-CSRFToken"] = token.value;
    }
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      headers: headers,
      credentials: "same-origin"
    })
      .then(function (response) {
        return response.json().then(
          function (body) { return { ok: response.ok, status: response.status, body: body }; },
          function () { return { ok: false, status: response.status, body: {} }; }
        );
      })
      .then(function (result) {
        if (result.ok) {
          say("Draft saved at " + clockTime(result.body.saved_at));
        } else if (result.status === 409) {
          stopped = true;
          say((result.body.error || "Your plan can no longer be changed.") + " Reload the page to see it.");
        } else if (result.status === 422) {
          say("Draft not saved automatically: a section is too long. Use “Save draft” to see which.");
        } else {
          say("Draft not saved automatically. Use “Save draft” to keep your work.");
        }
      })
      .catch(function () {
        say("Draft not saved automatically (no connection?). Use “Save draft” to keep your work.");
      })
      .then(function () {
        inFlight = false;
        if (pending) {
          pending = false;
          save();
        }
      });
  }

  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") {
      return;
    }
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, DELAY_MS);
  });

  form.addEventListener("submit", function () {
    stopped = true;
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
  });
})();
