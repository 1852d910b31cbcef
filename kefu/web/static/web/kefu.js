/* Kefu workstation behaviour. No inline code anywhere (the CSP forbids it): everything the
   pages do beyond htmx is here. */
(function () {
  "use strict";
  var root = document.documentElement;

  /* --- live countdowns -------------------------------------------------------------------
     Every element with data-deadline shows the time left (or over), coloured by how much of
     its limit remains: the colours mean the same on every page (kefu.css). */
  var overText = root.dataset.over || "over";
  var dayUnit = root.dataset.days || "d";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function format(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (d ? d + dayUnit + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(sec);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.dataset.deadline);
      var started = Date.parse(el.dataset.started || el.dataset.deadline);
      if (isNaN(deadline)) { return; }
      var left = deadline - now;
      var span = Math.max(deadline - started, 1);
      var soon = left >= 0 && (left / span < 0.2 || left < 30 * 60 * 1000);
      el.textContent = left < 0 ? overText + " " + format(left) : format(left);
      el.classList.remove("ok", "soon", "late");
      el.classList.add(left < 0 ? "late" : soon ? "soon" : "ok");
      var item = el.closest("tr, .crew-card");
      if (item) {
        item.classList.toggle("late", left < 0);
        item.classList.toggle("soon", soon);
      }
    });
  }

  /* --- live lists that never touch what a person is doing --------------------------------
     A container marked data-live polls its own URL (htmx, hx-swap="none"); its answer is
     merged item by item (data-key): an item being edited (focus, or a field changed and not
     yet sent) is kept as it is, the others are replaced, new ones are marked and counted,
     and the page stays where it was. */
  function changed(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") { return false; }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    return field.value !== field.defaultValue;
  }

  function busy(item) {
    var active = document.activeElement;
    if (active && active !== document.body && item.contains(active) &&
        active.matches("input, textarea, select, [contenteditable]")) { return true; }
    return Array.prototype.some.call(item.querySelectorAll("input, textarea, select"), changed);
  }

  function keyed(container) {
    var map = {};
    Array.prototype.forEach.call(container.children, function (child) {
      if (child.dataset && child.dataset.key) { map[child.dataset.key] = child; }
    });
    return map;
  }

  function announce(container, count) {
    var note = document.querySelector('[data-live-news="' + container.id + '"]');
    if (!note || !count) { return; }
    note.textContent = (root.dataset.news || "+COUNT").replace("COUNT", count);
    note.hidden = false;
  }

  function merge(container, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.getElementById(container.id) || template.content.firstElementChild;
    if (!fresh) { return; }
    var old = keyed(container);
    var seen = container.dataset.liveSeen === "1";
    var active = document.activeElement;
    var selection = active && "selectionStart" in active ?
      [active.selectionStart, active.selectionEnd] : null;
    var anchor = null, anchorTop = 0;
    Array.prototype.some.call(container.children, function (child) {
      var top = child.getBoundingClientRect().top;
      if (top >= 0) { anchor = child; anchorTop = top; return true; }
      return false;
    });

    var desired = [], added = [], news = 0;
    Array.prototype.slice.call(fresh.children).forEach(function (child) {
      var key = child.dataset && child.dataset.key;
      if (key && old[key] && busy(old[key])) {
        desired.push(old[key]);
        delete old[key];
        return;
      }
      if (key && !old[key] && seen && key !== "none" && key !== "waiting") {
        child.classList.add("is-new");
        news += 1;
      }
      desired.push(child);
      added.push(child);
    });
    // An item someone is working in stays even if the list no longer holds it.
    Object.keys(old).forEach(function (key) { if (busy(old[key])) { desired.push(old[key]); } });

    var keep = new Set(desired);
    Array.prototype.slice.call(container.children).forEach(function (child) {
      if (!keep.has(child)) { child.remove(); }
    });
    desired.forEach(function (node, index) {
      var current = container.children[index];
      if (current !== node) { container.insertBefore(node, current || null); }
    });
    added.forEach(function (node) { if (window.htmx) { window.htmx.process(node); } });

    if (active && active !== document.activeElement && document.contains(active)) {
      active.focus({ preventScroll: true });
      if (selection) { try { active.setSelectionRange(selection[0], selection[1]); } catch (e) { /* not a text field */ } }
    }
    if (anchor && document.contains(anchor)) {
      var moved = anchor.getBoundingClientRect().top - anchorTop;
      if (moved) { window.scrollBy(0, moved); }
    }
    container.dataset.liveSeen = "1";
    announce(container, news);
    tick();
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    // Only the container's own poll: a request from inside it (a crew card's tap, whose
    // form is gone once its card is swapped) is reported on the container too.
    var config = event.detail.requestConfig;
    var container = config && config.elt;
    if (!container || !container.matches || !container.matches("[data-live]")) { return; }
    if (config.verb !== "get" || !event.detail.successful || !event.detail.xhr) { return; }
    merge(container, event.detail.xhr.responseText);
  });

  document.addEventListener("click", function (event) {
    var note = event.target.closest && event.target.closest("[data-live-news]");
    if (!note) { return; }
    var first = document.querySelector("#" + note.dataset.liveNews + " .is-new");
    if (first) { first.scrollIntoView({ block: "center" }); }
    note.hidden = true;
  });

  /* --- forms -------------------------------------------------------------------------------- */
  // A select marked data-autosubmit (language, agent status) sends its form when changed.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });

  // Ctrl+Enter (or Cmd+Enter) saves the form being typed in: intake without the mouse.
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = event.target.closest && event.target.closest("form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
    }
  });

  // Alt+O answers the call from the outage the customer panel shows (the first one): the
  // caller is told and recorded, and no crew is sent. One keystroke from wherever the agent is.
  document.addEventListener("keydown", function (event) {
    var o = event.code === "KeyO" || (event.key || "").toLowerCase() === "o";
    if (!event.altKey || event.ctrlKey || event.metaKey || !o) { return; }
    var button = document.querySelector("#customer-profile button.answer-outage");
    if (button) { event.preventDefault(); button.click(); }
  });

  /* --- intake --------------------------------------------------------------------------------- */
  // Only the chosen request type's fields are shown (the server takes only those, too).
  function showTypeFields() {
    var type = document.getElementById("id_request_type");
    if (!type) { return; }
    document.querySelectorAll("[data-for-types]").forEach(function (box) {
      box.hidden = box.dataset.forTypes.split(" ").indexOf(type.value) < 0;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_request_type") { showTypeFields(); }
  });

  // The customer suggestions by keyboard: ↓ ↑ move, Enter takes, Esc closes.
  function options() {
    return Array.prototype.slice.call(document.querySelectorAll("#customer-results [role=option]"));
  }
  function choose(list, index) {
    list.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (list[index]) { list[index].focus(); }
  }
  document.addEventListener("keydown", function (event) {
    var search = document.getElementById("customer-search");
    if (!search) { return; }
    var list = options();
    var at = list.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && (event.target === search || at >= 0) && list.length) {
      event.preventDefault();
      choose(list, Math.min(at + 1, list.length - 1));
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) { choose(list, -1); search.focus(); } else { choose(list, at - 1); }
    } else if (event.key === "Escape" && (event.target === search || at >= 0)) {
      document.getElementById("customer-results").innerHTML = "";
      search.focus();
    }
  });

  // A customer taken from the suggestions: clear them and go on to the request type.
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.target;
    if (!button.matches || !button.matches("#customer-results button[data-account]")) { return; }
    document.getElementById("customer-results").innerHTML = "";
    var type = document.getElementById("id_request_type");
    if (type) { type.focus(); }
  });

  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("DOMContentLoaded", function () { showTypeFields(); tick(); });
  if (document.readyState !== "loading") { showTypeFields(); }
  tick();
  setInterval(tick, 1000);
})();
