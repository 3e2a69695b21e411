// Round page: while the director chooses a move or a swap of adjudicators, ask the server what
// the change would break and show it beside the form, before anything is saved.
(function () {
  "use strict";

  function render(box, data) {
    box.textContent = "";
    var any = false;
    data.debates.forEach(function (d) {
      if (!d.warnings.length) return;
      any = true;
      var head = document.createElement("p");
      head.className = "preview-debate";
      head.textContent = d.label;
      box.appendChild(head);
      d.warnings.forEach(function (w) {
        var p = document.createElement("p");
        p.className = w.new ? "warn new" : "warn";
        p.textContent = "⚠ " + w.text + (w.new ? " (" + box.dataset.new + ")" : "");
        box.appendChild(p);
      });
    });
    if (!data.new) {
      var ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = box.dataset.clear;
      box.appendChild(ok);
    }
    box.classList.toggle("has-new", data.new > 0);
    return any;
  }

  function check(form) {
    var box = form.querySelector(".move-preview");
    var params = new URLSearchParams();
    ["adjudicator_id", "debate_id", "role", "swap_with"].forEach(function (name) {
      var field = form.elements[name];
      if (field) params.set(name, field.value);
    });
    box.hidden = false;
    box.textContent = box.dataset.checking;
    var asked = params.toString();
    form.dataset.asked = asked;
    fetch(form.dataset.preview + "?" + asked, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { if (form.dataset.asked === asked) render(box, data); })
      .catch(function () { if (form.dataset.asked === asked) box.textContent = box.dataset.failed; });
  }

  document.querySelectorAll("form[data-preview]").forEach(function (form) {
    form.addEventListener("change", function () { check(form); });
  });
})();
