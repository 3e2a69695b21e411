// Feedback on adjudicators from a phone: each form (one per adjudicator rated) is sent through
// the shared outbox (outbox.js), so feedback given without a connection waits on the phone and
// is sent once when the connection returns. Without JavaScript the forms post to the page.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.feedback-form");
  if (!forms.length || !window.Outbox) return;
  var T = JSON.parse(document.getElementById("feedback-i18n").textContent);
  var status = document.getElementById("net-status");
  function fmt(s, params) { return s.replace(/%\((\w+)\)s/g, function (_, k) { return params[k]; }); }
  function showStatus(text, kind) {
    status.textContent = text; status.className = "flash " + (kind || ""); status.hidden = !text;
  }

  Array.prototype.forEach.call(forms, function (form) {
    var cfg = form.dataset;
    var errorFor = form.querySelector("[data-error-for=score]");
    var headers = {};
    headers[cfg.header] = cfg.key;
    function done(body) {
      var box = document.createElement("section");
      box.className = "card sent"; box.setAttribute("role", "status");
      var h = document.createElement("h2");
      h.textContent = "✓ " + form.querySelector("h2").textContent;
      var p = document.createElement("p"); p.textContent = fmt(T.sent, {v: body.version});
      box.appendChild(h); box.appendChild(p);
      form.replaceWith(box);
      showStatus("", "");
    }
    var outbox = window.Outbox({
      key: "feedback:" + cfg.debate + ":" + cfg.adjudicator + ":" + cfg.key.slice(0, 8) + ":outbox",
      url: cfg.api, headers: headers,
      onSending: function () { showStatus(T.sending, ""); },
      onOffline: function () { showStatus(T.offline, "error"); },
      onDone: done,
      onRefused: function (code, body) {
        var err = (body && body.error) || {};
        var text = T.refused + " " + (err.message || "");
        if (err.fields && err.fields.score) text += " " + err.fields.score;
        showStatus(text, "error");
      }
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var checked = form.querySelector("input[name=score]:checked");
      if (!checked) { errorFor.textContent = T.score; form.querySelector("input[name=score]").focus(); return; }
      errorFor.textContent = "";
      outbox.put({debate_id: parseInt(cfg.debate, 10), adjudicator_id: parseInt(cfg.adjudicator, 10),
                  score: parseInt(checked.value, 10), comment: form.elements.comment.value,
                  client_id: Outbox.newId()});
    });
    if (outbox.pending()) outbox.flush();  // left from an earlier visit without a connection
  });
})();
