// Tournament settings: the team precedence is a list of numbered selects (it works without
// JavaScript); here each place also gets "up" and "down" buttons and can be dragged.
(function () {
  "use strict";

  function selects(list) {
    return Array.prototype.map.call(list.children, function (li) { return li.querySelector("select"); });
  }

  function moveValue(list, from, to) {
    var boxes = selects(list);
    if (to < 0 || to >= boxes.length || from === to) return;
    var values = boxes.map(function (s) { return s.value; });
    var moved = values.splice(from, 1)[0];
    values.splice(to, 0, moved);
    boxes.forEach(function (s, i) { s.value = values[i]; });
    boxes[to].focus();
  }

  function button(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "move";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.title = label;
    b.addEventListener("click", onClick);
    return b;
  }

  // After an invalid entry, go to the first field that says what is wrong.
  var bad = document.querySelector(".setting.has-error input:not([type=hidden]), .setting.has-error select");
  if (bad) bad.focus();

  document.querySelectorAll("ol[data-order]").forEach(function (list) {
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (li, i) {
      var label = li.querySelector("label");
      label.appendChild(button("↑", list.dataset.up, function () { moveValue(list, i, i - 1); }));
      label.appendChild(button("↓", list.dataset.down, function () { moveValue(list, i, i + 1); }));
      li.addEventListener("dragstart", function (e) {
        list.dataset.dragFrom = String(i);
        li.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", String(i));
      });
      li.addEventListener("dragend", function () {
        li.classList.remove("dragging");
        items.forEach(function (x) { x.classList.remove("drop-target"); });
      });
      li.addEventListener("dragover", function (e) {
        e.preventDefault();
        li.classList.add("drop-target");
      });
      li.addEventListener("dragleave", function () { li.classList.remove("drop-target"); });
      li.addEventListener("drop", function (e) {
        e.preventDefault();
        li.classList.remove("drop-target");
        moveValue(list, Number(list.dataset.dragFrom), i);
      });
    });
  });
})();
