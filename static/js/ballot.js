// The adjudicator's ballot on a phone: keeps a draft on the phone, checks the marks,
// shows the outcome in words before sending, and sends exactly once through the phone's
// outbox (outbox.js: a client id per ballot, reused for every retry), waiting for the
// connection if it is lost.
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form) {
    // The ballot is closed (the result is confirmed): an entry still waiting in this phone's
    // outbox is sent once, so that the tab room sees what it carried ("arrived after
    // confirmation"); it is then dropped, whatever the answer, except a lost connection.
    var closedBox = document.getElementById("ballot-closed");
    if (!closedBox) return;
    var c = closedBox.dataset, base = "ballot:" + c.debate + ":" + c.key.slice(0, 8), pending = null;
    try { pending = JSON.parse(localStorage.getItem(base + ":outbox") || "null"); } catch (e) { pending = null; }
    var drop = function () { localStorage.removeItem(base + ":outbox"); localStorage.removeItem(base); };
    if (!pending) { drop(); return; }
    var sendLate = function () {
      fetch(c.api, {method: "POST", headers: {"Content-Type": "application/json", "X-Adjudicator-Key": c.key},
                    body: JSON.stringify(pending.body), credentials: "omit"})
        .then(function (r) { if (r.status < 500) drop(); })
        .catch(function () { window.addEventListener("online", sendLate, {once: true}); });
    };
    sendLate();
    return;
  }
  var T = JSON.parse(document.getElementById("ballot-i18n").textContent);
  var cfg = form.dataset;
  var MIN = parseFloat(cfg.min), MAX = parseFloat(cfg.max), STEP = parseFloat(cfg.step);
  var scoresRequired = cfg.scoresRequired === "1", lowPoint = cfg.lowPoint === "1";
  var store = "ballot:" + cfg.debate + ":" + cfg.key.slice(0, 8);
  var outboxKey = store + ":outbox";
  // The locale's decimal separator comes from the server (Babel): 27,5 in kk and ru, 27.5 in en.
  var nf = {format: function (x) { return String(Math.round(x * 100) / 100).replace(".", cfg.decimal || "."); }};
  var status = document.getElementById("net-status");
  var review = document.getElementById("review");
  var reviewBtn = document.getElementById("review-btn");
  var errorBox = document.getElementById("form-errors");  // role=alert: announced when a check fails
  var ROLES = ["PM", "MG", "LO", "MO"];

  function fmt(s, params) { return s.replace(/%\((\w+)\)s/g, function (_, k) { return params[k]; }); }
  function parseMark(v) {
    v = String(v || "").trim().replace(",", ".");
    if (v === "" || !/^\d+(\.\d+)?$/.test(v)) return null;
    return parseFloat(v);
  }
  function field(name) { return form.elements[name]; }
  function showStatus(text, kind) {
    status.textContent = text; status.className = "flash " + (kind || ""); status.hidden = !text;
  }

  function state() {
    var s = {winner: (form.querySelector("input[name=winner]:checked") || {}).value || null,
             scores: {}, speakers: {}, nominations: {}};
    ROLES.forEach(function (r) {
      s.scores[r] = field("score_" + r).value;
      s.speakers[r] = field("speaker_" + r).value;
    });
    // An iron person (when the tournament allows it): one speaker named for both speeches.
    [["gov", "PM", "MG"], ["opp", "LO", "MO"]].forEach(function (x) {
      var box = field("iron_" + x[0]);
      if (box && box.checked) s.speakers[x[1]] = s.speakers[x[2]] = field("iron_" + x[0] + "_speaker").value;
    });
    ["orator", "analyst"].forEach(function (k) { s.nominations[k] = field("nominate_" + k).value; });
    return s;
  }
  function restore(s) {
    ROLES.forEach(function (r) {
      if (s.scores && s.scores[r] != null) field("score_" + r).value = s.scores[r];
      if (s.speakers && s.speakers[r]) field("speaker_" + r).value = s.speakers[r];
    });
    ["orator", "analyst"].forEach(function (k) { if (s.nominations && s.nominations[k]) field("nominate_" + k).value = s.nominations[k]; });
    if (s.winner) { var w = form.querySelector("input[name=winner][value=" + s.winner + "]"); if (w) w.checked = true; }
  }
  function save() { try { localStorage.setItem(store, JSON.stringify(state())); } catch (e) { /* private mode */ } }

  function totals(s) {
    var t = {gov: 0, opp: 0}, complete = true;
    ROLES.forEach(function (r) {
      var m = parseMark(s.scores[r]);
      if (m === null) complete = false; else t[r === "PM" || r === "MG" ? "gov" : "opp"] += m;
    });
    t.complete = complete;
    return t;
  }
  function paintTotals() {
    var t = totals(state());
    ["gov", "opp"].forEach(function (side) {
      form.querySelector("[data-total=" + side + "]").textContent = t[side] ? nf.format(t[side]) : "—";
    });
  }
  // The fields a message belongs to (tied to it by aria-describedby in the template).
  function fieldsFor(name) {
    if (name === "winner") return Array.prototype.slice.call(form.querySelectorAll("input[name=winner]"));
    var f = name.indexOf("scores.") === 0 ? field("score_" + name.slice(7)) : null;
    return f ? [f] : [];
  }
  function setError(name, text) {
    var el = form.querySelector("[data-error-for='" + name + "']");
    if (el) { el.textContent = text || ""; el.closest(".field, fieldset").classList.toggle("has-error", !!text); }
    fieldsFor(name).forEach(function (f) {
      if (text) f.setAttribute("aria-invalid", "true"); else f.removeAttribute("aria-invalid");
    });
  }
  // Says what went wrong (role=alert) and puts the focus on the first field in error.
  function announceErrors(text) {
    errorBox.textContent = "";
    if (!text) return;
    var p = document.createElement("p");
    p.className = "flash error"; p.textContent = text;
    errorBox.appendChild(p);
    var first = form.querySelector("[aria-invalid=true]");
    if (first) {
      first.focus();
      if (first.scrollIntoView) first.scrollIntoView({block: "center"});
    } else if (errorBox.scrollIntoView) {
      errorBox.scrollIntoView({block: "center"});
    }
  }
  function validate(s) {
    var errors = {}, anyScore = false;
    ROLES.forEach(function (r) {
      var raw = String(s.scores[r] || "").trim();
      if (raw === "") { if (scoresRequired) errors["scores." + r] = T.required; return; }
      anyScore = true;
      var m = parseMark(raw);
      if (m === null) errors["scores." + r] = T.not_a_number;
      else if (m < MIN || m > MAX) errors["scores." + r] = T.out_of_range;
      else if (Math.abs((m - MIN) / STEP - Math.round((m - MIN) / STEP)) > 1e-9) errors["scores." + r] = T.off_step;
    });
    if (!scoresRequired && anyScore) ROLES.forEach(function (r) { if (!String(s.scores[r] || "").trim()) errors["scores." + r] = T.required; });
    if (s.winner !== "gov" && s.winner !== "opp") errors.winner = T.invalid_winner;
    var t = totals(s);
    if (!errors.winner && t.complete && Object.keys(errors).length === 0) {
      var win = t[s.winner], lose = t[s.winner === "gov" ? "opp" : "gov"];
      if (win === lose && !lowPoint) errors.winner = T.tie;
      else if (win < lose && !lowPoint) errors.winner = T.low_point_win;
    }
    return errors;
  }
  function showErrors(errors) {
    ROLES.forEach(function (r) { setError("scores." + r, errors["scores." + r]); });
    setError("winner", errors.winner || errors.total);
  }

  function payload(s) {
    var p = {debate_id: parseInt(cfg.debate, 10), winner: s.winner, scores: {}, speakers: {}, nominations: {}};
    ROLES.forEach(function (r) {
      var m = parseMark(s.scores[r]); if (m !== null) p.scores[r] = m;
      p.speakers[r] = parseInt(s.speakers[r], 10);
    });
    ["orator", "analyst"].forEach(function (k) { if (s.nominations[k]) p.nominations[k] = parseInt(s.nominations[k], 10); });
    return p;
  }
  function onReview(ev) {
    ev.preventDefault();
    var s = state(), errors = validate(s);
    showErrors(errors);
    if (Object.keys(errors).length) { announceErrors(T.fix); return; }
    announceErrors("");
    var t = totals(s), other = s.winner === "gov" ? "opp" : "gov";
    document.getElementById("review-text").textContent = t.complete
      ? fmt(T.wins_to, {side: T[s.winner], a: nf.format(t[s.winner]), b: nf.format(t[other])})
      : fmt(T.wins, {side: T[s.winner]});
    review.hidden = false; reviewBtn.hidden = true;
    review.scrollIntoView && review.scrollIntoView({block: "center"});
    document.getElementById("send-btn").focus();  // the next step: send
  }

  // The outbox shared with the feedback pages (outbox.js): one client id per ballot as
  // reviewed, reused for every retry, kept on the phone until the server stores it.
  var outbox = window.Outbox({
    key: outboxKey, url: cfg.api, headers: {"X-Adjudicator-Key": cfg.key},
    onSending: function () { showStatus(T.sending, ""); },
    onOffline: function () { showStatus(T.offline, "error"); },
    onDone: function (body) { localStorage.removeItem(store); done(body); },
    onRefused: function (code, body) {
      var err = body.error || {};
      if (code === 409 && err.code === "ballot_closed") {
        // Confirmed meanwhile: nothing more to send; the tab room keeps what it carried.
        localStorage.removeItem(store);
        closed();
        return;
      }
      showStatus(T.refused + " " + (err.message || ""), "error");
      showErrors(err.fields || {});
      review.hidden = true; reviewBtn.hidden = false;
      announceErrors(T.refused + " " + (err.message || ""));
    }
  });
  function queueSend() { outbox.put(payload(state())); }
  function closed() {
    var box = document.createElement("section");
    box.className = "card closed"; box.id = "ballot-closed"; box.setAttribute("role", "status");
    var h = document.createElement("h2"); h.textContent = T.closed;
    var p = document.createElement("p"); p.textContent = T.closed_text;
    var a = document.createElement("a"); a.className = "button block"; a.href = cfg.home; a.textContent = T.back;
    box.appendChild(h); box.appendChild(p); box.appendChild(a);
    form.replaceWith(box);
    showStatus("", "");
  }
  function done(body) {
    var box = document.createElement("section");
    box.className = "card sent"; box.setAttribute("role", "status");
    var h = document.createElement("h2"); h.textContent = "✓ " + fmt(T.sent, {v: body.version});
    h.tabIndex = -1;
    var a = document.createElement("a"); a.className = "button block"; a.href = cfg.home; a.textContent = "← " + T.back;
    box.appendChild(h); box.appendChild(a);
    form.replaceWith(box);
    errorBox.textContent = "";
    showStatus("", "");
    h.focus();  // the focus was on the send button, which is gone: read the outcome
  }

  form.addEventListener("input", function (ev) {
    save(); paintTotals();
    if (ev.target.name && ev.target.name.indexOf("score_") === 0) setError("scores." + ev.target.name.slice(6), "");
    if (!review.hidden) { review.hidden = true; reviewBtn.hidden = false; }
  });
  form.addEventListener("change", function () { save(); paintTotals(); });
  if (reviewBtn) reviewBtn.addEventListener("click", onReview);
  var sendBtn = document.getElementById("send-btn");
  if (sendBtn) sendBtn.addEventListener("click", function () { queueSend(); });
  var editBtn = document.getElementById("edit-btn");
  if (editBtn) editBtn.addEventListener("click", function () {
    review.hidden = true; reviewBtn.hidden = false;
    field("score_PM").focus();
  });
  window.addEventListener("offline", function () { if (localStorage.getItem(outboxKey)) showStatus(T.offline, "error"); });

  try {
    var saved = JSON.parse(localStorage.getItem(store) || "null");
    var serverHasInput = ROLES.some(function (r) { return field("score_" + r).value; });
    if (saved && !serverHasInput) { restore(saved); if (localStorage.getItem(outboxKey) === null) showStatus(T.restored, ""); }
  } catch (e) { /* ignore a damaged draft */ }
  paintTotals();
  // The page came back from the server with errors (no JavaScript check caught them): go to the first.
  var invalid = form.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();
  if (outbox.pending()) outbox.flush();
})();
