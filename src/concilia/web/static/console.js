/* Concilia console keyboard: j/k move in the worklist, Enter opens, / searches.
   A static file (the CSP forbids inline scripts and handlers); plain DOM, no framework. */
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table.worklist tbody tr[data-href]"));
  }
  function current(list) {
    for (var i = 0; i < list.length; i++) { if (list[i].classList.contains("current")) { return i; } }
    return -1;
  }
  function select(list, index) {
    list.forEach(function (row) { row.classList.remove("current"); row.removeAttribute("aria-selected"); });
    var row = list[index];
    if (!row) { return; }
    row.classList.add("current");
    row.setAttribute("aria-selected", "true");
    var link = row.querySelector("a");
    if (link) { link.focus(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.key === "/" && !typing(event.target)) {
      var search = document.getElementById("search");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (typing(event.target)) { return; }
    var list = rows();
    if (!list.length) { return; }
    var index = current(list);
    if (event.key === "j") { event.preventDefault(); select(list, Math.min(index + 1, list.length - 1)); }
    else if (event.key === "k") { event.preventDefault(); select(list, Math.max(index - 1, 0)); }
    else if (event.key === "Enter" && index >= 0 && event.target.tagName !== "A") {
      event.preventDefault(); window.location.assign(list[index].getAttribute("data-href"));
    }
  });
})();
