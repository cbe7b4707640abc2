// Takes the README's pictures from the real app: docs/images/dashboard.png (a customer's
// dashboard after a few movements) and docs/images/api-docs.png (/docs after "Authorize" and
// "Try it out" on GET /api/accounts/me). Starts its own stack on free ports and stops it.
//
//   make screenshots        (or: BANK_BUILD_DIR=build/dev node tests/e2e/screenshots.mjs)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { repoRoot } from '../integration/harness.mjs';
import { launchBrowser, logIn, openPage, startWebStack } from './browser.mjs';

const imagesDir = path.join(repoRoot, 'docs', 'images');
const alice = {
    username: 'alice',
    password: 'correct horse battery',
    email: 'alice@example.com',
    first_name: 'Alice',
    last_name: 'Smith',
    phone: '+1 555 010 2030',
};
const bob = {
    username: 'bob',
    password: 'battery staple horse',
    email: 'bob@example.com',
    first_name: 'Bob',
    last_name: 'Jones',
};

async function call(stack, method, urlPath, options) {
    const response = await stack.api(method, urlPath, options);
    assert.ok(response.status < 300, `${method} ${urlPath}: ${response.status} ${response.text}`);
    return response.body;
}

const stack = await startWebStack();
const browser = await launchBrowser();
try {
    for (const customer of [alice, bob])
        await call(stack, 'POST', '/api/accounts', { json: customer });
    const token = async (customer) =>
        (
            await call(stack, 'POST', '/api/accounts/login', {
                json: { username: customer.username, password: customer.password },
            })
        ).access_token;
    const aliceToken = await token(alice);
    const bobToken = await token(bob);
    await call(stack, 'POST', '/api/transactions/deposit', {
        json: { amount: '2500.00' },
        token: aliceToken,
    });
    await call(stack, 'POST', '/api/transactions/withdraw', {
        json: { amount: '120.50' },
        token: aliceToken,
    });
    await call(stack, 'POST', '/api/transactions/transfer', {
        json: { receiver_username: 'bob', amount: '300' },
        token: aliceToken,
    });
    await call(stack, 'POST', '/api/transactions/transfer', {
        json: { receiver_username: 'alice', amount: '45.25' },
        token: bobToken,
    });
    fs.mkdirSync(imagesDir, { recursive: true });

    const app = await openPage(browser, stack, { width: 1100, height: 760 });
    await app.page.goto('/login');
    await logIn(app.page, alice);
    await app.page.getByTestId('transaction').nth(3).waitFor();
    await app.page.screenshot({ path: path.join(imagesDir, 'dashboard.png') });
    app.check();
    await app.close();

    const docs = await openPage(browser, stack, { width: 1100, height: 900 });
    const { page } = docs;
    await page.goto('/docs');
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    const oauth = page.locator('.modal-ux .auth-container').filter({ hasText: 'oauth2' });
    await oauth.getByLabel('username:').fill(alice.username);
    await oauth.getByLabel('password:').fill(alice.password);
    await oauth.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
    await oauth.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await page.locator('.modal-ux').getByRole('button', { name: 'Close' }).first().click();
    const operation = page.locator('#operations-accounts-getMyAccount');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    await operation
        .locator('.live-responses-table .response-col_status')
        .filter({ hasText: '200' })
        .waitFor();
    // The accounts section from its heading down, with the answer of the request just made.
    await page
        .locator('#operations-tag-accounts')
        .evaluate((heading) => window.scrollTo(0, heading.offsetTop - 8));
    await page.screenshot({ path: path.join(imagesDir, 'api-docs.png') });
    docs.check();
    await docs.close();
    console.log(
        `screenshots: wrote ${path.join(imagesDir, 'dashboard.png')} and ${path.join(imagesDir, 'api-docs.png')}`,
    );
} finally {
    await browser.close();
    await stack.stop();
}
