// Starts Redoc from a same-origin file (the CSP forbids inline script).
(function () {
  "use strict";
  var root = document.getElementById("redoc");
  Redoc.init(root.getAttribute("data-openapi-url"), {}, root);
})();
