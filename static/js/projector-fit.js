// The projector fills the screen (#22): each table's text is sized to its number of rows (at
// least MIN px, readable from the back of the hall, larger while the rows fit), and a list too
// long for one screen at MIN px is cut into pages that advance by themselves every few seconds.
(function () {
  "use strict";
  var MIN = 32, MAX = 96;
  var main = document.querySelector(".projector-main");
  if (!main) return;
  var every = parseInt(document.body.getAttribute("data-page-seconds"), 10) || 8;
  var pageOf = new WeakMap();
  var observer;

  function rowsOf(table) { return Array.prototype.slice.call(table.tBodies[0] ? table.tBodies[0].rows : []); }
  function room(table) {
    var pager = pagerOf(table);
    var below = pager.hidden ? 0 : pager.offsetHeight + 6;
    return window.innerHeight - table.getBoundingClientRect().top - below - 8;
  }
  function pagerOf(table) {
    var wrap = table.closest(".table-wrap") || table;
    var p = wrap.nextElementSibling;
    if (!p || !p.classList.contains("projector-pager")) {
      p = document.createElement("p");
      p.className = "projector-pager";
      p.hidden = true;
      wrap.parentNode.insertBefore(p, wrap.nextSibling);
    }
    return p;
  }
  function showRows(rows, from, to) {
    rows.forEach(function (r, i) { r.style.display = i >= from && i < to ? "" : "none"; });
  }
  // The largest font (MIN..MAX) at which the table fits the room left; MIN if none does.
  function grow(table) {
    var lo = MIN, hi = MAX;
    table.style.fontSize = MIN + "px";
    if (table.offsetHeight > room(table)) return false;
    while (hi - lo > 1) {
      var mid = Math.floor((lo + hi) / 2);
      table.style.fontSize = mid + "px";
      if (table.offsetHeight <= room(table)) lo = mid; else hi = mid;
    }
    table.style.fontSize = lo + "px";
    return true;
  }

  function fitTable(table) {
    var rows = rowsOf(table);
    var pager = pagerOf(table);
    if (!rows.length || !table.offsetParent) return;
    showRows(rows, 0, rows.length);
    pager.hidden = true;
    if (grow(table)) { pageOf.set(table, {pages: 1, page: 0}); return; }
    // Too long at MIN px: pages of as many rows as fit, balanced.
    pager.hidden = false;
    pager.textContent = "0 / 0";
    var head = table.tHead ? table.tHead.offsetHeight : 0;
    var rowH = (table.offsetHeight - head) / rows.length;
    var per = Math.max(1, Math.floor((room(table) - head) / rowH));
    var pages = Math.ceil(rows.length / per);
    per = Math.ceil(rows.length / pages);
    var state = pageOf.get(table);
    var page = state && state.pages === pages ? state.page % pages : 0;
    pageOf.set(table, {pages: pages, page: page, per: per});
    showPage(table);
  }

  function showPage(table) {
    var s = pageOf.get(table), rows = rowsOf(table), pager = pagerOf(table);
    showRows(rows, s.page * s.per, (s.page + 1) * s.per);
    pager.textContent = (document.body.getAttribute("data-page-label") || "%(page)s / %(pages)s")
      .replace("%(page)s", s.page + 1).replace("%(pages)s", s.pages);
    grow(table);
  }

  function fit() {
    main.querySelectorAll("table.projector-table").forEach(fitTable);
    if (observer) observer.takeRecords();  // our own changes are not news
  }

  var queued = false;
  function later() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(function () { queued = false; fit(); });
  }
  observer = new MutationObserver(later);
  observer.observe(main, {childList: true, subtree: true, attributes: true, attributeFilter: ["hidden"]});
  window.addEventListener("resize", later);
  window.setInterval(function () {
    main.querySelectorAll("table.projector-table").forEach(function (table) {
      var s = pageOf.get(table);
      if (!s || s.pages < 2 || !table.offsetParent) return;
      s.page = (s.page + 1) % s.pages;
      showPage(table);
    });
    observer.takeRecords();
  }, every * 1000);
  fit();
})();
