// Proves, in a real browser (Debian's Chromium) against the real stack (Redis, the services,
// NGINX serving the built app), that a person can open accounts, log in, deposit, withdraw and
// transfer, and that both sides' histories show it; that bad input and a wrong password are
// explained next to the field they concern; that a double click or a lost answer moves money
// once; that the session is renewed before its token expires, a page that needs a login comes
// back after it, a tab opened from a logged-in tab logs in on its own instead of using that tab's
// refresh token, and logout revokes the refresh token; and that the pages work by keyboard, have
// a label on every input, and fit a 375 px wide phone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
    createCustomer,
    dashboardOf,
    logIn,
    logInToDashboard,
    moveMoney,
    navigateTo,
    newCustomer,
    reviewTransfer,
    signUp,
    statementRows,
    webSuite,
    withPage,
} from './browser.mjs';

/**
 * The refresh grants sent from the context's pages, in order, with the server's status (null:
 * no answer, say because the page navigated away), and the uncaught errors of pages opened
 * later: by({ name: page, ... }) names each page.
 */
function watchRenewals(context) {
    const seen = [];
    const errors = [];
    context.on('request', (request) => {
        if (!request.url().endsWith('/api/auth/token')) return;
        if (!/grant_type=refresh_token/.test(request.postData() ?? '')) return;
        const renewal = { page: request.frame().page(), status: null };
        seen.push(renewal);
        request.response().then(
            (response) => {
                renewal.status = response?.status() ?? null;
            },
            () => undefined,
        );
    });
    context.on('page', (page) => page.on('pageerror', (error) => errors.push(error.message)));
    return {
        errors,
        by: (pages) =>
            seen.map(({ page, status }) => [
                Object.keys(pages).find((name) => pages[name] === page) ?? 'another page',
                status,
            ]),
    };
}

describe('web app', { timeout: 300_000 }, () => {
    const suite = webSuite();

    test('two people sign up, move money, and both histories show it', async (t) => {
        const alice = newCustomer('Alice');
        const bob = newCustomer('Bob');
        let bobAccountNumber;
        await withPage(t, suite, async ({ page }) => {
            await signUp(page, bob);
            bobAccountNumber = (await page.getByTestId('account-number').textContent()).trim();
            assert.match(bobAccountNumber, /^[0-9]{10}$/);
            assert.equal(await page.getByTestId('balance').textContent(), '$0.00');
        });

        await withPage(t, suite, async ({ page }) => {
            await signUp(page, alice);
            assert.match(await page.getByRole('status').textContent(), /Your account is open/);
            assert.equal(await page.getByTestId('balance').textContent(), '$0.00');
            assert.match(await page.locator('.empty').textContent(), /No transactions yet/);

            assert.equal(
                await moveMoney(page, 'deposit', '1234.56'),
                'Deposited $1,234.56. Your balance is now $1,234.56.',
            );
            assert.equal(
                await moveMoney(page, 'withdraw', '34.5'),
                'Withdrew $34.50. Your balance is now $1,200.06.',
            );

            await reviewTransfer(page, { username: bob.username, amount: '200' });
            assert.equal(await page.getByTestId('confirm-amount').textContent(), '$200.00');
            assert.equal(await page.getByTestId('confirm-receiver').textContent(), bob.username);
            await page.getByRole('button', { name: 'Send $200.00' }).click();
            assert.equal(
                await page.getByRole('status').textContent(),
                `Sent $200.00 to ${bob.username}. Your balance is now $1,000.06.`,
            );

            await reviewTransfer(page, { accountNumber: bobAccountNumber, amount: '0.06' });
            assert.equal(
                await page.getByTestId('confirm-receiver').textContent(),
                `account ${bobAccountNumber}`,
            );
            await page.getByRole('button', { name: 'Send $0.06' }).click();
            assert.equal(
                await page.getByRole('status').textContent(),
                `Sent $0.06 to ${bob.username}. Your balance is now $1,000.00.`,
            );

            await navigateTo(page, 'Account');
            await page.getByTestId('balance').filter({ hasText: '$1,000.00' }).waitFor();
            await navigateTo(page, 'History');
            await page.getByRole('heading', { name: 'Transaction history' }).waitFor();
            assert.deepEqual(await statementRows(page), [
                [`Transfer to ${bob.username}`, '-$0.06', '$1,000.00'],
                [`Transfer to ${bob.username}`, '-$200.00', '$1,000.06'],
                ['Withdrawal', '-$34.50', '$1,200.06'],
                ['Deposit', '+$1,234.56', '$1,234.56'],
            ]);
        });

        await withPage(t, suite, async ({ page }) => {
            await page.goto('/history');
            await logIn(page, bob);
            await page.getByRole('heading', { name: 'Transaction history' }).waitFor();
            assert.deepEqual(await statementRows(page), [
                [`Transfer from ${alice.username}`, '+$0.06', '$200.06'],
                [`Transfer from ${alice.username}`, '+$200.00', '$200.00'],
            ]);
            await navigateTo(page, 'Account');
            await page.getByTestId('balance').filter({ hasText: '$200.06' }).waitFor();
        });
    });

    test('history pages through a long statement', async (t) => {
        const carol = await createCustomer(suite.stack, 'Carol');
        const login = await suite.stack.api('POST', '/api/accounts/login', {
            json: { username: carol.username, password: carol.password },
        });
        for (let cents = 1; cents <= 12; cents++) {
            const deposit = await suite.stack.api('POST', '/api/transactions/deposit', {
                json: { amount: `0.${String(cents).padStart(2, '0')}` },
                token: login.body.access_token,
            });
            assert.equal(deposit.status, 200, deposit.text);
        }
        await withPage(t, suite, async ({ page }) => {
            await page.goto('/history');
            await logIn(page, carol);
            const older = page.getByRole('button', { name: 'Older' });
            const newer = page.getByRole('button', { name: 'Newer' });
            await page.getByText('Page 1', { exact: true }).waitFor();
            const first = await statementRows(page);
            assert.equal(first.length, 10);
            assert.deepEqual(first[0], ['Deposit', '+$0.12', '$0.78']);
            assert.equal(await newer.isDisabled(), true);
            await older.click();
            await page.getByText('Page 2', { exact: true }).waitFor();
            await page.getByTestId('transaction').first().filter({ hasText: '+$0.02' }).waitFor();
            assert.deepEqual(await statementRows(page), [
                ['Deposit', '+$0.02', '$0.03'],
                ['Deposit', '+$0.01', '$0.01'],
            ]);
            assert.equal(await older.isDisabled(), true);
            await newer.click();
            await page.getByText('Page 1', { exact: true }).waitFor();
            await page.getByTestId('transaction').first().filter({ hasText: '+$0.12' }).waitFor();
        });
    });

    test('bad amounts are explained next to the amount field', async (t) => {
        const dave = await createCustomer(suite.stack, 'Dave');
        await withPage(t, suite, async ({ page }) => {
            await page.goto('/deposit');
            await logIn(page, dave);
            const amount = page.getByLabel('Amount (USD)');
            const sent = [];
            page.on('request', (request) => {
                if (request.method() === 'POST') sent.push(request.url());
            });

            // Caught in the browser: nothing is sent.
            await amount.fill('12.345');
            await page.getByRole('button', { name: 'Deposit', exact: true }).click();
            const error = page.locator('#field-amount-error');
            assert.equal(await error.textContent(), 'Use at most 2 decimal places, e.g. 12.34.');
            assert.equal(await amount.getAttribute('aria-invalid'), 'true');
            assert.match(await amount.getAttribute('aria-describedby'), /field-amount-error/);
            assert.equal(await amount.evaluate((input) => input === document.activeElement), true);
            await amount.fill('abc');
            await page.getByRole('button', { name: 'Deposit', exact: true }).click();
            await error.filter({ hasText: 'Enter an amount like 12.34' }).waitFor();
            assert.deepEqual(sent, [], 'nothing was sent');

            // Refused by the server: shown at the same place.
            await navigateTo(page, 'Withdraw');
            await page.getByLabel('Amount (USD)').fill('5000');
            await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
            await page
                .locator('#field-amount-error')
                .filter({ hasText: 'Insufficient funds.' })
                .waitFor();
            await page.getByLabel('Amount (USD)').fill('2000000');
            await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
            await page
                .locator('#field-amount-error')
                .filter({ hasText: 'must not exceed 1000000.00' })
                .waitFor();

            await navigateTo(page, 'Transfer');
            await page.getByLabel("Receiver's username").fill(`nobody_${dave.username.slice(-8)}`);
            await page.getByLabel('Amount (USD)').fill('1');
            await page.getByRole('button', { name: 'Review transfer' }).click();
            await page.getByRole('button', { name: 'Send $1.00' }).click();
            await page
                .locator('#field-receiver-error')
                .filter({ hasText: 'No account has that username or account number.' })
                .waitFor();
        });
    });

    test("sign-up checks every field and shows the server's answer next to its field", async (t) => {
        const taken = await createCustomer(suite.stack, 'Erin');
        await withPage(t, suite, async ({ page }) => {
            await page.goto('/signup');
            await page.getByRole('button', { name: 'Open account' }).click();
            for (const [id, message] of [
                ['first_name', 'Enter your first name.'],
                ['last_name', 'Enter your last name.'],
                ['username', 'Use 3 to 32 characters.'],
                ['email', 'Enter your email address.'],
                ['password', 'Use 8 to 128 characters.'],
            ]) {
                assert.equal(await page.locator(`#field-${id}-error`).textContent(), message, id);
            }
            assert.equal(
                await page.locator('#field-phone-error').count(),
                0,
                'the phone is optional',
            );
            // The first field with a problem has the focus.
            assert.equal(
                await page
                    .getByLabel('First name')
                    .evaluate((input) => input === document.activeElement),
                true,
            );

            // Checked on leaving the field, and again as it is corrected.
            const email = page.getByLabel('Email');
            await email.fill('not-an-email');
            await email.blur();
            await page
                .locator('#field-email-error')
                .filter({ hasText: 'like name@example.com' })
                .waitFor();
            await email.fill('erin@example.com');
            await page.locator('#field-email-error').waitFor({ state: 'detached' });

            const customer = { ...newCustomer('Erin'), username: taken.username.toUpperCase() };
            await page.getByLabel('First name').fill(customer.first_name);
            await page.getByLabel('Last name').fill(customer.last_name);
            await page.getByLabel('Username').fill(customer.username);
            await page.getByLabel('Email').fill(customer.email);
            await page.getByLabel('Phone (optional)').fill('+1 555 010 2030');
            await page.getByLabel('Password').fill(customer.password);
            await page.getByRole('button', { name: 'Open account' }).click();
            await page
                .locator('#field-username-error')
                .filter({ hasText: 'That username is taken. Choose another.' })
                .waitFor();
            assert.equal(
                await page
                    .getByLabel('Username')
                    .evaluate((input) => input === document.activeElement),
                true,
            );
        });
    });

    test('a wrong password is refused with a clear message; the right one logs in', async (t) => {
        const frank = await createCustomer(suite.stack, 'Frank');
        await withPage(t, suite, async ({ page }) => {
            await page.goto('/login');
            await logIn(page, { username: frank.username, password: 'not the password' });
            assert.equal(
                await page.getByRole('alert').textContent(),
                'Incorrect username or password.',
            );
            assert.equal(new URL(page.url()).pathname, '/login');
            await logIn(page, frank);
            await dashboardOf(page, frank).waitFor();
            assert.equal(
                await page.getByTestId('account-number').textContent(),
                frank.account.account_number,
            );
        });
    });

    test('a page that needs a login sends the person to log in, and back; a reload keeps the session', async (t) => {
        const grace = await createCustomer(suite.stack, 'Grace');
        await withPage(t, suite, async ({ page }) => {
            await page.goto('/transfer');
            await page.waitForURL(
                (url) => url.pathname === '/login' && url.searchParams.get('next') === '/transfer',
            );
            assert.match(await page.getByRole('status').textContent(), /Log in to continue/);
            await logIn(page, grace);
            await page.getByRole('heading', { name: 'Transfer' }).waitFor();
            assert.equal(new URL(page.url()).pathname, '/transfer');
            // An unsafe "next" is ignored.
            await page.reload();
            await page.getByRole('heading', { name: 'Transfer' }).waitFor();
            await page.goto('/login?next=//evil.example/');
            await page.waitForURL((url) => url.pathname === '/');
        });
    });

    test('a tab opened from a logged-in tab logs in on its own; neither logs the other out', async (t) => {
        const heidi = await createCustomer(suite.stack, 'Heidi');
        await withPage(t, suite, async ({ page, context }) => {
            await logInToDashboard(page, heidi);
            const renewals = watchRenewals(context);
            // window.open keeps the opener, so Chromium gives the new tab a copy of this tab's
            // sessionStorage, refresh token included, as "Duplicate tab" does.
            await page.evaluate(() => sessionStorage.setItem('e2e.probe', 'copied'));
            const [copy] = await Promise.all([
                context.waitForEvent('page'),
                page.evaluate(() => void window.open('/history', '_blank')),
            ]);
            await copy.waitForURL(
                (url) => url.pathname === '/login' && url.searchParams.get('next') === '/history',
            );
            assert.equal(await copy.evaluate(() => sessionStorage.getItem('e2e.probe')), 'copied');
            assert.equal(await copy.evaluate(() => sessionStorage.getItem('bank.session')), null);

            // The first tab renews with its own token (a reload restores the session with it):
            // had the copy rotated that token, the server would now revoke the login.
            await page.reload();
            await dashboardOf(page, heidi).waitFor();
            // The copied tab logs in on its own, and both tabs keep their logins across reloads.
            await logIn(copy, heidi);
            await copy.getByRole('heading', { name: 'Transaction history' }).waitFor();
            await copy.reload();
            await copy.getByRole('heading', { name: 'Transaction history' }).waitFor();
            await page.reload();
            await dashboardOf(page, heidi).waitFor();
            assert.deepEqual(renewals.by({ page, copy }), [
                ['page', 200],
                ['copy', 200],
                ['page', 200],
            ]);
            assert.deepEqual(renewals.errors, []);
        });
    });

    test('a tab copied while its own tab is on another page takes the login over', async (t) => {
        const ivan = await createCustomer(suite.stack, 'Ivan');
        await withPage(t, suite, async ({ page, context }) => {
            await logInToDashboard(page, ivan);
            const renewals = watchRenewals(context);
            // The person opens the API docs in this tab: no page of the app uses the login now.
            await page.goto('/docs');
            const [copy] = await Promise.all([
                context.waitForEvent('page'),
                page.evaluate(() => void window.open('/history', '_blank')),
            ]);
            await copy.getByRole('heading', { name: 'Transaction history' }).waitFor();
            // Back in the first tab, the app finds the login taken over and asks for a login
            // instead of renewing with the token the copy has already rotated. (Playwright runs
            // Chromium without its back/forward cache, so this is a fresh load; tab.test.ts
            // covers a page coming back from that cache.)
            await page.goBack();
            await page.waitForURL((url) => url.pathname === '/login');
            assert.equal(await page.evaluate(() => sessionStorage.getItem('bank.session')), null);
            await copy.reload();
            await copy.getByRole('heading', { name: 'Transaction history' }).waitFor();
            assert.deepEqual(renewals.by({ page, copy }), [
                ['copy', 200],
                ['copy', 200],
            ]);
            assert.deepEqual(renewals.errors, []);
        });
    });

    test('a request the session cannot make leads to the login page, and back after it', async (t) => {
        const olga = await createCustomer(suite.stack, 'Olga');
        await withPage(t, suite, async ({ page }) => {
            await logInToDashboard(page, olga);
            // The statement refuses the token twice: before and after the app renews it.
            let refused = 0;
            await page.route('**/api/transactions/history*', async (route) => {
                if (refused >= 2) return route.continue();
                refused++;
                return route.fulfill({
                    status: 401,
                    contentType: 'application/problem+json',
                    body: JSON.stringify({
                        type: '/problems/invalid_token',
                        title: 'Unauthorized',
                        status: 401,
                        detail: 'The access token is not valid',
                        code: 'invalid_token',
                    }),
                });
            });
            const [renewal] = await Promise.all([
                page.waitForResponse((response) => response.url().endsWith('/api/auth/token')),
                navigateTo(page, 'History'),
            ]);
            assert.equal(renewal.status(), 200);
            await page.waitForURL(
                (url) => url.pathname === '/login' && url.searchParams.get('next') === '/history',
            );
            assert.match(await page.getByRole('status').textContent(), /Your session has ended/);
            assert.equal(refused, 2);
            await logIn(page, olga);
            await page.getByRole('heading', { name: 'Transaction history' }).waitFor();
            assert.equal(new URL(page.url()).pathname, '/history');
        });
    });

    test('the access token is renewed before it expires', async (t) => {
        const heidi = await createCustomer(suite.stack, 'Heidi');
        await withPage(t, suite, async ({ page }) => {
            // The page's clock runs normally until the test moves it on: the renewal timer then
            // fires as it would after that long, and asks the real auth service.
            await page.clock.install();
            await page.goto('/login');
            const [login] = await Promise.all([
                page.waitForResponse((response) => response.url().endsWith('/api/accounts/login')),
                logIn(page, heidi),
            ]);
            const { access_token: firstToken, expires_in: lifetimeS } = await login.json();
            await dashboardOf(page, heidi).waitFor();
            let refreshed = false;
            page.on('request', (request) => {
                if (request.url().endsWith('/api/auth/token')) refreshed = true;
            });
            // Not yet: one minute before expiry (900 s tokens: after 840 s).
            await page.clock.runFor((lifetimeS - 61) * 1000);
            assert.equal(refreshed, false, 'no renewal before it is due');
            const [refresh] = await Promise.all([
                page.waitForResponse((response) => response.url().endsWith('/api/auth/token')),
                page.clock.runFor(2000),
            ]);
            assert.equal(refresh.status(), 200);
            assert.match(refresh.request().postData(), /grant_type=refresh_token/);
            const renewedToken = (await refresh.json()).access_token;
            assert.notEqual(renewedToken, firstToken);
            const [history] = await Promise.all([
                page.waitForRequest((request) =>
                    request.url().includes('/api/transactions/history'),
                ),
                navigateTo(page, 'History'),
            ]);
            assert.equal(history.headers().authorization, `Bearer ${renewedToken}`);
            await page.getByText('No transactions yet.').waitFor();
        });
    });

    test('a double click, or an answer lost on the way, moves the money once', async (t) => {
        const ivan = await createCustomer(suite.stack, 'Ivan');
        const judy = await createCustomer(suite.stack, 'Judy');
        await withPage(t, suite, async ({ page }) => {
            await page.goto('/deposit');
            await logIn(page, ivan);
            const moneyRequests = [];
            page.on('request', (request) => {
                if (/\/api\/transactions\/(deposit|transfer)$/.test(request.url()))
                    moneyRequests.push(request);
            });

            // The first deposit reaches the bank, but its answer is lost: the app tries again
            // with the same Idempotency-Key and gets the first answer back.
            let lost = false;
            await page.route('**/api/transactions/deposit', async (route) => {
                if (lost) return route.continue();
                lost = true;
                await route.fetch();
                await route.abort('connectionreset');
            });
            await page.getByLabel('Amount (USD)').fill('50');
            await page.getByRole('button', { name: 'Deposit', exact: true }).click();
            assert.equal(
                await page.getByRole('status').textContent(),
                'Deposited $50.00. Your balance is now $50.00.',
            );
            assert.equal(moneyRequests.length, 2);
            const keys = moneyRequests.map((request) => request.headers()['idempotency-key']);
            assert.match(keys[0], /^[0-9a-f-]{36}$/);
            assert.equal(keys[1], keys[0]);
            assert.equal(
                (await moneyRequests[1].response()).headers()['idempotent-replayed'],
                'true',
            );

            moneyRequests.length = 0;
            await reviewTransfer(page, { username: judy.username, amount: '10' });
            await page.getByRole('button', { name: 'Send $10.00' }).dblclick();
            await page.getByRole('status').filter({ hasText: 'Sent $10.00' }).waitFor();
            assert.ok(moneyRequests.length >= 1);
            assert.equal(
                new Set(moneyRequests.map((request) => request.headers()['idempotency-key'])).size,
                1,
            );
        });
        const login = await suite.stack.api('POST', '/api/accounts/login', {
            json: { username: ivan.username, password: ivan.password },
        });
        assert.equal(login.body.account.balance, '40.00');
        const history = await suite.stack.api('GET', '/api/transactions/history', {
            token: login.body.access_token,
        });
        assert.deepEqual(
            history.body.items.map((item) => [item.type, item.amount]),
            [
                ['transfer', '10.00'],
                ['deposit', '50.00'],
            ],
        );
    });

    test('logout revokes the refresh token', async (t) => {
        const kim = await createCustomer(suite.stack, 'Kim');
        await withPage(t, suite, async ({ page }) => {
            await logInToDashboard(page, kim);
            const stored = JSON.parse(
                await page.evaluate(() => sessionStorage.getItem('bank.session')),
            );
            const [revoke] = await Promise.all([
                page.waitForResponse((response) => response.url().endsWith('/api/auth/revoke')),
                page.getByRole('button', { name: 'Log out' }).click(),
            ]);
            assert.equal(revoke.status(), 200);
            await page.getByText('You have logged out.').waitFor();
            assert.equal(await page.evaluate(() => sessionStorage.getItem('bank.session')), null);
            const reuse = await suite.stack.api('POST', '/api/auth/token', {
                form: { grant_type: 'refresh_token', refresh_token: stored.refreshToken },
            });
            assert.equal(reuse.status, 400);
            assert.equal(reuse.body.error, 'invalid_grant');
            await page.goto('/');
            await page.waitForURL(
                (url) => url.pathname === '/login' && url.searchParams.get('next') === '/',
            );
        });
    });

    test('every page works by keyboard, labels every input, and fits a 375 px screen', async (t) => {
        const leo = await createCustomer(suite.stack, 'Leo');
        await withPage(
            t,
            suite,
            async ({ page }) => {
                const fits = async (where) => {
                    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
                        scrollWidth: document.documentElement.scrollWidth,
                        clientWidth: document.documentElement.clientWidth,
                    }));
                    assert.ok(
                        scrollWidth <= clientWidth,
                        `${where}: no horizontal scrolling (${scrollWidth} > ${clientWidth})`,
                    );
                    const unlabelled = await page
                        .locator('input')
                        .evaluateAll((inputs) =>
                            inputs
                                .filter((input) => input.labels.length === 0)
                                .map((input) => input.name),
                        );
                    assert.deepEqual(unlabelled, [], `${where}: every input has a label`);
                };
                await page.goto('/signup');
                await page.getByLabel('First name').waitFor();
                await fits('sign-up');

                // Log in with the keyboard only; the focus is visible all the way.
                await page.goto('/login');
                await page.getByRole('heading', { name: 'Log in' }).waitFor();
                await page.keyboard.press('Tab');
                assert.equal(
                    await page.evaluate(() => document.activeElement.textContent),
                    'Skip to content',
                );
                await page.getByLabel('Username').focus();
                await page.keyboard.type(leo.username);
                await page.keyboard.press('Tab');
                await page.keyboard.type(leo.password);
                await page.keyboard.press('Tab');
                const outline = await page.evaluate(() => {
                    const style = getComputedStyle(document.activeElement);
                    return {
                        text: document.activeElement.textContent,
                        outline: style.outlineStyle,
                        width: style.outlineWidth,
                    };
                });
                assert.deepEqual(outline, { text: 'Log in', outline: 'solid', width: '3px' });
                await page.keyboard.press('Enter');
                await dashboardOf(page, leo).waitFor();
                await fits('dashboard');
                for (const [name, heading] of [
                    ['Deposit', 'Deposit'],
                    ['Withdraw', 'Withdraw'],
                    ['Transfer', 'Transfer'],
                    ['History', 'Transaction history'],
                ]) {
                    await navigateTo(page, name);
                    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
                    await fits(name);
                }
                // A statement on a phone.
                await moveMoney(page, 'deposit', '1000000');
                await navigateTo(page, 'History');
                await page.getByTestId('transaction').first().waitFor();
                await fits('history with a transaction');
            },
            { width: 375, height: 740 },
        );
    });
});
