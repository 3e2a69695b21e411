// The phone's outbox, shared by the ballot (ballot.js) and feedback (feedback.js) pages: one
// entry per submission is kept in localStorage under its own key and sent until the server
// stores it. The entry carries its client id, so every retry of it is the same submission and
// the server stores it once. While there is no connection the entry waits and is retried
// every few seconds and when the browser says it is back online; a 5xx or 429 is retried the
// same way; any other answer ends the entry (stored, or refused and shown).
(function () {
  "use strict";
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // opts: key (localStorage key), url, headers (object), and callbacks
  //   onSending(), onOffline(), onDone(body), onRefused(status, body)
  function Outbox(opts) {
    var sending = false, retryTimer = null;
    function pending() {
      try { return JSON.parse(localStorage.getItem(opts.key) || "null"); } catch (e) { return null; }
    }
    function clear() { localStorage.removeItem(opts.key); }
    function schedule(ms) {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(flush, Math.min(ms || opts.retryMs || 4000, 60000));
    }
    function flush() {
      var entry = pending();
      if (!entry || sending) return;
      if (!navigator.onLine) { opts.onOffline(); schedule(); return; }
      sending = true;
      opts.onSending();
      var headers = {"Content-Type": "application/json"};
      Object.keys(opts.headers || {}).forEach(function (h) { headers[h] = opts.headers[h]; });
      fetch(opts.url, {method: "POST", headers: headers, body: JSON.stringify(entry.body), credentials: "omit"})
        .then(function (r) {
          var wait = parseInt(r.headers.get("Retry-After") || "", 10);
          return r.json().catch(function () { return {}; })
            .then(function (j) { return {status: r.status, body: j, wait: wait}; });
        })
        .then(function (res) {
          sending = false;
          if (res.status === 200 || res.status === 201) {
            clear();
            opts.onDone(res.body);
          } else if (res.status >= 500 || res.status === 429) {
            // 503 busy / 429: wait as long as the server asks (Retry-After), then send the same
            // entry (same client_id) again; it stays on the phone until the server stores it.
            opts.onSending();
            schedule(res.wait > 0 ? res.wait * 1000 : 0);
          } else {
            clear();
            opts.onRefused(res.status, res.body);
          }
        })
        .catch(function () { sending = false; opts.onOffline(); schedule(); });
    }
    // body: the JSON to send; its client_id is set here once and kept for every retry.
    function put(body) {
      var entry = {client_id: body.client_id || newId(), body: body};
      entry.body.client_id = entry.client_id;
      localStorage.setItem(opts.key, JSON.stringify(entry));
      flush();
    }
    window.addEventListener("online", flush);
    return {put: put, flush: flush, pending: pending, clear: clear};
  }
  Outbox.newId = newId;
  window.Outbox = Outbox;
})();
