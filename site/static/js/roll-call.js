/* Roll call on a tablet: a tap sends the status in the background and updates the row and the
   counts; without JavaScript the same forms post and the page reloads. */
(function () {
  "use strict";
  var roll = document.querySelector("[data-roll-call]");
  if (!roll) return;
  roll.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=status]");
    if (!button) return;
    event.preventDefault();
    var form = button.form;
    var data = new FormData(form);
    data.set("status", button.value);
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"Accept": "application/json", "X-Requested-With": "fetch"}})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (result) {
        form.querySelectorAll("button").forEach(function (b) {
          b.setAttribute("aria-pressed", b.value === result.row.status ? "true" : "false");
        });
        Object.keys(result.counts).forEach(function (key) {
          var el = document.querySelector('[data-roll-counts] [data-count="' + key + '"]');
          if (el) el.textContent = result.counts[key];
        });
      })
      .catch(function () { window.location.reload(); })
      .finally(function () { form.querySelectorAll("button").forEach(function (b) { b.disabled = false; }); });
  });
}());
