/* Live public pages, projector and the director's live dashboard.
 *
 * Reads its settings from <script type="application/json" id="live-config">, connects with
 * Socket.IO (WebSocket, falling back to long-polling), joins the tournament and league rooms
 * (and "staff<tid>" on the director's dashboard), and on every event re-fetches the page's JSON,
 * which the server renders under the release rules: events carry only ids and a hint, never data.
 * After every (re)connect it re-fetches too, so nothing said while offline is missed.
 * Re-fetches send If-None-Match with the last ETag; a 304 (nothing changed) costs no body.
 * A public page showing a pushed view (a page of one part, or the projector's cycle, in its
 * league's language) joins with "view" and its events carry the view's parts, rendered once by
 * the server after the release (debate/live/events.py): applied at once, no re-fetch, unless older than
 * what the page shows ("version") or absent (too large: then it re-fetches).
 * Other public pages wait a random 80–480 ms before re-fetching, so a hall of phones told at the
 * same moment does not reach the server in the same millisecond (the server renders once per
 * change and answers the rest from its cache, see debate/live/cache.py).
 * The motion countdown runs on the server's clock (offset measured on every fetch).
 */
(function () {
  "use strict";
  var cfgEl = document.getElementById("live-config");
  if (!cfgEl) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var root = document.documentElement;
  var offset = typeof cfg.server_time === "number" ? cfg.server_time - Date.now() : 0;  // server - local, ms
  var countdown = cfg.countdown || null;
  var stats = { events: 0, fetches: 0, connects: 0, unchanged: 0, pushed: 0 };
  var etag = null;
  var version = -1;  // the public version of what the page shows (-1: unknown)
  var statusEl = document.getElementById("live-status");

  function setStatus(state) {
    if (!statusEl) { return; }
    statusEl.setAttribute("data-state", state);
    var text = statusEl.getAttribute("data-text-" + state);
    var span = statusEl.querySelector(".text");
    if (span && text) { span.textContent = text; }
  }

  function publishStats() {
    root.setAttribute("data-live-events", String(stats.events));
    root.setAttribute("data-live-fetches", String(stats.fetches));
    root.setAttribute("data-live-connects", String(stats.connects));
    root.setAttribute("data-live-unchanged", String(stats.unchanged));
    root.setAttribute("data-live-pushed", String(stats.pushed));
  }

  // ----- re-fetching -----
  var timer = null, inFlight = false, again = false;

  function schedule(spread) {
    if (timer) { return; }
    // Coalesce the two copies of an event (tournament and league room) and, for the public,
    // spread a hall full of phones over a fraction of a second.
    var wait = 80 + (spread ? Math.floor(Math.random() * 400) : 0);
    timer = window.setTimeout(function () { timer = null; refetch(); }, wait);
  }

  function refetch() {
    if (!cfg.json_url) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true;
    var url = cfg.json_url + "?parts=" + encodeURIComponent(cfg.parts.join(",")) + (cfg.projector ? "&projector=1" : "");
    var sent = Date.now();
    var headers = { "Accept": "application/json" }, tag = null;
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (r) {
        var clock = Number(r.headers.get("X-Server-Time"));
        if (clock) { offset = clock - (sent + Date.now()) / 2; }
        if (r.status === 304) { return null; }  // what the page shows is current
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        tag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (data) {
        if (data === null) {
          stats.fetches += 1;
          stats.unchanged += 1;
          publishStats();
          return;
        }
        var now = Date.now();
        if (typeof data.server_time === "number") { offset = data.server_time - (sent + now) / 2; }
        if (typeof data.version === "number") {
          if (data.version < version) { stats.fetches += 1; publishStats(); return; }  // a push was newer
          version = data.version;
        }
        display(data.parts, data.countdown);
        etag = tag;  // only once the page shows this content
        stats.fetches += 1;
        publishStats();
      })
      .catch(function () { /* the next event or reconnect fetches again */ })
      .then(function () {
        inFlight = false;
        if (again) { again = false; refetch(); }
      });
  }

  function display(parts, cd) {
    countdown = cd || null;
    Object.keys(parts || {}).forEach(function (name) { apply(name, parts[name]); });
    root.setAttribute("data-live-shown", String(Date.now()));
    tick();
    if (cfg.cycle) { ensureVisible(); }
  }

  // An event carrying the page's parts: shown at once (no request), unless older than the page.
  function pushed(p) {
    if (!p.parts || typeof p.parts !== "object") { return false; }
    for (var i = 0; i < cfg.parts.length; i++) {
      if (!p.parts[cfg.parts[i]]) { return false; }
    }
    if (typeof p.version === "number") {
      if (p.version < version) { return true; }  // already showing newer content
      version = p.version;
    }
    display(p.parts, p.countdown);
    stats.pushed += 1;
    etag = null;  // the next re-fetch (reconnect) gets the body, not a 304 of older content
    publishStats();
    return true;
  }

  function apply(name, part) {
    var el = document.getElementById("part-" + name);
    if (!el || typeof part.html !== "string") { return; }
    el.setAttribute("data-available", part.available ? "1" : "0");
    if (el.getAttribute("data-html") === part.html) { return; }
    // The HTML comes from our own server-side templates (autoescaped); never from the event.
    el.innerHTML = part.html;
    el.setAttribute("data-html", part.html);
    el.classList.remove("updated");
    void el.offsetWidth;  // restart the highlight animation
    el.classList.add("updated");
  }

  // ----- the motion's preparation countdown -----
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    var els = document.querySelectorAll(".countdown");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var released = Number(el.getAttribute("data-released-ms"));
      var prep = Number(el.getAttribute("data-prep-seconds"));
      if (!released || !prep) { continue; }
      var left = Math.ceil((released + prep * 1000 - (Date.now() + offset)) / 1000);
      if (left <= 0) {
        el.textContent = el.getAttribute("data-done") || "0:00";
        el.classList.add("over");
      } else {
        el.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
        el.classList.remove("over");
      }
    }
  }
  window.setInterval(tick, 250);
  tick();

  // ----- projector: cycling between views -----
  var views = Array.prototype.slice.call(document.querySelectorAll(".projector-view"));
  var current = 0;

  function show(i) {
    current = i;
    views.forEach(function (v, j) { v.hidden = j !== i; });
    document.body.setAttribute("data-showing", views[i] ? views[i].getAttribute("data-part") : "");
  }

  function nextAvailable(from) {
    for (var k = 1; k <= views.length; k++) {
      var j = (from + k) % views.length;
      if (views[j].getAttribute("data-available") === "1") { return j; }
    }
    return from;
  }

  function ensureVisible() {
    if (views.length && views[current].getAttribute("data-available") !== "1") { show(nextAvailable(current)); }
  }

  if (views.length) {
    show(0);
    if (cfg.cycle) {
      ensureVisible();
      window.setInterval(function () { show(nextAvailable(current)); }, Math.max(5, cfg.every || 20) * 1000);
    }
  }

  // ----- the socket -----
  if (typeof window.io !== "function") { setStatus("offline"); return; }
  var socket = window.io({ reconnectionDelayMax: 10000 });

  function relevant(p) {
    if (!p || p.tournament_id !== cfg.tournament) { return false; }
    return cfg.league === null || cfg.league === undefined || p.league_id === undefined || p.league_id === cfg.league;
  }

  socket.on("connect", function () {
    stats.connects += 1;
    setStatus("live");
    var join = { tournament: cfg.tournament, league: cfg.league, staff: !!cfg.staff };
    if (!cfg.staff && cfg.league !== null && cfg.league !== undefined && cfg.json_url) {
      join.view = { parts: cfg.parts, projector: !!cfg.projector, lang: cfg.lang };  // the server decides
    }
    socket.emit("join", join, function (ack) {
      if (ack && typeof ack.server_time === "number") { offset = ack.server_time - Date.now(); }
    });
    // First connect: the page may have changed between render and connect. Later: events may
    // have been missed while away. Either way, fetch the current state.
    publishStats();
    schedule(false);
  });
  socket.on("disconnect", function () { setStatus("offline"); });
  socket.on("connect_error", function () { setStatus("offline"); });

  socket.on(cfg.staff ? "staff" : "changed", function (payload) {
    if (!relevant(payload)) { return; }
    stats.events += 1;
    publishStats();
    if (!cfg.staff && pushed(payload)) { return; }
    schedule(!cfg.staff);
  });
})();
