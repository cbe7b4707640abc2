// Proves that GET /docs serves Swagger UI, bundled with the app (no request leaves the gateway),
// on the document at /api/openapi.json: every operation of openapi/openapi.json is listed, and
// "Authorize" (the OAuth2 password flow against /api/auth/token) followed by "Try it out" on
// GET /api/accounts/me gets the caller's account, as FastAPI's /docs did.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { repoRoot } from '../integration/harness.mjs';
import { createCustomer, webSuite, withPage } from './browser.mjs';

const document = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'openapi', 'openapi.json'), 'utf8'),
);
const kMethods = ['get', 'put', 'post', 'delete', 'patch'];

describe('API docs', { timeout: 180_000 }, () => {
    const suite = webSuite();

    test("/api/openapi.json is the project's document", async () => {
        const served = await suite.stack.api('GET', '/api/openapi.json');
        assert.equal(served.status, 200);
        assert.match(served.headers['content-type'], /^application\/json/);
        assert.equal(served.headers['cache-control'], 'no-cache');
        assert.deepEqual(served.body, document);
    });

    test('/docs lists every operation of the document', async (t) => {
        await withPage(t, suite, async ({ page }) => {
            await page.goto('/docs');
            await page.getByRole('heading', { name: /Bank API/ }).waitFor();
            const expected = [];
            for (const [template, item] of Object.entries(document.paths)) {
                for (const method of kMethods) {
                    if (item[method]) expected.push(`${method.toUpperCase()} ${template}`);
                }
            }
            await page
                .locator('.opblock')
                .nth(expected.length - 1)
                .waitFor();
            const listed = await page
                .locator('.opblock-summary')
                .evaluateAll((summaries) =>
                    summaries.map(
                        (summary) =>
                            `${summary.querySelector('.opblock-summary-method').textContent} ${summary
                                .querySelector('.opblock-summary-path')
                                .getAttribute('data-path')}`,
                    ),
                );
            assert.deepEqual([...listed].sort(), [...expected].sort());
        });
    });

    test('Authorize with a password, then Try it out on GET /api/accounts/me', async (t) => {
        const mallory = await createCustomer(suite.stack, 'Mallory');
        await withPage(t, suite, async ({ page }) => {
            await page.goto('/docs');
            await page.getByRole('button', { name: 'Authorize' }).first().click();
            const dialog = page.locator('.modal-ux');
            const oauth = dialog.locator('.auth-container').filter({ hasText: 'oauth2' });
            await oauth.getByLabel('username:').fill(mallory.username);
            await oauth.getByLabel('password:').fill(mallory.password);
            const [token] = await Promise.all([
                page.waitForResponse((response) => response.url().endsWith('/api/auth/token')),
                oauth.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click(),
            ]);
            assert.equal(token.status(), 200, await token.text());
            assert.match(token.request().postData(), /grant_type=password/);
            await oauth.getByRole('button', { name: 'Remove authorization' }).waitFor();
            await dialog.getByRole('button', { name: 'Close' }).first().click();

            const operation = page.locator('#operations-accounts-getMyAccount');
            await operation.locator('.opblock-summary').click();
            await operation.getByRole('button', { name: 'Try it out' }).click();
            const [me] = await Promise.all([
                page.waitForResponse((response) => response.url().endsWith('/api/accounts/me')),
                operation.getByRole('button', { name: 'Execute' }).click(),
            ]);
            assert.equal(me.status(), 200);
            assert.match(me.request().headers().authorization, /^Bearer /);
            const live = operation.locator('.live-responses-table');
            await live.locator('.response-col_status').filter({ hasText: '200' }).waitFor();
            await live
                .locator('.response-col_description')
                .filter({ hasText: mallory.account.account_number })
                .waitFor();
        });
    });
});
