// Shared by the end-to-end suites and the README screenshot script: the real stack (started by
// the integration harness) serving the built web app, Debian's Chromium driven by
// playwright-core, and the steps a person takes in the app.
//
// playwright-core is a dev dependency of web/ (one package-lock for all the JavaScript), so it
// is loaded from there. It never downloads a browser: /usr/bin/chromium is Debian's.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { after, before } from 'node:test';

import { repoRoot, startStack } from '../integration/harness.mjs';

const { chromium } = createRequire(path.join(repoRoot, 'web', 'package.json'))('playwright-core');

export const webRoot = path.join(repoRoot, 'web', 'dist');
/** Screenshots of failing pages (gitignored). */
export const outputDir = path.join(repoRoot, 'tests', 'e2e', 'output');
const kChromium = process.env.BANK_CHROMIUM ?? '/usr/bin/chromium';

// Headless, and quiet on the network: without the background-networking flags Chromium tries
// to reach Google's services at start, which this machine's network refuses.
const kChromiumArgs = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
];

/** A locator or page wait longer than this is a failure, not slowness (the ASan build is slow). */
export const kStepTimeoutMs = 15_000;

/**
 * Starts the stack on free ports with the built app as its web root. A web root that is missing
 * fails here, with the command that builds it, rather than as a blank page later.
 */
export async function startWebStack(env = {}) {
    assert.ok(
        fs.existsSync(path.join(webRoot, 'index.html')),
        `${webRoot}/index.html is missing: build the web app first (make web)`,
    );
    assert.ok(fs.existsSync(kChromium), `${kChromium} is missing: run scripts/install-deps.sh`);
    return startStack({
        env: {
            BANK_WEB_ROOT: webRoot,
            // Many logins from one address in a few seconds; the limit is tested elsewhere.
            BANK_LOGIN_RATE: '1000r/s',
            BANK_LOGIN_BURST: '1000',
            ...env,
        },
    });
}

/**
 * Launches Chromium. Playwright gives every launch a fresh, empty profile (its own temporary
 * --user-data-dir) and every newContext() fresh storage, so no state leaks between tests.
 */
export function launchBrowser() {
    return chromium.launch({ executablePath: kChromium, headless: true, args: kChromiumArgs });
}

/**
 * For a describe() block: starts the stack and Chromium before its tests and stops both after
 * them. Answers the object whose `stack` and `browser` the tests then use.
 */
export function webSuite(env = {}) {
    const suite = { stack: undefined, browser: undefined };
    before(async () => {
        suite.stack = await startWebStack(env);
        suite.browser = await launchBrowser();
    });
    after(async () => {
        await suite.browser?.close();
        await suite.stack?.stop();
    });
    return suite;
}

/**
 * A new browser context and page on the stack, watched for what must never happen on any page:
 * an uncaught exception, a Content-Security-Policy violation, or a request to another origin.
 * Call check() at the end of a test.
 */
export async function openPage(browser, stack, { width = 1200, height = 900 } = {}) {
    const context = await browser.newContext({
        viewport: { width, height },
        baseURL: stack.gatewayUrl,
    });
    context.setDefaultTimeout(kStepTimeoutMs);
    const page = await context.newPage();
    const problems = [];
    const origin = new URL(stack.gatewayUrl).origin;
    page.on('pageerror', (error) => problems.push(`uncaught exception: ${error.message}`));
    page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text()))
            problems.push(`CSP: ${message.text()}`);
    });
    context.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) {
            problems.push(`request to another origin: ${url}`);
        }
    });
    return {
        page,
        context,
        check() {
            assert.deepEqual(
                problems,
                [],
                'no uncaught exceptions, CSP violations or outside requests',
            );
        },
        close: () => context.close(),
    };
}

/**
 * Runs body(view) on a fresh page; if it throws, saves a screenshot of the page under
 * tests/e2e/output/ and prints its path before failing the test.
 */
export async function withPage(t, { browser, stack }, body, viewport) {
    const view = await openPage(browser, stack, viewport);
    try {
        await body(view);
        view.check();
    } catch (error) {
        fs.mkdirSync(outputDir, { recursive: true });
        const name = t.name
            .replace(/[^A-Za-z0-9]+/g, '-')
            .replace(/^-|-$/g, '')
            .slice(0, 80);
        const file = path.join(outputDir, `${name}.png`);
        try {
            await view.page.screenshot({ path: file, fullPage: true });
            console.error(`# screenshot of the failing page: ${file} (at ${view.page.url()})`);
        } catch (screenshotError) {
            console.error(`# no screenshot of the failing page: ${screenshotError.message}`);
        }
        throw error;
    } finally {
        await view.close();
    }
}

/** A new customer's sign-up fields; the username is unique per call. */
export function newCustomer(firstName) {
    const suffix = crypto.randomUUID().slice(0, 8);
    return {
        username: `${firstName.toLowerCase()}_${suffix}`,
        password: `${firstName} correct horse`,
        email: `${firstName.toLowerCase()}.${suffix}@example.com`,
        first_name: firstName,
        last_name: 'Example',
    };
}

/** Opens an account through the API (for tests about other pages than sign-up). */
export async function createCustomer(stack, firstName) {
    const customer = newCustomer(firstName);
    const response = await stack.api('POST', '/api/accounts', { json: customer });
    assert.equal(response.status, 201, response.text);
    return { ...customer, account: response.body };
}

// ---------------------------------------------------------------------------------------------
// What a person does in the app. Fields are found by their labels, buttons by their names: the
// same way a screen reader user finds them.

export async function signUp(page, customer) {
    await page.goto('/signup');
    await page.getByLabel('First name').fill(customer.first_name);
    await page.getByLabel('Last name').fill(customer.last_name);
    await page.getByLabel('Username').fill(customer.username);
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Password').fill(customer.password);
    await page.getByRole('button', { name: 'Open account' }).click();
    await dashboardOf(page, customer).waitFor();
}

/** The dashboard's heading, which greets the customer. */
export function dashboardOf(page, customer) {
    return page.getByRole('heading', {
        level: 1,
        name: `Hello, ${customer.first_name} ${customer.last_name}`,
    });
}

/** Fills the login form on the page and submits it. */
export async function logIn(page, customer) {
    await page.getByLabel('Username').fill(customer.username);
    await page.getByLabel('Password').fill(customer.password);
    await page.getByRole('button', { name: 'Log in' }).click();
}

/** Opens the login page, logs in and waits for the dashboard. */
export async function logInToDashboard(page, customer) {
    await page.goto('/login');
    await logIn(page, customer);
    await dashboardOf(page, customer).waitFor();
}

/** Goes to a page through the main navigation, as a person would. */
export async function navigateTo(page, name) {
    await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name, exact: true })
        .click();
}

/** Deposits or withdraws through the form and waits for the answer; returns the message. */
export async function moveMoney(page, kind, amount) {
    await navigateTo(page, kind === 'deposit' ? 'Deposit' : 'Withdraw');
    await page.getByLabel('Amount (USD)').fill(amount);
    await page
        .getByRole('button', { name: kind === 'deposit' ? 'Deposit' : 'Withdraw', exact: true })
        .click();
    const status = page.getByRole('status');
    await status.waitFor();
    return status.textContent();
}

/** Fills the transfer form and reviews it; the confirmation step is then on screen. */
export async function reviewTransfer(page, { username, accountNumber, amount }) {
    await navigateTo(page, 'Transfer');
    if (accountNumber !== undefined) {
        await page.getByLabel('An account number').check();
        await page.getByLabel("Receiver's account number").fill(accountNumber);
    } else {
        await page.getByLabel("Receiver's username").fill(username);
    }
    await page.getByLabel('Amount (USD)').fill(amount);
    await page.getByRole('button', { name: 'Review transfer' }).click();
    await page.getByRole('heading', { name: 'Confirm the transfer' }).waitFor();
}

/** The rows of the statement on the page, as [description, amount, balance]. */
export async function statementRows(page) {
    await page.locator('table.statement').waitFor();
    return page
        .getByTestId('transaction')
        .evaluateAll((rows) =>
            rows.map((row) =>
                [...row.querySelectorAll('td')].slice(1).map((cell) => cell.textContent.trim()),
            ),
        );
}
