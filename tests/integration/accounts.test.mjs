// Proves the accounts service's contract, black-box, through a real stack (Redis, auth, accounts,
// NGINX): sign-up with every field validated at once, reading one's own account with a Bearer
// token (and nobody else's; forged, tampered and alg-none tokens refused), login through the
// accounts service, the 503 when the auth service is down, and method errors.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertProblem, startStack } from './harness.mjs';

const kUuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const kIso8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const kAccountKeys = ['account_number', 'balance', 'balance_minor', 'created_at', 'currency',
    'email', 'first_name', 'last_name', 'phone', 'user_id', 'username'];
const kTokenKeys = ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user_id',
    'username'];
const kNoRateLimit = { BANK_LOGIN_RATE: '1000r/s', BANK_LOGIN_BURST: '1000' };

function unique(prefix) {
    return `${prefix}${crypto.randomBytes(4).toString('hex')}`;
}

function secret() {
    return `pw-${crypto.randomBytes(12).toString('hex')}`;
}

function signUp(overrides = {}) {
    const username = unique('acct');
    return {
        username,
        password: secret(),
        email: `${username.toLowerCase()}@example.com`,
        first_name: 'Ada',
        last_name: 'Lovelace',
        ...overrides,
    };
}

function assertJson(response, status) {
    assert.equal(response.status, status, `status of ${response.text}`);
    assert.match(response.headers['content-type'] ?? '', /^application\/json\b/,
        `content type of ${response.text}`);
    assert.equal(typeof response.body, 'object', `JSON body: ${response.text}`);
}

/** No key anywhere in the value mentions a password or a hash. */
function assertNoSecrets(value, where = 'body') {
    if (value === null || typeof value !== 'object') return;
    for (const [key, member] of Object.entries(value)) {
        assert.ok(!/password|hash/i.test(key), `${where} has no "${key}"`);
        assertNoSecrets(member, `${where}.${key}`);
    }
}

/** Asserts the public account object for a sign-up form. */
function assertAccount(account, form) {
    assert.deepEqual(Object.keys(account).sort(), kAccountKeys, JSON.stringify(account));
    assert.match(account.user_id, kUuidV4);
    assert.equal(account.username, form.username);
    assert.equal(account.email, form.email);
    assert.equal(account.first_name, form.first_name);
    assert.equal(account.last_name, form.last_name);
    if (form.phone === undefined) {
        assert.equal(account.phone, null);
    } else {
        assert.equal(typeof account.phone, 'string');
        assert.equal(account.phone.replace(/\D/g, ''), form.phone.replace(/\D/g, ''));
    }
    assert.equal(typeof account.account_number, 'string');
    assert.match(account.account_number, /^\d{10}$/);
    assert.equal(account.currency, 'USD');
    assert.equal(account.balance, '0.00');
    assert.equal(account.balance_minor, 0);
    assert.equal(typeof account.created_at, 'string');
    assert.match(account.created_at, kIso8601);
    const created = Date.parse(account.created_at);
    assert.ok(Math.abs(created - Date.now()) < 5 * 60_000, `created_at is now: ${account.created_at}`);
    assertNoSecrets(account);
}

function b64url(value) {
    return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
        .toString('base64url');
}

describe('accounts', () => {
    let stack;
    const create = (json) => stack.api('POST', '/api/accounts', { json });

    async function newAccount(overrides = {}) {
        const form = signUp(overrides);
        const response = await create(form);
        assertJson(response, 201);
        assertAccount(response.body, form);
        return { form, account: response.body };
    }

    async function accessToken(form) {
        const response = await stack.api('POST', '/api/auth/token', { form: {
            grant_type: 'password', username: form.username, password: form.password } });
        assertJson(response, 200);
        return response.body.access_token;
    }

    before(async () => {
        stack = await startStack({ services: ['auth', 'accounts'], env: kNoRateLimit });
    });

    after(async () => {
        await stack?.stop();
    });

    describe('sign-up', () => {
        test('201 with the public account, never a password or hash', async () => {
            const form = signUp();
            const response = await create(form);
            assertJson(response, 201);
            assertAccount(response.body, form);
            assert.ok(!response.text.includes(form.password), 'the password is not echoed');
        });

        test('a phone number is kept', async () => {
            await newAccount({ phone: '+1 555 123 4567' });
        });

        test('account numbers and user ids are unique', async () => {
            const accounts = await Promise.all(Array.from({ length: 5 }, () => newAccount()));
            const numbers = accounts.map(({ account }) => account.account_number);
            const ids = accounts.map(({ account }) => account.user_id);
            assert.equal(new Set(numbers).size, numbers.length, `${numbers}`);
            assert.equal(new Set(ids).size, ids.length, `${ids}`);
        });

        test('each bad field is 422 validation_failed naming it', async () => {
            const cases = [
                [{ email: 'not-an-email' }, 'email'],
                [{ email: 'a@b' }, 'email'],
                [{ email: '' }, 'email'],
                [{ first_name: '' }, 'first_name'],
                [{ first_name: '   ' }, 'first_name'],
                [{ last_name: '' }, 'last_name'],
                [{ last_name: 'x'.repeat(65) }, 'last_name'],
                [{ phone: 'call me' }, 'phone'],
                [{ phone: '123' }, 'phone'],
                [{ password: 'short' }, 'password'],
                [{ password: 'x'.repeat(129) }, 'password'],
                [{ username: 'a b' }, 'username'],
                [{ username: 'ab' }, 'username'],
                [{ balance: '1000000.00' }, 'balance'],
                [{ first_name: 7 }, 'first_name'],
            ];
            for (const [overrides, field] of cases) {
                const response = await create(signUp(overrides));
                assertProblem(assert, response, 422, 'validation_failed');
                assert.ok(Array.isArray(response.body.errors), response.text);
                assert.deepEqual(response.body.errors.map((error) => error.field), [field],
                    `${JSON.stringify(overrides)}: ${response.text}`);
            }
        });

        test('every bad field is listed at once', async () => {
            const response = await create({
                username: 'a!', password: 'short', email: 'nope', first_name: '',
                phone: 'abc', balance: '1000000.00',
                // last_name is missing
            });
            assertProblem(assert, response, 422, 'validation_failed');
            assert.deepEqual(response.body.errors.map((error) => error.field).sort(),
                ['balance', 'email', 'first_name', 'last_name', 'password', 'phone', 'username'],
                response.text);
            for (const error of response.body.errors) {
                assert.equal(typeof error.message, 'string');
                assert.ok(error.message.length > 0);
            }
        });

        test('missing fields are each named', async () => {
            const response = await create({});
            assertProblem(assert, response, 422, 'validation_failed');
            assert.deepEqual(response.body.errors.map((error) => error.field).sort(),
                ['email', 'first_name', 'last_name', 'password', 'username'], response.text);
        });

        test('malformed JSON is 400; a wrong Content-Type is 415', async () => {
            const malformed = await stack.api('POST', '/api/accounts',
                { body: '{"username": ', headers: { 'content-type': 'application/json' } });
            assertProblem(assert, malformed, 400, 'malformed_json');
            const wrongType = await stack.api('POST', '/api/accounts', {
                body: new URLSearchParams(signUp()).toString(),
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
            });
            assertProblem(assert, wrongType, 415);
        });

        test('a taken username, in any case, is 400 username_taken', async () => {
            const { form } = await newAccount();
            for (const username of [form.username, form.username.toUpperCase()]) {
                const response = await create(signUp({ username }));
                assertProblem(assert, response, 400, 'username_taken');
            }
        });

        test('20 parallel sign-ups of one username: exactly one wins', async () => {
            const username = unique('race');
            const responses = await Promise.all(Array.from({ length: 20 },
                () => create(signUp({ username }))));
            const statuses = responses.map((response) => response.status);
            assert.equal(statuses.filter((status) => status === 201).length, 1, `${statuses}`);
            for (const response of responses.filter((r) => r.status !== 201)) {
                assertProblem(assert, response, 400, 'username_taken');
            }
        });
    });

    describe('reading an account', () => {
        test('GET /api/accounts/{own id} and /me with a Bearer token', async () => {
            const { form, account } = await newAccount({ phone: '+44 20 7946 0958' });
            const token = await accessToken(form);
            const byId = await stack.api('GET', `/api/accounts/${account.user_id}`, { token });
            assertJson(byId, 200);
            assert.deepEqual(byId.body, account);
            assertNoSecrets(byId.body);
            const me = await stack.api('GET', '/api/accounts/me', { token });
            assertJson(me, 200);
            assert.deepEqual(me.body, account);
        });

        test("another user's account is 403", async () => {
            const alice = await newAccount();
            const bob = await newAccount();
            const token = await accessToken(alice.form);
            const response = await stack.api('GET', `/api/accounts/${bob.account.user_id}`,
                { token });
            assertProblem(assert, response, 403);
            assert.ok(!response.text.includes(bob.account.account_number));
        });

        test('no token is 401 with WWW-Authenticate: Bearer', async () => {
            const { account } = await newAccount();
            for (const path of [`/api/accounts/${account.user_id}`, '/api/accounts/me']) {
                const response = await stack.api('GET', path);
                assertProblem(assert, response, 401);
                assert.equal(response.headers['www-authenticate'], 'Bearer');
            }
        });

        test('garbage, tampered and alg-none tokens are 401', async () => {
            const alice = await newAccount();
            const bob = await newAccount();
            const token = await accessToken(alice.form);
            const [header, payload, signature] = token.split('.');
            const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());

            const flipped = Buffer.from(signature, 'base64url');
            flipped[flipped.length >> 1] ^= 0x01;
            const jwks = await stack.api('GET', '/api/auth/jwks.json');
            const publicPem = crypto.createPublicKey({ key: jwks.body.keys[0], format: 'jwk' })
                .export({ type: 'spki', format: 'pem' });
            const hsHeader = b64url({ alg: 'HS256', typ: 'JWT', kid: jwks.body.keys[0].kid });
            const hsPayload = b64url({ ...claims, sub: bob.account.user_id });
            const hsSignature = crypto.createHmac('sha256', publicPem)
                .update(`${hsHeader}.${hsPayload}`).digest('base64url');

            const forged = {
                'garbage': 'garbage',
                'three garbage segments': 'a.b.c',
                'a tampered signature': `${header}.${payload}.${flipped.toString('base64url')}`,
                'a tampered payload': `${header}.${b64url({ ...claims,
                    sub: bob.account.user_id })}.${signature}`,
                'no signature': `${header}.${payload}.`,
                'alg none': `${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.`,
                'alg none for another user': `${b64url({ alg: 'none', typ: 'JWT' })}.${
                    b64url({ ...claims, sub: bob.account.user_id })}.`,
                'HS256 keyed with the public key': `${hsHeader}.${hsPayload}.${hsSignature}`,
            };
            for (const [what, value] of Object.entries(forged)) {
                for (const path of ['/api/accounts/me', `/api/accounts/${bob.account.user_id}`]) {
                    const response = await stack.api('GET', path, { token: value });
                    assert.equal(response.status, 401, `${what} on ${path}: ${response.text}`);
                    assertProblem(assert, response, 401);
                    assert.match(response.headers['www-authenticate'] ?? '', /^Bearer\b/, what);
                }
            }
            // The genuine token still works, so the refusals above were about the forgeries.
            const genuine = await stack.api('GET', '/api/accounts/me', { token });
            assertJson(genuine, 200);
        });

        test('tokens signed with the real key but expired or for another audience are 401',
            async () => {
                const { form } = await newAccount();
                const token = await accessToken(form);
                const [header, payload] = token.split('.');
                const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
                const privateKey = crypto.createPrivateKey(
                    fs.readFileSync(path.join(stack.dataDir, 'keys', 'jwt-private.pem')));
                const sign = (changes) => {
                    const body = b64url({ ...claims, ...changes });
                    const signature = crypto.sign('RSA-SHA256', Buffer.from(`${header}.${body}`),
                        privateKey).toString('base64url');
                    return `${header}.${body}.${signature}`;
                };
                // The re-signed original is accepted: the key and the construction are right.
                assertJson(await stack.api('GET', '/api/accounts/me', { token: sign({}) }), 200);
                const now = Math.floor(Date.now() / 1000);
                const cases = {
                    expired: { iat: now - 3600, exp: now - 1800 },
                    'another audience': { aud: 'someone-else' },
                    'another issuer': { iss: 'mallory' },
                };
                for (const [what, changes] of Object.entries(cases)) {
                    const response = await stack.api('GET', '/api/accounts/me',
                        { token: sign(changes) });
                    assert.equal(response.status, 401, `${what}: ${response.text}`);
                    assertProblem(assert, response, 401);
                }
            });

        test('DELETE /api/accounts/me is 405 with Allow', async () => {
            const { form } = await newAccount();
            const token = await accessToken(form);
            const response = await stack.api('DELETE', '/api/accounts/me', { token });
            assertProblem(assert, response, 405);
            assert.match(response.headers.allow ?? '', /\bGET\b/, `Allow: ${response.headers.allow}`);
            assert.doesNotMatch(response.headers.allow ?? '', /\bDELETE\b/);
        });
    });

    describe('login through the accounts service', () => {
        async function assertLogin(response, form, account) {
            assertJson(response, 200);
            assert.deepEqual(Object.keys(response.body).sort(), [...kTokenKeys, 'account'].sort(),
                response.text);
            assert.equal(response.body.token_type, 'bearer');
            assert.equal(response.body.expires_in, 900);
            assert.equal(response.body.user_id, account.user_id);
            assert.equal(response.body.username, form.username);
            assert.equal(typeof response.body.access_token, 'string');
            assert.equal(typeof response.body.refresh_token, 'string');
            assert.deepEqual(response.body.account, account);
            assertNoSecrets(response.body);
            assert.equal(response.headers['cache-control'], 'no-store');
            // The tokens are real: the access token reads the account, the refresh token
            // refreshes at the auth service.
            const me = await stack.api('GET', '/api/accounts/me',
                { token: response.body.access_token });
            assertJson(me, 200);
            assert.deepEqual(me.body, account);
            const refreshed = await stack.api('POST', '/api/auth/token', { form: {
                grant_type: 'refresh_token', refresh_token: response.body.refresh_token } });
            assertJson(refreshed, 200);
        }

        test('with a form', async () => {
            const { form, account } = await newAccount();
            const response = await stack.api('POST', '/api/accounts/login',
                { form: { username: form.username, password: form.password } });
            await assertLogin(response, form, account);
        });

        test('with JSON', async () => {
            const { form, account } = await newAccount();
            const response = await stack.api('POST', '/api/accounts/login',
                { json: { username: form.username, password: form.password } });
            await assertLogin(response, form, account);
        });

        test('a wrong password or unknown user is 400 invalid_grant', async () => {
            const { form } = await newAccount();
            for (const json of [{ username: form.username, password: `${form.password}x` },
                { username: unique('ghost'), password: form.password }]) {
                const response = await stack.api('POST', '/api/accounts/login', { json });
                assertProblem(assert, response, 400, 'invalid_grant');
                assert.ok(!('access_token' in response.body));
            }
        });
    });
});

describe('accounts with the auth service down', () => {
    let stack;

    before(async () => {
        stack = await startStack({ services: ['auth', 'accounts'], env: kNoRateLimit });
    });

    after(async () => {
        await stack?.stop();
    });

    test('login and sign-up are 503 problem JSON, never a success', async () => {
        const form = signUp();
        const created = await stack.api('POST', '/api/accounts', { json: form });
        assertJson(created, 201);

        await stack.kill('auth');

        const login = await stack.api('POST', '/api/accounts/login',
            { json: { username: form.username, password: form.password } });
        assertProblem(assert, login, 503);
        const loginForm = await stack.api('POST', '/api/accounts/login',
            { form: { username: form.username, password: form.password } });
        assertProblem(assert, loginForm, 503);
        const signUpDown = await stack.api('POST', '/api/accounts', { json: signUp() });
        assertProblem(assert, signUpDown, 503);
    });
});
