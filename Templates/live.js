// Live updates for group-session pages. Every page works without this script: the
// participant page has a Refresh link and plain forms, and the projector refreshes itself.
(function () {
  "use strict";
  var root = document.querySelector("[data-events]");
  if (!root) return;
  var version = parseInt(root.getAttribute("data-version"), 10);
  // Where to go for the new state: always a plain GET (never a reload, which could send a
  // form again, and which keeps the old scroll position).
  var refresh = root.getAttribute("data-refresh") || window.location.pathname;
  var sending = false;
  if ("scrollRestoration" in window.history) window.history.scrollRestoration = "manual";
  // A form being sent brings its own new page: don't race it.
  document.addEventListener("submit", function () { sending = true; }, true);

  function show(newVersion) {
    if (sending || !(newVersion > version)) return;
    sending = true;
    window.location.assign(refresh);
  }

  function setText(selector, text) {
    if (!text) return;
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = text;
  }

  if (window.EventSource) {
    var events = new EventSource(root.getAttribute("data-events"));
    events.addEventListener("moved", function (event) {
      show(parseInt(event.data, 10));
    });
    events.addEventListener("state", function (event) {
      var state;
      try { state = JSON.parse(event.data); } catch (e) { return; }
      if (state.version > version) { show(state.version); return; }
      setText("[data-answered]", state.answered);
      setText("[data-joined]", state.joined);
    });
  }

  // The control view's keys: → or Space next, ← back, R reveal, B blank.
  if (root.hasAttribute("data-keys")) {
    var forms = { ArrowRight: "next", " ": "next", ArrowLeft: "back", r: "reveal", R: "reveal", b: "blank", B: "blank" };
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var target = event.target;
      if (target && target.closest && target.closest("input, textarea, select, button, a")) return;
      var name = forms[event.key];
      var form = name && document.getElementById("control-" + name);
      if (!form) return;
      var button = form.querySelector("button");
      if (!button || button.disabled) return;
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(button); else button.click();
    });
  }

  // The section timer: counts down from the section's minutes, from when this part of
  // the session was first shown on this device.
  var timer = document.querySelector("[data-timer]");
  if (timer) {
    var minutes = parseInt(timer.getAttribute("data-timer"), 10);
    var key = "gw-timer-" + timer.getAttribute("data-timer-key");
    var started = parseInt(window.sessionStorage.getItem(key) || "0", 10);
    if (!started) { started = Date.now(); window.sessionStorage.setItem(key, String(started)); }
    var tick = function () {
      var left = Math.round(minutes * 60 - (Date.now() - started) / 1000);
      var over = left < 0;
      var seconds = Math.abs(left);
      var text = Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
      timer.textContent = over ? text + " over" : text + " left";
      timer.className = over ? "timer timer-over" : "timer";
    };
    tick();
    window.setInterval(tick, 1000);
  }
})();
