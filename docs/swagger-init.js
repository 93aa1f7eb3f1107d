/*
 * swagger-init.js - start Swagger UI on /api/v1/openapi.json.  A separate
 * file, not an inline <script>, because the CSP for /docs allows scripts
 * from our own origin only.  "Try it out" calls go to the same origin.
 */
window.addEventListener("load", function () {
	"use strict";
	window.ui = window.SwaggerUIBundle({
		url: "/api/v1/openapi.json",
		dom_id: "#swagger-ui",
		deepLinking: true,
		/* Keep the bearer token across reloads of this tab only. */
		persistAuthorization: false,
		/* No call to the public validator service: no third party. */
		validatorUrl: null,
		docExpansion: "list",
		defaultModelsExpandDepth: 0,
		presets: [window.SwaggerUIBundle.presets.apis],
		layout: "BaseLayout"
	});
});
