// Reading lessons: when the end of the lesson scrolls into view, tell the server the lesson is
// done (the "Mark as done" button does the same without JavaScript).
(function () {
  "use strict";
  var end = document.getElementById("lesson-end");
  if (!end || !end.dataset.doneUrl || !("IntersectionObserver" in window)) return;
  var tokenInput = end.querySelector("input[name=csrfmiddlewaretoken]");
  var sent = false;
  var observer = new IntersectionObserver(function (entries) {
    if (sent || !entries.some(function (e) { return e.isIntersecting; })) return;
    sent = true;
    observer.disconnect();
    var body = new FormData();
    body.append("csrfmiddlewaretoken", tokenInput ? tokenInput.value : "");
    fetch(end.dataset.doneUrl, { method: "POST", body: body, credentials: "same-origin",
                                 headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.completed) { sent = false; return; }
        var status = end.querySelector("[data-done-status]");
        if (status) status.innerHTML = '<span class="tag ok"></span>';
        if (status) status.firstChild.textContent = end.dataset.completedLabel;
        var form = end.querySelector("form");
        if (form) form.hidden = true;
      })
      .catch(function () { sent = false; });
  }, { threshold: 0.5 });
  observer.observe(end);
})();
