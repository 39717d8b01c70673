// Video lessons: report what was actually played, so the server can count unique seconds.
//
// The player keeps the segments of media time played since the last report (a seek ends a
// segment and starts a new one) and sends them every ~15 s while playing and the tab is visible,
// and on pause, ended and when the page is hidden or left (navigator.sendBeacon). The server
// decides what to credit and answers the real coverage, which is what the learner sees.
// One playback per learner: a newer playback elsewhere makes the server answer 409, and this
// player pauses and says why. Playback speed is clamped to the course's maximum.
(function () {
  "use strict";
  var configElement = document.getElementById("video-player-config");
  var video = document.getElementById("lesson-video");
  if (!configElement || !video) return;
  var cfg = JSON.parse(configElement.textContent);
  var text = window.TOUYAN_PLAYER_TEXT || {};
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = tokenInput ? tokenInput.value : "";
  var percentEl = document.querySelector("[data-watch-percent]");
  var messageEl = document.getElementById("watch-message");
  var maxRate = cfg.maxRate || 1;
  var beatMs = (cfg.beatSeconds || 15) * 1000;
  var tracking = Boolean(cfg.heartbeatUrl);

  function randomId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var playback = randomId();

  // --- speed ------------------------------------------------------------------------------------
  function clampRate() {
    if (video.playbackRate > maxRate) {
      video.playbackRate = maxRate;
      showMessage(text.rateLimited);
    }
    if (video.defaultPlaybackRate > maxRate) video.defaultPlaybackRate = maxRate;
  }
  video.addEventListener("ratechange", clampRate);

  // --- resume -----------------------------------------------------------------------------------
  var hasPlayed = false;
  video.addEventListener("play", function () { hasPlayed = true; });
  function resume() {
    clampRate();
    var at = Number(cfg.resumeAt) || 0;
    if (!hasPlayed && at > 1 && at < (video.duration || cfg.duration) - 2) video.currentTime = at;
  }
  video.addEventListener("loadedmetadata", resume);  // again after a reload of the source
  if (video.readyState >= 1) resume();

  if (!tracking) return;

  // --- played segments --------------------------------------------------------------------------
  var closed = [];      // finished [start, end] segments not yet reported
  var current = null;   // the segment being played: {start, end}
  var MAX_GAP = 1.5;    // seconds of media time between timeupdates that still count as continuous

  function closeSegment() {
    if (current && current.end > current.start) closed.push([current.start, current.end]);
    current = null;
  }

  function track() {
    if (video.seeking) return;
    var t = video.currentTime;
    if (current && t >= current.end && t - current.end <= MAX_GAP * Math.max(1, video.playbackRate)) {
      current.end = t;
    } else {
      closeSegment();
      current = { start: t, end: t };
    }
  }

  video.addEventListener("timeupdate", function () { if (!video.paused) track(); });
  video.addEventListener("seeking", closeSegment);

  function takeIntervals() {
    if (current) {
      var t = video.currentTime;
      if (!video.seeking && t >= current.end && t - current.end <= MAX_GAP * Math.max(1, video.playbackRate)) {
        current.end = t;
      }
      if (current.end > current.start) closed.push([current.start, current.end]);
      current = video.paused ? null : { start: current.end, end: current.end };
    }
    var taken = closed.map(function (pair) {
      return [Math.round(pair[0] * 1000) / 1000, Math.round(pair[1] * 1000) / 1000];
    });
    closed = [];
    return taken;
  }

  // --- reporting --------------------------------------------------------------------------------
  var queue = Promise.resolve();
  var lastSent = 0;
  var superseded = false;

  function showMessage(message) {
    if (!messageEl || !message) return;
    messageEl.textContent = message;
    messageEl.hidden = false;
  }

  function hideMessage() { if (messageEl) messageEl.hidden = true; }

  function showProgress(data) {
    if (!percentEl || typeof data.percent !== "number") return;
    var label = (text.percent || "__P__%").replace("__P__", String(data.percent));
    if (data.completed) label = (text.completed || "") + " · " + label;
    percentEl.textContent = label;
  }

  function formFor(event, intervals) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken);
    body.append("playback", playback);
    body.append("event", event);
    body.append("position", String(Math.round(video.currentTime * 1000) / 1000));
    body.append("intervals", JSON.stringify(intervals));
    return body;
  }

  function handle(status, data) {
    if (status === 409 && data && data.superseded) {
      superseded = true;
      closed = []; current = null;
      video.pause();
      showMessage(data.message);
    } else if (status === 403 && data && data.login) {
      showMessage(text.loginAgain);
    }
    if (data && data.ok) showProgress(data);
    document.dispatchEvent(new CustomEvent("touyan:heartbeat", { detail: { status: status, data: data } }));
  }

  function send(event, useBeacon) {
    if (superseded && event !== "start") return;
    var intervals = takeIntervals();
    lastSent = Date.now();
    if (useBeacon && navigator.sendBeacon) {
      if (navigator.sendBeacon(cfg.heartbeatUrl, formFor(event, intervals))) return;
    }
    queue = queue.then(function () {
      return fetch(cfg.heartbeatUrl, {
        method: "POST", body: formFor(event, intervals), credentials: "same-origin", keepalive: true,
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken },
      }).then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          if (response.status >= 500 || (response.status === 0)) closed = intervals.concat(closed);
          if (response.status === 400) showMessage(text.notAccepted);
          handle(response.status, data);
        });
      }).catch(function () {
        closed = intervals.concat(closed); // network trouble: send these again with the next report
      });
    });
  }

  video.addEventListener("play", function () {
    superseded = false;
    hideMessage();
    clampRate();
    current = null;
    send("start");
  });
  video.addEventListener("pause", function () { if (!video.ended) send("pause"); });
  video.addEventListener("ended", function () { send("ended"); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && (closed.length || current)) send("leave", true);
  });
  window.addEventListener("pagehide", function () { if (closed.length || current) send("leave", true); });

  setInterval(function () {
    if (!video.paused && !video.ended && document.visibilityState === "visible" && Date.now() - lastSent >= beatMs) {
      send("beat");
    }
  }, 1000);

  // --- "still watching?" ------------------------------------------------------------------------
  var dialog = document.getElementById("presence-dialog");
  if (cfg.presenceCheck && dialog) {
    var minGap = cfg.presenceMinSeconds || 120, maxGap = cfg.presenceMaxSeconds || 420;
    var playedSinceCheck = 0, nextCheck = minGap + Math.random() * (maxGap - minGap), lastTick = null;
    var waiting = false;
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      if (!video.paused && lastTick !== null && now > lastTick && now - lastTick < 2) playedSinceCheck += now - lastTick;
      lastTick = now;
      if (!waiting && playedSinceCheck >= nextCheck) {
        waiting = true;
        video.pause();
        if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
      }
    });
    video.addEventListener("play", function () { if (waiting) video.pause(); });
    dialog.querySelector("[data-presence-confirm]").addEventListener("click", function () {
      waiting = false;
      playedSinceCheck = 0;
      nextCheck = minGap + Math.random() * (maxGap - minGap);
      if (dialog.close) dialog.close(); else dialog.removeAttribute("open");
      video.play();
    });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
  }
})();
