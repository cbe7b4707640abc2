// /docs: Swagger UI on the API's OpenAPI document, as FastAPI's /docs page was. Everything is
// bundled from swagger-ui-dist; the page loads nothing from another site (the online spec
// validator badge is switched off). "Authorize" uses the document's OAuth2 password flow, whose
// tokenUrl is /api/auth/token, and "Try it out" sends requests to the gateway at /api.
import 'swagger-ui-dist/swagger-ui.css';
import './docs.css';

import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-bundle.js';

SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    displayRequestDuration: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
});
