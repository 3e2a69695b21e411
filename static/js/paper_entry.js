// Typing paper ballots in: shows the chosen debate's teams and the totals as the marks are
// typed, and flags a mark out of range or off the step. The server checks everything again.
(function () {
  "use strict";
  var form = document.getElementById("paper-form");
  if (!form) return;
  var T = JSON.parse(document.getElementById("paper-i18n").textContent);
  var cfg = form.dataset;
  var MIN = parseFloat(cfg.min), MAX = parseFloat(cfg.max), STEP = parseFloat(cfg.step);
  var seat = document.getElementById("seat");
  var teams = document.getElementById("seat-teams");
  function parseMark(v) {
    v = String(v || "").trim().replace(",", ".");
    if (v === "" || !/^\d+(\.\d+)?$/.test(v)) return null;
    return parseFloat(v);
  }
  function fmt(x) { return String(Math.round(x * 100) / 100).replace(".", cfg.decimal || "."); }
  function option() {
    var want = seat.value.trim().toLowerCase();
    var opts = document.querySelectorAll("#seats option");
    for (var i = 0; i < opts.length; i++) if (opts[i].value.toLowerCase() === want) return opts[i];
    return null;
  }
  function showSeat() {
    var o = option();
    teams.textContent = o ? o.dataset.gov + " — " + o.dataset.opp : (seat.value.trim() ? T.unknown : "");
  }
  function check() {
    var t = {gov: 0, opp: 0}, complete = true;
    ["PM", "MG", "LO", "MO"].forEach(function (r) {
      var input = form.elements["score_" + r];
      var err = form.querySelector("[data-error-for='scores." + r + "']");
      var m = parseMark(input.value), msg = "";
      if (input.value.trim() === "") { complete = false; }
      else if (m === null) { msg = T.number; complete = false; }
      else if (m < MIN || m > MAX) { msg = T.range; complete = false; }
      else if (Math.abs((m - MIN) / STEP - Math.round((m - MIN) / STEP)) > 1e-6) { msg = T.step; complete = false; }
      if (m !== null) t[r === "PM" || r === "MG" ? "gov" : "opp"] += m;
      err.textContent = msg;
      if (msg) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    });
    document.getElementById("total-gov").textContent = fmt(t.gov);
    document.getElementById("total-opp").textContent = fmt(t.opp);
    var note = document.getElementById("total-note");
    note.textContent = complete && t.gov === t.opp ? T.tie : "";
    note.className = note.textContent ? "bad" : "";
  }
  seat.addEventListener("input", showSeat);
  form.addEventListener("input", check);
  showSeat();
  if (form.querySelector("[data-score]").value) check();
})();
