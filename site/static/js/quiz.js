// A quiz attempt: the countdown (from the server's remaining seconds, so a reload never restarts
// the clock), autosave of the whole sheet shortly after every change and when the page is left,
// and submitting by itself when the time is up. Without JavaScript the sheet still submits.
(function () {
  "use strict";
  var form = document.getElementById("quiz-sheet");
  if (!form) return;
  var saveUrl = form.dataset.saveUrl;
  var status = form.querySelector("[data-save-status]");
  var timer = form.querySelector("[data-quiz-timer]");
  var submitting = false, dirty = false, inFlight = false, pending = null;

  function say(text) { if (status) status.textContent = text; }

  function save() {
    if (submitting) return;
    if (inFlight) { dirty = true; return; }
    inFlight = true; dirty = false;
    say(form.dataset.savingLabel);
    fetch(saveUrl, { method: "POST", body: new FormData(form), credentials: "same-origin",
                     headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 409 || response.status === 404) { window.location.reload(); return null; }
        return response.json().then(function (data) {
          if (response.ok && data.ok) say(form.dataset.savedLabel + " " + data.saved_at);
          else say(data.message || form.dataset.offlineLabel);
        });
      })
      .catch(function () { say(form.dataset.offlineLabel); dirty = true; })
      .then(function () { inFlight = false; if (dirty) schedule(3000); });
  }

  function schedule(delay) {
    dirty = true;
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () { pending = null; save(); }, delay);
  }

  form.addEventListener("change", function () { schedule(300); });
  form.addEventListener("input", function () { schedule(1000); });
  window.addEventListener("pagehide", function () {
    if (dirty && !submitting && navigator.sendBeacon) navigator.sendBeacon(saveUrl, new FormData(form));
  });
  form.addEventListener("submit", function (event) {
    if (!submitting && !window.confirm(form.dataset.confirmLabel)) { event.preventDefault(); return; }
    submitting = true;
  });

  if (timer && form.dataset.secondsLeft !== undefined) {
    var endsAt = Date.now() + Number(form.dataset.secondsLeft) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      timer.textContent = (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
      timer.classList.toggle("is-low", left <= 60);
      if (left === 0 && !submitting) {
        submitting = true;
        say(form.dataset.timeUpLabel);
        form.submit();
        return;
      }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
