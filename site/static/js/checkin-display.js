/* The check-in display (projector): polls the session's JSON state and swaps in the new QR code,
   the counts and the lists. No framework; the server decides what is shown. On a network error it
   keeps the last screen, dims it, and tries again. */
(function () {
  "use strict";
  var root = document.querySelector("[data-checkin-display]");
  if (!root) return;
  var url = root.getAttribute("data-state-url");
  var qr = root.querySelector("[data-qr]");
  var lastToken = null;

  function text(el, value) { if (el && el.textContent !== String(value)) el.textContent = value; }

  function fillList(list, people, withTime) {
    var fragment = document.createDocumentFragment();
    people.forEach(function (p) {
      var li = document.createElement("li");
      li.setAttribute("data-person", p.id);
      var name = document.createElement("span");
      name.className = p.status || "";
      name.textContent = p.name;
      li.appendChild(name);
      var extra = document.createElement("span");
      extra.className = withTime ? "time" : "org";
      extra.textContent = withTime ? p.time : (p.status ? p.status_label : p.organization);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(extra);
      fragment.appendChild(li);
    });
    list.replaceChildren(fragment);
  }

  function render(state) {
    if (state.token !== lastToken) {
      qr.innerHTML = state.qr_svg || "";  // an SVG the server made from its own URL (segno)
      lastToken = state.token;
    }
    text(root.querySelector("[data-state-label]"), state.state_label);
    root.querySelector("[data-open-hint]").hidden = state.state !== "open";
    root.querySelector("[data-opens-at]").hidden = state.state !== "not_open";
    Object.keys(state.counts).forEach(function (key) {
      text(root.querySelector('[data-count="' + key + '"]'), state.counts[key]);
    });
    fillList(root.querySelector('[data-list="checked_in"]'), state.checked_in, true);
    fillList(root.querySelector('[data-list="missing"]'), state.missing, false);
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (state) {
        root.classList.remove("stale");
        render(state);
        schedule(state.refresh_in);
      })
      .catch(function () {
        root.classList.add("stale");
        schedule(5);
      });
  }

  function schedule(seconds) {
    var delay = Math.max(0.5, Math.min(10, Number(seconds) || 3));
    window.setTimeout(poll, delay * 1000);
  }

  var full = root.querySelector("[data-fullscreen]");
  if (full && document.documentElement.requestFullscreen) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
    });
  } else if (full) {
    full.hidden = true;
  }
  lastToken = qr.querySelector("svg") ? "initial" : null;
  schedule(root.getAttribute("data-refresh-in"));
}());
