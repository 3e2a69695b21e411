// The director's navigation is a <details> menu on a phone; on a wider screen every link shows
// (CSS does it where ::details-content is known; this opens the menu for older browsers).
(function () {
  "use strict";
  var menu = document.getElementById("navmenu");
  if (menu && window.matchMedia("(min-width: 700px)").matches) menu.open = true;
})();
