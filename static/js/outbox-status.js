// Where an adjudicator looks after sending a ballot on a bad network (#22):
// - on the ballot page, the status (sending, saved on this phone, refused) is repeated right
//   beside the send button, where they tapped, besides the notice at the top of the page;
// - on the adjudicator's home page, the ballots still waiting in the phone's outbox
//   (outbox.js, the same localStorage entries the ballot page keeps) are listed with their
//   status and sent from there ("Send now", and by themselves when the connection returns).
(function () {
  "use strict";

  // The ballot page: mirror ballot.js's status line beside the send button.
  var top = document.getElementById("net-status");
  var beside = document.getElementById("send-status");
  if (top && beside) {
    var mirror = function () {
      beside.textContent = top.textContent;
      beside.className = "send-status " + top.className.replace("flash", "").trim();
      beside.hidden = top.hidden || !top.textContent;
    };
    new MutationObserver(mirror).observe(top, {attributes: true, childList: true, characterData: true, subtree: true});
    mirror();
  }

  // The home page: the outbox.
  var box = document.getElementById("outbox");
  if (!box || !window.Outbox) return;
  var cfg = box.dataset;
  var labels = JSON.parse(cfg.labels || "{}");
  var list = box.querySelector(".outbox-list");
  var prefix = "ballot:", suffix = ":" + cfg.key.slice(0, 8) + ":outbox";
  var rows = {};

  function waiting() {
    var out = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && k.indexOf(prefix) === 0 && k.slice(-suffix.length) === suffix) out.push(k);
    }
    return out.sort();
  }

  function setStatus(debate, text, kind) {
    var row = rows[debate];
    if (!row) return;
    row.status.textContent = text;
    row.status.className = "outbox-status " + (kind || "");
  }

  waiting().forEach(function (k) {
    var debate = k.slice(prefix.length, k.length - suffix.length);
    var li = document.createElement("li");
    var name = document.createElement("strong");
    name.textContent = labels[debate] || ("#" + debate);
    var st = document.createElement("span");
    li.appendChild(name); li.appendChild(document.createTextNode(" ")); li.appendChild(st);
    list.appendChild(li);
    var outbox = window.Outbox({
      key: k, url: cfg.api, headers: {"X-Adjudicator-Key": cfg.key},
      onSending: function () { setStatus(debate, cfg.sending, ""); },
      onOffline: function () { setStatus(debate, cfg.saved, "error"); },
      onDone: function () {
        localStorage.removeItem(prefix + debate + ":" + cfg.key.slice(0, 8));  // the draft, as ballot.js does
        setStatus(debate, "✓ " + cfg.sent, "ok");
        rows[debate].sent = true;
        if (Object.keys(rows).every(function (d) { return rows[d].sent; })) {
          document.getElementById("outbox-send").hidden = true;
        }
      },
      onRefused: function (code, body) {
        setStatus(debate, cfg.refused + " " + ((body.error || {}).message || ""), "error");
      }
    });
    rows[debate] = {status: st, outbox: outbox, sent: false};
    setStatus(debate, navigator.onLine ? cfg.sending : cfg.saved, navigator.onLine ? "" : "error");
    if (debate === cfg.current) {
      var link = document.getElementById("ballot-link");
      if (link) link.textContent = cfg.waitingButton;
    }
  });
  if (!Object.keys(rows).length) return;
  box.hidden = false;
  document.getElementById("outbox-send").addEventListener("click", function () {
    Object.keys(rows).forEach(function (d) { if (!rows[d].sent) rows[d].outbox.flush(); });
  });
  Object.keys(rows).forEach(function (d) { rows[d].outbox.flush(); });
})();
