// The registration desk (templates/rounds/checkin.html): filter by name as you type, and one
// tap per person without reloading the page. Without JavaScript the forms and ?q= do the same.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  if (!desk) return;
  var q = document.getElementById("desk-q");

  function filter() {
    var needle = (q.value || "").trim().toLowerCase();
    var shown = 0;
    desk.querySelectorAll(".desk-group").forEach(function (group) {
      var here = 0;
      group.querySelectorAll(".desk-item").forEach(function (li) {
        li.hidden = needle !== "" && li.dataset.name.indexOf(needle) === -1;
        if (!li.hidden) here += 1;
      });
      group.hidden = here === 0;
      shown += here;
    });
    var none = document.getElementById("desk-none");
    if (none) none.hidden = shown > 0;
  }
  if (q) {
    q.addEventListener("input", filter);
    q.form.addEventListener("submit", function (e) { e.preventDefault(); filter(); });
  }

  function counts(data) {
    Object.keys(data.counts).forEach(function (lid) {
      setCount(lid, data.counts[lid]);
    });
    setCount("adjudicators", data.adjudicators);
  }
  function setCount(key, pair) {
    var el = document.querySelector('.desk-counts [data-league="' + key + '"] .desk-count');
    if (el) el.textContent = el.textContent.replace(/\d+(\D+)\d+/, pair[0] + "$1" + pair[1]);
  }

  desk.addEventListener("submit", function (e) {
    var form = e.target;
    var button = form.querySelector("button.desk-tap");
    if (!button) return;
    e.preventDefault();
    button.disabled = true;
    fetch(form.action, {method: "POST", body: new FormData(form), headers: {"Accept": "application/json"},
                        credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (res) {
        button.disabled = false;
        if (!res.ok) { window.alert(res.data.error ? res.data.error.message : ""); return; }
        var present = res.data.present;
        button.setAttribute("aria-pressed", present ? "true" : "false");
        button.querySelector(".desk-state").textContent = present ? button.dataset.present : button.dataset.absent;
        form.closest(".desk-item").classList.toggle("absent", !present);
        counts(res.data);
      })
      .catch(function () { button.disabled = false; form.submit(); });
  });
})();
