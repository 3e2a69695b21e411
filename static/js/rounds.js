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

  // Drag and drop, and the same by keyboard: pick an adjudicator's chip (drag it, or Enter/Space),
  // choose a debate's panel (drop, or arrow keys then Enter; the pool "Not on a panel" removes),
  // then the bar shows the change's warnings (the preview above) before it is saved.
  var bar = document.getElementById("dnd-bar");
  if (!bar) return;
  var status = document.getElementById("dnd-status");
  var what = document.getElementById("dnd-what");
  var targets = Array.prototype.slice.call(document.querySelectorAll(".drop[data-debate]"));
  var picked = null;

  function say(text) { status.textContent = ""; setTimeout(function () { status.textContent = text; }, 30); }
  function fill(tpl, name, debate) { return tpl.replace("{name}", name).replace("{debate}", debate); }
  function labelOf(target) {
    var row = target.closest("tr[data-label]");
    return row ? row.dataset.label : "";
  }

  function pick(chip) {
    if (picked) picked.setAttribute("aria-pressed", "false");
    picked = chip;
    chip.setAttribute("aria-pressed", "true");
    document.body.classList.add("picking");
    targets.forEach(function (t) { t.tabIndex = -1; t.classList.add("target"); });
  }

  function cancel(quiet) {
    if (picked) picked.setAttribute("aria-pressed", "false");
    var chip = picked;
    picked = null;
    document.body.classList.remove("picking");
    targets.forEach(function (t) { t.removeAttribute("tabindex"); t.classList.remove("target", "over"); });
    bar.hidden = true;
    if (!quiet) { say(bar.dataset.cancelled); if (chip) chip.focus(); }
  }

  function choose(target) {
    if (!picked) return;
    var debate = target.dataset.debate;
    if (debate && debate === (picked.closest(".drop") || {}).dataset.debate && picked.dataset.role) {
      return;  // dropped where it already sits
    }
    if (!debate && !picked.dataset.role) return;  // a free adjudicator back to the pool
    bar.elements.adjudicator_id.value = picked.dataset.adj;
    bar.elements.debate_id.value = debate;
    bar.elements.action.value = debate ? "move" : "remove";
    bar.elements.role.value = "panellist";
    bar.querySelector(".dnd-role").hidden = !debate;
    what.textContent = debate ? fill(bar.dataset.moveTo, picked.dataset.name, labelOf(target))
                              : fill(bar.dataset.remove, picked.dataset.name, "");
    targets.forEach(function (t) { t.classList.toggle("over", t === target); });
    bar.hidden = false;
    check(bar);
    document.getElementById("dnd-save").focus();
  }

  document.addEventListener("keydown", function (e) {
    var chip = e.target.closest && e.target.closest(".chip[data-adj]");
    if (chip && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      pick(chip);
      var own = chip.closest(".drop");
      var i = targets.indexOf(own);
      var next = targets[(i + 1) % targets.length];
      next.focus();
      say(fill(bar.dataset.picked, chip.dataset.name, ""));
      return;
    }
    if (!picked) return;
    if (e.key === "Escape") { e.preventDefault(); cancel(false); return; }
    var at = targets.indexOf(e.target);
    if (at < 0) return;
    if (e.key === "ArrowDown" || e.key === "ArrowRight" || e.key === "ArrowUp" || e.key === "ArrowLeft") {
      e.preventDefault();
      var step = (e.key === "ArrowDown" || e.key === "ArrowRight") ? 1 : -1;
      var t = targets[(at + step + targets.length) % targets.length];
      t.focus();
      say(t.dataset.debate ? labelOf(t) : t.querySelector("h2").textContent);
    } else if (e.key === "Enter") {
      e.preventDefault();
      choose(e.target);
    }
  });

  document.addEventListener("dragstart", function (e) {
    var chip = e.target.closest && e.target.closest(".chip[data-adj]");
    if (!chip) return;
    pick(chip);
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", chip.dataset.adj);
  });
  targets.forEach(function (t) {
    t.addEventListener("dragover", function (e) { if (picked) { e.preventDefault(); t.classList.add("over"); } });
    t.addEventListener("dragleave", function () { t.classList.remove("over"); });
    t.addEventListener("drop", function (e) { e.preventDefault(); choose(t); });
  });
  document.addEventListener("dragend", function () {
    if (bar.hidden) cancel(true);
  });
  document.getElementById("dnd-cancel").addEventListener("click", function () { cancel(false); });
})();

