// Starts Swagger UI from a same-origin file (the CSP forbids inline script).
// In a signed-in browser the session cookie authenticates, and state-changing requests
// must carry the session's CSRF token: fetch it once and add it to every request.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrf = null;
  fetch("/api/auth/csrf", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (body) { csrf = body && body.csrf_token; })
    .catch(function () { csrf = null; });
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      var method = (request.method || "GET").toUpperCase();
      if (csrf && ["GET", "HEAD", "OPTIONS"].indexOf(method) < 0) {
        request.headers["X-CSRF-Token"] = csrf;
      }
      return request;
    }
  });
})();
