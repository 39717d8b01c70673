/* Live-session presence heartbeat.
   While the session page is open and visible, say "still here" once a minute. The server counts
   the minute by its own clock (nothing in the body is trusted), so a beat too many is harmless.
   The body is FormData with the CSRF token, so navigator.sendBeacon can send the last beat. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-presence]");
  if (!root) return;
  var url = root.getAttribute("data-presence-url");
  var startsAt = Date.parse(root.getAttribute("data-starts-at"));
  var endsAt = Date.parse(root.getAttribute("data-ends-at"));
  var tokenInput = root.querySelector("input[name=csrfmiddlewaretoken]");
  var minutesEl = root.querySelector("[data-presence-minutes]");
  var statusEl = root.querySelector("[data-presence-status]");
  var INTERVAL = 60 * 1000;
  var SLACK = 2 * 60 * 1000; // tolerate a client clock a little off the server's
  var timer = null;

  function body() {
    var data = new FormData();
    if (tokenInput) data.append("csrfmiddlewaretoken", tokenInput.value);
    return data;
  }

  function inWindow() {
    var now = Date.now();
    return !(now < startsAt - SLACK || now > endsAt + SLACK);
  }

  function show(result) {
    if (!result) return;
    if (minutesEl && typeof result.minutes_present === "number") minutesEl.textContent = result.minutes_present;
    if (statusEl && result.status_label) statusEl.textContent = result.status_label;
    root.classList.toggle("is-present", result.status === "present" || result.status === "late");
  }

  function beat() {
    if (document.visibilityState !== "visible" || !inWindow()) return;
    fetch(url, { method: "POST", body: body(), credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(show)
      .catch(function () { /* offline for a moment: the next beat tries again */ });
  }

  function start() {
    if (timer === null) { beat(); timer = window.setInterval(beat, INTERVAL); }
  }

  function stop() {
    if (timer !== null) { window.clearInterval(timer); timer = null; }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") start(); else stop();
  });
  window.addEventListener("pagehide", function () {
    if (timer !== null && inWindow() && navigator.sendBeacon) navigator.sendBeacon(url, body());
    stop();
  });
  if (document.visibilityState === "visible") start();
})();
