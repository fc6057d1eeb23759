// /docs: Swagger UI over the spec this server serves (/openapi.json, the same document as
// openapi/openapi.json). A file of its own, so the page's CSP allows scripts from 'self' only.
(function () {
  "use strict";
  var root = document.getElementById("ui");
  window.ui = SwaggerUIBundle({
    dom_id: "#ui",
    url: root.getAttribute("data-spec"),
    deepLinking: true,
    filter: false,
  });
})();
