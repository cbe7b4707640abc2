// Builds the web app (index.html) and the API docs page (docs/index.html) into dist/, which
// the gateway serves. The OpenAPI document is copied in as dist/openapi.json, so the gateway
// serves the document of the same build at /api/openapi.json.
//
// `npm run dev` serves the app with hot reload and sends /api to a running gateway
// (BANK_GATEWAY_URL, default http://127.0.0.1:8080, e.g. from `make up`).
import { readFileSync } from 'node:fs';

import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vitest/config';

const openapiPath = new URL('../openapi/openapi.json', import.meta.url);

function openapiDocument(): Plugin {
    return {
        name: 'bank-openapi-document',
        generateBundle() {
            const text = readFileSync(openapiPath, 'utf8');
            JSON.parse(text); // A broken document fails the build, not the docs page.
            this.emitFile({ type: 'asset', fileName: 'openapi.json', source: text });
        },
    };
}

export default defineConfig({
    plugins: [react(), openapiDocument()],
    build: {
        // Every browser that runs the app supports modulepreload; no polyfill file.
        modulePreload: { polyfill: false },
        // Swagger UI is one large module; it is only loaded by /docs.
        chunkSizeWarningLimit: 2048,
        rolldownOptions: {
            // The timing report names the slowest plugin (CSS) on every build; it is expected.
            checks: { bundlerTimings: false },
            input: {
                app: new URL('index.html', import.meta.url).pathname,
                docs: new URL('docs/index.html', import.meta.url).pathname,
            },
        },
    },
    server: {
        proxy: { '/api': process.env.BANK_GATEWAY_URL ?? 'http://127.0.0.1:8080' },
    },
    test: {
        include: ['src/**/*.test.ts'],
        environment: 'node',
    },
});
