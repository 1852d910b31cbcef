/* Live countdowns: every element with data-deadline shows the time left (or over), coloured
   by how much of its limit remains. Re-applied after each htmx swap. */
(function () {
  "use strict";
  var overText = document.documentElement.dataset.over || "over";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function format(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (d ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(sec);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.dataset.deadline);
      var started = Date.parse(el.dataset.started || el.dataset.deadline);
      if (isNaN(deadline)) { return; }
      var left = deadline - now;
      var span = Math.max(deadline - started, 1);
      el.textContent = left < 0 ? overText + " " + format(left) : format(left);
      el.classList.remove("ok", "soon", "late");
      el.classList.add(left < 0 ? "late" : left / span < 0.2 ? "soon" : "ok");
      var row = el.closest("tr");
      if (row) {
        row.classList.toggle("late", left < 0);
        row.classList.toggle("soon", left >= 0 && left / span < 0.2);
      }
    });
  }

  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();

/* Ctrl+Enter (or Cmd+Enter) saves the form being typed in: intake without the mouse. */
document.addEventListener("keydown", function (event) {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    var form = event.target.closest && event.target.closest("form");
    if (form) { event.preventDefault(); form.requestSubmit(); }
  }
});

/* A select marked data-autosubmit (language, agent status) sends its form when changed:
   no inline handlers, so the Content-Security-Policy can forbid them. */
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
});

/* A customer picked from the suggestions: clear them and go on to the request type. */
document.addEventListener("htmx:afterRequest", function (event) {
  var button = event.target;
  if (!button.matches || !button.matches("#customer-results button[data-account]")) { return; }
  document.getElementById("customer-results").innerHTML = "";
  var type = document.getElementById("id_request_type");
  if (type) { type.focus(); }
});
