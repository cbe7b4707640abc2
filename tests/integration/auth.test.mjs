// Proves the auth service's contract, black-box, through a real stack (Redis, auth, NGINX):
// registration (internal, straight to the service), the OAuth 2 token endpoint (password and
// refresh_token grants, RFC 6749 error bodies), refresh-token rotation with reuse detection,
// revocation (RFC 7009), the JWKS and JWTs checked by node:crypto (a client nobody here wrote),
// that password hashing never blocks the I/O threads, readiness that follows Redis, metrics, and
// logs free of secrets.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertProblem, childrenOf, environOf, pidAlive, request, serviceBinary, startStack }
    from './harness.mjs';

const kUuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// High enough that no test here meets the gateway's login rate limit (gateway.test.mjs covers it).
const kNoRateLimit = { BANK_LOGIN_RATE: '1000r/s', BANK_LOGIN_BURST: '1000' };

function unique(prefix) {
    return `${prefix}${crypto.randomBytes(4).toString('hex')}`;
}

function secret() {
    return `pw-${crypto.randomBytes(12).toString('hex')}`;
}

// A new user registered straight with auth (its internal route): { username, password }.
async function registerUser(stack, prefix) {
    const username = unique(prefix);
    const password = secret();
    const registered = await request(stack.serviceUrls.auth, 'POST', '/register',
        { json: { username, password }, headers: stack.internalHeaders() });
    assert.equal(registered.status, 201, registered.text);
    return { username, password };
}

function decodeSegment(segment) {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// auth buffers its request log lines and writes them within a second (libs/log). Sends one
// more request with an id of its own and reads auth's log until that id is in it: every line
// logged before it is then in the file too. Returns the log.
async function flushedAuthLog(stack) {
    const marker = `flush-${crypto.randomUUID()}`;
    await stack.api('GET', '/api/auth/jwks.json', { headers: { 'x-request-id': marker } });
    for (let i = 0; i < 50; i++) {
        const log = stack.log('auth');
        if (log.includes(marker)) return log;
        await sleep(100);
    }
    assert.fail(`auth did not write its request log within 5 s (marker ${marker})`);
}

function assertJson(response, status) {
    assert.equal(response.status, status, `status of ${response.text}`);
    assert.match(response.headers['content-type'] ?? '', /^application\/json\b/,
        `content type of ${response.text}`);
    assert.equal(typeof response.body, 'object', `JSON body: ${response.text}`);
}

/** Asserts an RFC 6749 section 5.2 error: 400, JSON, exactly {error, error_description}. */
function assertOAuthError(response, error, description) {
    assertJson(response, 400);
    assert.deepEqual(Object.keys(response.body).sort(), ['error', 'error_description'],
        response.text);
    assert.equal(response.body.error, error, response.text);
    assert.equal(typeof response.body.error_description, 'string');
    assert.ok(response.body.error_description.length > 0);
    if (description !== undefined) assert.equal(response.body.error_description, description);
    assert.equal(response.headers['cache-control'], 'no-store');
}

/** Asserts a successful token response and returns its decoded access token. */
function assertTokenResponse(response, user) {
    assertJson(response, 200);
    assert.deepEqual(Object.keys(response.body).sort(),
        ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user_id', 'username'],
        response.text);
    assert.equal(response.body.token_type, 'bearer');
    assert.equal(response.body.expires_in, 900);
    assert.equal(typeof response.body.access_token, 'string');
    assert.equal(typeof response.body.refresh_token, 'string');
    assert.ok(response.body.refresh_token.length >= 32, 'a refresh token of real entropy');
    assert.notEqual(response.body.refresh_token, response.body.access_token);
    assert.equal(response.body.user_id, user.user_id);
    assert.equal(response.body.username, user.username);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
    const parts = response.body.access_token.split('.');
    assert.equal(parts.length, 3, 'a JWS in compact serialization');
    return { header: decodeSegment(parts[0]), payload: decodeSegment(parts[1]), parts };
}

describe('auth', () => {
    let stack;
    let authUrl;
    // auth's internal routes want the shared secret the scripts keep under keys/.
    const internal = () => stack.internalHeaders();
    const registerRaw = (options = {}) => request(authUrl, 'POST', '/register',
        { ...options, headers: { ...internal(), ...(options.headers ?? {}) } });
    const register = (json, options = {}) => registerRaw({ json, ...options });
    const token = (form) => stack.api('POST', '/api/auth/token', { form });
    // Every password and refresh token the tests send, to look for in the logs at the end.
    const secrets = new Set();

    async function newUser(prefix = 'user') {
        const username = unique(prefix);
        const password = secret();
        secrets.add(password);
        const response = await register({ username, password });
        assert.equal(response.status, 201, response.text);
        return { ...response.body, password };
    }

    async function login(user) {
        const response = await token({ grant_type: 'password', username: user.username,
            password: user.password });
        assertTokenResponse(response, user);
        secrets.add(response.body.refresh_token);
        return response.body;
    }

    before(async () => {
        stack = await startStack({ services: ['auth'], env: kNoRateLimit });
        authUrl = stack.serviceUrls.auth;
    });

    after(async () => {
        await stack?.stop();
    });

    describe('registration (internal, straight to the service)', () => {
        test('201 with a UUID v4 user id and the username', async () => {
            const username = unique('Reg_');
            const password = secret();
            secrets.add(password);
            const response = await register({ username, password });
            assertJson(response, 201);
            assert.deepEqual(Object.keys(response.body).sort(), ['user_id', 'username']);
            assert.match(response.body.user_id, kUuidV4);
            assert.equal(response.body.username, username, 'the name as given, case kept');
        });

        test('a taken username, in any case, is 400 username_taken', async () => {
            const base = unique('alice');
            const password = secret();
            secrets.add(password);
            assert.equal((await register({ username: base, password })).status, 201);
            for (const username of [base, base.toUpperCase(), `A${base.slice(1)}`]) {
                const response = await register({ username, password: secret() });
                assertProblem(assert, response, 400, 'username_taken');
                assert.equal(response.body.detail, 'Username already taken');
            }
            // And the other way round: a capitalised name first.
            const capital = `Z${unique('ed')}`;
            assert.equal((await register({ username: capital, password })).status, 201);
            const lower = await register({ username: capital.toLowerCase(), password });
            assertProblem(assert, lower, 400, 'username_taken');
        });

        test('invalid usernames and passwords are 422 naming the field', async () => {
            const good = () => unique('ok');
            const cases = [
                [{ username: 'ab', password: secret() }, 'username'],
                [{ username: 'a'.repeat(33), password: secret() }, 'username'],
                [{ username: 'bad name', password: secret() }, 'username'],
                [{ username: 'bad!name', password: secret() }, 'username'],
                [{ username: 'émile', password: secret() }, 'username'],
                [{ username: '', password: secret() }, 'username'],
                [{ username: good(), password: 'x'.repeat(7) }, 'password'],
                [{ username: good(), password: 'x'.repeat(129) }, 'password'],
                [{ username: good(), password: '' }, 'password'],
                [{ username: good(), password: 'tab\there-ok' }, 'password'],
                [{ username: good() }, 'password'],
                [{ password: secret() }, 'username'],
                [{ username: 42, password: secret() }, 'username'],
                [{ username: good(), password: null }, 'password'],
            ];
            for (const [json, field] of cases) {
                const response = await register(json);
                assertProblem(assert, response, 422, 'validation_failed');
                assert.ok(Array.isArray(response.body.errors), response.text);
                const fields = response.body.errors.map((error) => error.field);
                assert.ok(fields.includes(field), `${JSON.stringify(json)}: ${response.text}`);
                for (const error of response.body.errors) {
                    assert.equal(typeof error.message, 'string');
                    assert.ok(error.message.length > 0);
                }
            }
            // Both bad at once: both named.
            const both = await register({ username: 'x', password: 'short' });
            assertProblem(assert, both, 422, 'validation_failed');
            assert.deepEqual(both.body.errors.map((error) => error.field).sort(),
                ['password', 'username']);
        });

        test('the length limits are inclusive: 3 and 32, 8 and 128', async () => {
            // Each stack starts empty, and no other test uses names this short or this long.
            const cases = [
                { username: 'a_c', password: 'x'.repeat(8) },
                { username: unique('l').padEnd(32, 'x'), password: 'y'.repeat(128) },
                // 8 code points, more than 8 bytes: length counts characters, not bytes.
                { username: unique('utf'), password: 'pässwörd' },
                { username: unique('u'), password: '🔒'.repeat(128) },
            ];
            for (const json of cases) {
                const response = await register(json);
                assertJson(response, 201);
                assert.equal(response.body.username, json.username);
            }
            const tooMany = await register({ username: unique('u'), password: '🔒'.repeat(129) });
            assertProblem(assert, tooMany, 422, 'validation_failed');
        });

        test('an unknown field is 422 naming it', async () => {
            const response = await register({ username: unique('rich'), password: secret(),
                balance: '1000000.00' });
            assertProblem(assert, response, 422, 'validation_failed');
            assert.ok(response.body.errors.some((error) => error.field === 'balance'),
                response.text);
        });

        test('malformed JSON is 400 malformed_json', async () => {
            for (const body of ['{"username": "a", ', '{username: "abc"}', 'nope', '']) {
                const response = await registerRaw(
                    { body, headers: { 'content-type': 'application/json' } });
                assertProblem(assert, response, 400, 'malformed_json');
            }
        });

        test('a body that is not a JSON object, or repeats a key, is 422', async () => {
            for (const body of ['[]', '"text"', '42',
                `{"username":"${unique('d')}","username":"x","password":"${secret()}"}`]) {
                const response = await registerRaw(
                    { body, headers: { 'content-type': 'application/json' } });
                assertProblem(assert, response, 422, 'validation_failed');
            }
        });

        test('a Content-Type other than JSON is 415', async () => {
            const json = JSON.stringify({ username: unique('ct'), password: secret() });
            for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
                const headers = type ? { 'content-type': type } : {};
                const response = await registerRaw(
                    { body: json, headers });
                assertProblem(assert, response, 415, 'unsupported_media_type');
            }
            // Parameters and case do not matter.
            const withCharset = await registerRaw({
                body: JSON.stringify({ username: unique('cs'), password: secret() }),
                headers: { 'content-type': 'Application/JSON; charset=utf-8' },
            });
            assert.equal(withCharset.status, 201, withCharset.text);
        });

        test('20 parallel registrations of one name: exactly one wins', async () => {
            const username = unique('race');
            const password = secret();
            secrets.add(password);
            const responses = await Promise.all(Array.from({ length: 20 },
                (_, i) => register({ username: i % 2 ? username : username.toUpperCase(),
                    password })));
            const statuses = responses.map((response) => response.status);
            assert.equal(statuses.filter((status) => status === 201).length, 1, `${statuses}`);
            for (const response of responses.filter((r) => r.status !== 201)) {
                assertProblem(assert, response, 400, 'username_taken');
            }
            // The winner's credentials work.
            const winner = responses.find((response) => response.status === 201).body;
            await login({ ...winner, password });
        });

        test('the internal routes refuse callers without the internal token', async () => {
            const json = { username: unique('noauth'), password: secret() };
            for (const headers of [{}, { 'x-internal-token': 'wrong' },
                { 'x-internal-token': internal()['x-internal-token'].slice(0, -1) }]) {
                const denied = await request(authUrl, 'POST', '/register', { json, headers });
                assertProblem(assert, denied, 403, 'forbidden');
            }
            const user = await newUser('victim');
            const deleted = await request(authUrl, 'DELETE', `/users/${user.user_id}`);
            assertProblem(assert, deleted, 403, 'forbidden');
            // The victim is untouched: the name is still taken.
            assertProblem(assert, await register({ username: user.username, password: secret() }),
                400, 'username_taken');
        });

        test('/register is not reachable through the gateway', async () => {
            const response = await stack.api('POST', '/api/auth/register',
                { json: { username: unique('gw'), password: secret() } });
            assertProblem(assert, response, 404, 'not_found');
        });
    });

    describe('the password grant', () => {
        test('200 with a signed RS256 JWT whose claims are right', async () => {
            const user = await newUser('jwt');
            const before = Math.floor(Date.now() / 1000);
            const response = await token({ grant_type: 'password', username: user.username,
                password: user.password });
            const after = Math.ceil(Date.now() / 1000);
            const { header, payload, parts } = assertTokenResponse(response, user);
            secrets.add(response.body.refresh_token);

            assert.equal(header.alg, 'RS256');
            assert.equal(typeof header.kid, 'string');
            const jwks = await stack.api('GET', '/api/auth/jwks.json');
            assertJson(jwks, 200);
            const jwk = jwks.body.keys.find((key) => key.kid === header.kid);
            assert.ok(jwk, `kid ${header.kid} is in the JWKS: ${jwks.text}`);

            assert.equal(payload.iss, 'bank-auth');
            assert.equal(payload.aud, 'bank-api');
            assert.equal(payload.sub, user.user_id);
            assert.equal(payload.name, user.username);
            assert.ok(Number.isInteger(payload.iat), `iat: ${payload.iat}`);
            assert.ok(payload.iat >= before - 5 && payload.iat <= after + 5,
                `iat ${payload.iat} is now (${before}..${after})`);
            assert.equal(payload.exp, payload.iat + 900);
            assert.equal(typeof payload.jti, 'string');
            assert.ok(payload.jti.length >= 16, `jti has entropy: ${payload.jti}`);

            // Verified by node:crypto from the published JWK.
            const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
            const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
            const signature = Buffer.from(parts[2], 'base64url');
            assert.ok(crypto.verify('RSA-SHA256', signed, key, signature), 'the signature holds');
            // And a changed payload does not verify.
            const forged = Buffer.from(`${parts[0]}.${Buffer.from(JSON.stringify(
                { ...payload, sub: crypto.randomUUID() })).toString('base64url')}`);
            assert.equal(crypto.verify('RSA-SHA256', forged, key, signature), false);

            // A second login gets a different access token (jti) and refresh token.
            const again = await login(user);
            assert.notEqual(again.access_token, response.body.access_token);
            assert.notEqual(again.refresh_token, response.body.refresh_token);
            assert.notEqual(decodeSegment(again.access_token.split('.')[1]).jti, payload.jti);
        });

        test('the username is matched case-insensitively; the answer keeps its spelling',
            async () => {
                const user = await newUser('Case');
                const response = await token({ grant_type: 'password',
                    username: user.username.toLowerCase(), password: user.password });
                assertTokenResponse(response, user);
                secrets.add(response.body.refresh_token);
            });

        test('wrong password and unknown user are the same invalid_grant', async () => {
            const user = await newUser('wrong');
            const wrong = await token({ grant_type: 'password', username: user.username,
                password: `${user.password}x` });
            assertOAuthError(wrong, 'invalid_grant', 'Incorrect username or password');
            const unknown = await token({ grant_type: 'password', username: unique('ghost'),
                password: user.password });
            assertOAuthError(unknown, 'invalid_grant', 'Incorrect username or password');
            assert.deepEqual(unknown.body, wrong.body);
            // A name that could never be registered, and an absurdly long password, too.
            const invalidName = await token({ grant_type: 'password', username: 'no such user!',
                password: user.password });
            assertOAuthError(invalidName, 'invalid_grant', 'Incorrect username or password');
            const huge = await token({ grant_type: 'password', username: user.username,
                password: 'p'.repeat(10_000) });
            assertOAuthError(huge, 'invalid_grant', 'Incorrect username or password');
        });

        test('unknown users take about as long as wrong passwords', async () => {
            const user = await newUser('timing');
            const known = [];
            const unknown = [];
            const time = async (form, into) => {
                const start = process.hrtime.bigint();
                const response = await token(form);
                into.push(Number(process.hrtime.bigint() - start) / 1e6);
                assertOAuthError(response, 'invalid_grant', 'Incorrect username or password');
            };
            for (let i = 0; i < 5; i++) {
                await time({ grant_type: 'password', username: user.username,
                    password: `${user.password}-wrong` }, known);
                await time({ grant_type: 'password', username: unique('nobody'),
                    password: `${user.password}-wrong` }, unknown);
            }
            const knownMs = median(known);
            const unknownMs = median(unknown);
            const detail = `median wrong password ${knownMs.toFixed(2)} ms ` +
                `[${known.map((v) => v.toFixed(1))}], unknown user ${unknownMs.toFixed(2)} ms ` +
                `[${unknown.map((v) => v.toFixed(1))}]`;
            assert.ok(unknownMs >= 0.3 * knownMs, detail);
            assert.ok(knownMs >= 0.3 * unknownMs, detail);
        });

        test('request errors are RFC 6749 errors', async () => {
            const user = await newUser('req');
            const cases = [
                [{}, 'invalid_request'],
                [{ username: user.username, password: user.password }, 'invalid_request'],
                [{ grant_type: '', username: user.username, password: user.password },
                    'invalid_request'],
                [{ grant_type: 'client_credentials' }, 'unsupported_grant_type'],
                [{ grant_type: 'authorization_code', code: 'x' }, 'unsupported_grant_type'],
                [{ grant_type: 'PASSWORD', username: user.username, password: user.password },
                    'unsupported_grant_type'],
                [{ grant_type: 'password', password: user.password }, 'invalid_request'],
                [{ grant_type: 'password', username: user.username }, 'invalid_request'],
                [{ grant_type: 'password', username: '', password: user.password },
                    'invalid_request'],
                [{ grant_type: 'password' }, 'invalid_request'],
                [{ grant_type: 'refresh_token' }, 'invalid_request'],
            ];
            for (const [form, error] of cases) {
                const response = await token(form);
                assertOAuthError(response, error);
            }
        });

        test('a JSON body instead of a form is invalid_request', async () => {
            const user = await newUser('json');
            const response = await stack.api('POST', '/api/auth/token', { json: {
                grant_type: 'password', username: user.username, password: user.password } });
            assertOAuthError(response, 'invalid_request');
        });

        test('a repeated parameter is invalid_request', async () => {
            const user = await newUser('rep');
            const bodies = [
                `grant_type=password&username=${user.username}&username=${unique('x')}` +
                    `&password=${user.password}`,
                `grant_type=password&username=${user.username}&password=${user.password}` +
                    `&password=${user.password}`,
                `grant_type=password&grant_type=password&username=${user.username}` +
                    `&password=${user.password}`,
            ];
            for (const body of bodies) {
                const response = await stack.api('POST', '/api/auth/token', { body,
                    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
                assertOAuthError(response, 'invalid_request');
            }
        });

        test('unknown parameters (client_id, scope) are ignored', async () => {
            const user = await newUser('extra');
            const response = await token({ grant_type: 'password', username: user.username,
                password: user.password, client_id: 'web', scope: 'anything' });
            assertTokenResponse(response, user);
            secrets.add(response.body.refresh_token);
        });
    });

    describe('refresh tokens', () => {
        test('a refresh rotates the pair; reuse revokes the whole login', async () => {
            const user = await newUser('rot');
            const first = await login(user);
            const refreshed = await token({ grant_type: 'refresh_token',
                refresh_token: first.refresh_token });
            const { payload } = assertTokenResponse(refreshed, user);
            secrets.add(refreshed.body.refresh_token);
            assert.notEqual(refreshed.body.refresh_token, first.refresh_token);
            assert.notEqual(refreshed.body.access_token, first.access_token);
            assert.equal(payload.sub, user.user_id);
            assert.equal(payload.exp, payload.iat + 900);

            // A separate login of the same user: its own family.
            const other = await login(user);

            // The old token again: refused, and the family it belongs to is revoked.
            const reused = await token({ grant_type: 'refresh_token',
                refresh_token: first.refresh_token });
            assertOAuthError(reused, 'invalid_grant');
            const newest = await token({ grant_type: 'refresh_token',
                refresh_token: refreshed.body.refresh_token });
            assertOAuthError(newest, 'invalid_grant');

            // The other login is untouched.
            const otherRefreshed = await token({ grant_type: 'refresh_token',
                refresh_token: other.refresh_token });
            assertTokenResponse(otherRefreshed, user);
            secrets.add(otherRefreshed.body.refresh_token);
        });

        test('a chain of refreshes works, each token once', async () => {
            const user = await newUser('chain');
            let current = (await login(user)).refresh_token;
            const seen = new Set([current]);
            for (let i = 0; i < 5; i++) {
                const response = await token({ grant_type: 'refresh_token',
                    refresh_token: current });
                assertTokenResponse(response, user);
                current = response.body.refresh_token;
                secrets.add(current);
                assert.ok(!seen.has(current), 'every refresh token is new');
                seen.add(current);
            }
        });

        test('garbage, empty-looking and huge refresh tokens are invalid_grant', async () => {
            for (const refreshToken of ['garbage', 'a'.repeat(43), 'x'.repeat(600)]) {
                const response = await token({ grant_type: 'refresh_token',
                    refresh_token: refreshToken });
                assertOAuthError(response, 'invalid_grant');
            }
        });

        test('an access token is not a refresh token', async () => {
            const user = await newUser('acc');
            const pair = await login(user);
            const response = await token({ grant_type: 'refresh_token',
                refresh_token: pair.access_token });
            assertOAuthError(response, 'invalid_grant');
        });
    });

    describe('revocation', () => {
        test('a revoked refresh token no longer refreshes', async () => {
            const user = await newUser('rev');
            const pair = await login(user);
            const revoked = await stack.api('POST', '/api/auth/revoke',
                { form: { token: pair.refresh_token } });
            assert.equal(revoked.status, 200, revoked.text);
            assert.equal(revoked.headers['cache-control'], 'no-store');
            const refreshed = await token({ grant_type: 'refresh_token',
                refresh_token: pair.refresh_token });
            assertOAuthError(refreshed, 'invalid_grant');
            // Revoking again is still 200 (RFC 7009 section 2.2).
            const again = await stack.api('POST', '/api/auth/revoke',
                { form: { token: pair.refresh_token, token_type_hint: 'refresh_token' } });
            assert.equal(again.status, 200, again.text);
        });

        test('revoking the newest token of a family revokes the family', async () => {
            const user = await newUser('revfam');
            const first = await login(user);
            const second = await token({ grant_type: 'refresh_token',
                refresh_token: first.refresh_token });
            assertTokenResponse(second, user);
            secrets.add(second.body.refresh_token);
            const revoked = await stack.api('POST', '/api/auth/revoke',
                { form: { token: second.body.refresh_token } });
            assert.equal(revoked.status, 200, revoked.text);
            assertOAuthError(await token({ grant_type: 'refresh_token',
                refresh_token: second.body.refresh_token }), 'invalid_grant');
        });

        test('an unknown token is 200; a missing one is invalid_request', async () => {
            for (const value of ['garbage', 'x'.repeat(600)]) {
                const response = await stack.api('POST', '/api/auth/revoke',
                    { form: { token: value } });
                assert.equal(response.status, 200, response.text);
            }
            assertOAuthError(await stack.api('POST', '/api/auth/revoke', { form: {} }),
                'invalid_request');
            assertOAuthError(await stack.api('POST', '/api/auth/revoke',
                { form: { token_type_hint: 'refresh_token' } }), 'invalid_request');
            assertOAuthError(await stack.api('POST', '/api/auth/revoke',
                { json: { token: 'garbage' } }), 'invalid_request');
        });
    });

    test('GET /api/auth/jwks.json is an RS256 signing key set', async () => {
        const response = await stack.api('GET', '/api/auth/jwks.json');
        assertJson(response, 200);
        assert.deepEqual(Object.keys(response.body), ['keys']);
        assert.ok(Array.isArray(response.body.keys));
        assert.ok(response.body.keys.length >= 1);
        for (const key of response.body.keys) {
            assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
            assert.equal(key.kty, 'RSA');
            assert.equal(key.use, 'sig');
            assert.equal(key.alg, 'RS256');
            assert.equal(typeof key.kid, 'string');
            assert.ok(key.kid.length > 0);
            assert.match(key.n, /^[A-Za-z0-9_-]+$/, 'n is base64url without padding');
            assert.match(key.e, /^[A-Za-z0-9_-]+$/);
            assert.ok(Buffer.from(key.n, 'base64url').length >= 256, 'at least 2048 bits');
            const publicKey = crypto.createPublicKey({ key, format: 'jwk' });
            assert.equal(publicKey.asymmetricKeyType, 'rsa');
        }
        const kids = response.body.keys.map((key) => key.kid);
        assert.equal(new Set(kids).size, kids.length, 'kids are unique');
    });

    test('GET /metrics counts requests by route', async () => {
        // At least one /token request has been made by now, but make one to be sure.
        await token({ grant_type: 'client_credentials' });
        const response = await request(authUrl, 'GET', '/metrics');
        assert.equal(response.status, 200);
        assert.match(response.headers['content-type'] ?? '', /^text\/plain/);
        assert.match(response.text,
            /^bank_http_requests_total\{[^}]*route="\/token"[^}]*\} [0-9.e+]+$/m,
            response.text.slice(0, 2000));
    });

    test('GET /healthz and /readyz on the service', async () => {
        const health = await request(authUrl, 'GET', '/healthz');
        assertJson(health, 200);
        assert.deepEqual(health.body, { status: 'ok' });
        const ready = await request(authUrl, 'GET', '/readyz');
        assertJson(ready, 200);
        assert.deepEqual(ready.body, { status: 'ready' });
    });

    // Last: it reads what every test above has written.
    test('no log contains a password or a refresh token used here', async () => {
        await flushedAuthLog(stack);
        assert.ok(secrets.size >= 10, `the tests above recorded secrets (${secrets.size})`);
        const logs = stack.logs();
        assert.ok('auth.log' in logs, `auth.log exists: ${Object.keys(logs)}`);
        assert.ok(logs['auth.log'].length > 0, 'auth.log is not empty');
        for (const [file, text] of Object.entries(logs)) {
            for (const value of secrets) {
                assert.ok(!text.includes(value), `${file} contains a secret (${value.slice(0, 6)}…)`);
            }
        }
    });
});

describe('auth with realistic password hashing', () => {
    let stack;

    before(async () => {
        stack = await startStack({ services: ['auth'], env: {
            ...kNoRateLimit, BANK_ARGON2_OPSLIMIT: '2', BANK_ARGON2_MEMLIMIT_KIB: '65536',
        } });
    });

    after(async () => {
        await stack?.stop();
    });

    test('50 parallel logins do not hold up /healthz', async (t) => {
        const authUrl = stack.serviceUrls.auth;
        const { username, password } = await registerUser(stack, 'busy');

        let done = false;
        const burst = Promise.all(Array.from({ length: 50 }, () =>
            request(authUrl, 'POST', '/token', { form: { grant_type: 'password', username,
                password } }))).finally(() => { done = true; });
        const latencies = [];
        const probeId = unique('probe-');
        await sleep(20);  // Let the burst reach the service.
        while (!done) {
            // Timed by curl in its own process: node's event loop is busy with the 50 logins it
            // just sent, and its own scheduling delay is not the service's answer time.
            const probe = await new Promise((resolve, reject) => {
                execFile('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{time_total}',
                    '-H', `x-request-id: ${probeId}-${latencies.length}`, `${authUrl}/healthz`],
                { timeout: 5000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
            });
            const [status, seconds] = probe.trim().split(' ');
            latencies.push(Number(seconds) * 1000);
            assert.equal(status, '200');
            await sleep(25);
        }
        const responses = await burst;
        const statuses = responses.map((response) => response.status);
        assert.ok(statuses.every((status) => status === 200), `all logins succeed: ${statuses}`);
        // For the failure message: the service's own view of the slowest probes (its request log
        // line has latency_ms), to tell time spent in the service from time spent elsewhere.
        const serverMs = {};
        for (const line of (await flushedAuthLog(stack)).split('\n')) {
            if (!line.includes(probeId)) continue;
            try {
                const entry = JSON.parse(line);
                serverMs[entry.request_id] = entry.latency_ms;
            } catch {
                // Not a JSON line.
            }
        }
        const slowest = latencies.map((ms, i) => [ms, i]).sort((a, b) => b[0] - a[0]).slice(0, 5)
            .map(([ms, i]) => `#${i}: ${ms.toFixed(1)} ms (in the service: ` +
                `${serverMs[`${probeId}-${i}`] ?? '?'} ms)`);
        const detail = `slowest healthz: ${slowest.join(', ')}; all (ms): ` +
            `${latencies.map((v) => v.toFixed(1))}`;
        t.diagnostic(detail);
        assert.ok(latencies.length >= 5, `measured during the burst: ${detail}`);
        assert.ok(Math.max(...latencies) < 50, detail);
    });
});

// Hashing runs outside auth's address space (services/auth/hashing/hash_worker.hpp): each hash
// maps and unmaps 64 MiB, which stalled auth's I/O threads when it was done in-process.
describe('auth hash workers', () => {
    let stack;

    before(async () => {
        stack = await startStack({ services: ['auth'], env: { ...kNoRateLimit,
            BANK_HASH_THREADS: '2' } });
    });

    after(async () => {
        await stack?.stop();
    });

    test('are idle-priority child processes that do not outlive the service', async () => {
        const authUrl = stack.serviceUrls.auth;
        const { username, password } = await registerUser(stack, 'workers');
        const logins = await Promise.all([0, 1, 2].map(() => request(authUrl, 'POST', '/token',
            { form: { grant_type: 'password', username, password } })));
        assert.deepEqual(logins.map((login) => login.status), [200, 200, 200]);

        const authPid = stack.pid('auth');
        const workers = childrenOf(authPid);
        assert.ok(workers.length >= 1 && workers.length <= 2,
            `one hash worker per hash thread at most (BANK_HASH_THREADS=2): ${workers}`);
        for (const pid of workers) {
            const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
            assert.deepEqual(commandLine.slice(0, 2), ['bank-auth', '--hash-worker'],
                commandLine.join(' '));
            assert.equal(fs.readFileSync(`/proc/${pid}/comm`, 'utf8'), 'bank-auth-hash\n');
            const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
            // Field 41 of /proc/<pid>/stat is the scheduling policy; 5 is SCHED_IDLE.
            const policy = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38];
            assert.equal(policy, '5', `hash worker ${pid} runs at SCHED_IDLE`);
        }

        // Killed without a chance to clean up, auth still takes its workers with it (an idle
        // worker reads the end of its socket; one in the middle of a hash gets SIGKILL from the
        // kernel, which hash_process_test proves), so none is left holding 64 MiB or a CPU.
        process.kill(authPid, 'SIGKILL');
        const deadline = Date.now() + 5000;
        while (workers.some(pidAlive) && Date.now() < deadline) await sleep(20);
        assert.deepEqual(workers.filter(pidAlive), [], 'no hash worker outlives auth');
    });
});

// Whether scripts/lib.sh makes the hash workers' cgroup here: true as root with cgroup v1's cpu
// hierarchy and cpu.idle (this machine), false when not root; undefined where the answer
// depends on more (cgroup v2's delegation), in which case the test takes what it finds.
function scriptsMakeCgroup() {
    if (process.getuid() !== 0) return false;
    if (fs.existsSync('/sys/fs/cgroup/cpu/cpu.shares')) return fs.existsSync('/sys/fs/cgroup/cpu/cpu.idle');
    return undefined;
}

async function loginTwice(stack, prefix) {
    const { username, password } = await registerUser(stack, prefix);
    const logins = await Promise.all([0, 1].map(() => request(stack.serviceUrls.auth, 'POST',
        '/token', { form: { grant_type: 'password', username, password } })));
    assert.deepEqual(logins.map((login) => login.status), [200, 200]);
}

function membersOf(cgroup) {
    return fs.readFileSync(`${cgroup}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)
        .map(Number).sort();
}

// A cgroup of the test's own at the cpu controller's root with cpu.idle set, or undefined where
// this process cannot make one.
function makeOwnCgroup(name) {
    for (const root of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup']) {
        // On a v1 machine /sys/fs/cgroup itself is a tmpfs, where any directory can be made.
        if (!fs.existsSync(`${root}/cgroup.procs`)) continue;
        try {
            fs.mkdirSync(`${root}/${name}`);
        } catch {
            continue;
        }
        try {
            fs.writeFileSync(`${root}/${name}/cpu.idle`, '1');
            return `${root}/${name}`;
        } catch {
            fs.rmdirSync(`${root}/${name}`);
        }
    }
    return undefined;
}

// SCHED_IDLE yields only within the workers' autogroup or cgroup; a cgroup with cpu.idle set
// yields to every other task (services/auth/hashing/hash_process.cpp, docs/benchmarks.md).
// The harness asks for no cgroup (BANK_HASH_CGROUP=''); these tests unset that.
describe('auth hash workers cgroup', () => {
    test('the stack puts the workers into a cgroup of its own at cpu.idle and removes it', async (t) => {
        const stack = await startStack({ services: ['auth'], env: { ...kNoRateLimit,
            BANK_HASH_THREADS: '2', BANK_HASH_CGROUP: undefined } });
        let cgroup;
        try {
            cgroup = environOf(stack.pid('auth')).BANK_HASH_CGROUP;
            const expected = scriptsMakeCgroup();
            if (cgroup === undefined) {
                assert.notEqual(expected, true, 'root with the cpu controller: a cgroup is made');
                if (expected === undefined) t.skip('the scripts made no cgroup on this machine');
                return;
            }
            assert.notEqual(expected, false, 'only root makes one');
            assert.match(cgroup, /^\/sys\/fs\/cgroup\/(.+\/)?bank-hash-[0-9]+$/);
            assert.equal(fs.readFileSync(`${cgroup}/cpu.idle`, 'utf8').trim(), '1');
            assert.equal(fs.readFileSync(path.join(stack.dataDir, 'pids', 'hash-cgroup'), 'utf8'),
                `${cgroup}\n`, 'recorded for the stop');
            await loginTwice(stack, 'cgroup');
            const workers = childrenOf(stack.pid('auth')).sort();
            assert.ok(workers.length >= 1, 'a worker hashed');
            assert.deepEqual(membersOf(cgroup), workers, 'the workers, and nothing else, are in it');

            // auth killed and started again (its workers die with it): the same cgroup again.
            const killed = stack.pid('auth');
            process.kill(killed, 'SIGKILL');
            const deadline = Date.now() + 5000;
            while ((pidAlive(killed) || membersOf(cgroup).length > 0) && Date.now() < deadline) {
                await sleep(20);
            }
            assert.deepEqual(membersOf(cgroup), [], 'the killed auth took its workers along');
            await stack.restart('auth');
            assert.equal(environOf(stack.pid('auth')).BANK_HASH_CGROUP, cgroup);
            await loginTwice(stack, 'cgroup2');
            assert.deepEqual(membersOf(cgroup), childrenOf(stack.pid('auth')).sort());
        } finally {
            await stack.stop();
        }
        if (cgroup !== undefined) assert.equal(fs.existsSync(cgroup), false, 'removed at the stop');
    });

    test('a cgroup the caller names is used and left in place', async (t) => {
        const own = makeOwnCgroup(`bank-it-caller-${process.pid}`);
        if (own === undefined) {
            t.skip('this process cannot make a cgroup of the cpu controller here');
            return;
        }
        try {
            const stack = await startStack({ services: ['auth'], env: { ...kNoRateLimit,
                BANK_HASH_THREADS: '1', BANK_HASH_CGROUP: own } });
            try {
                assert.equal(environOf(stack.pid('auth')).BANK_HASH_CGROUP, own);
                await loginTwice(stack, 'caller');
                assert.deepEqual(membersOf(own), childrenOf(stack.pid('auth')).sort());
            } finally {
                await stack.stop();
            }
            assert.ok(fs.existsSync(own), 'not the scripts\' to remove');
        } finally {
            for (let tries = 0; tries < 50 && fs.existsSync(own); tries++) {
                try {
                    fs.rmdirSync(own);
                } catch {
                    await sleep(100);
                }
            }
        }
    });

    test('an empty BANK_HASH_CGROUP keeps the workers where auth is', async () => {
        const stack = await startStack({ services: ['auth'], env: { ...kNoRateLimit,
            BANK_HASH_THREADS: '1', BANK_HASH_CGROUP: '' } });
        try {
            assert.equal(environOf(stack.pid('auth')).BANK_HASH_CGROUP, '');
            const { username, password } = await registerUser(stack, 'nocgroup');
            const login = await request(stack.serviceUrls.auth, 'POST', '/token',
                { form: { grant_type: 'password', username, password } });
            assert.equal(login.status, 200, login.text);
            const authPid = stack.pid('auth');
            for (const pid of childrenOf(authPid)) {
                assert.equal(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'),
                    fs.readFileSync(`/proc/${authPid}/cgroup`, 'utf8'));
            }
        } finally {
            await stack.stop();
        }
    });

    test('auth refuses to start with a BANK_HASH_CGROUP that is not a writable cgroup', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-cgroup-'));
        try {
            for (const [value, expected] of [['sys/fs/cgroup/cpu', 'must be an absolute path'],
                ['/nonexistent-bank-cgroup', 'No such file or directory'], [dir, 'is not a cgroup directory']]) {
                const result = await new Promise((resolve) => {
                    execFile(serviceBinary('auth'), [], { env: { BANK_HASH_CGROUP: value } },
                        (error, stdout, stderr) => resolve({ code: error?.code ?? 0, stderr }));
                });
                assert.equal(result.code, 2, result.stderr);
                assert.match(result.stderr, new RegExp(`BANK_HASH_CGROUP: .*${expected}`), result.stderr);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe('auth readiness follows Redis', () => {
    let stack;

    before(async () => {
        stack = await startStack({ services: ['auth'], env: kNoRateLimit });
    });

    after(async () => {
        await stack?.stop();
    });

    test('/readyz and /token are 503 while Redis is down, and recover', async () => {
        const authUrl = stack.serviceUrls.auth;
        const { username, password } = await registerUser(stack, 'ready');
        const ready = await request(authUrl, 'GET', '/readyz');
        assertJson(ready, 200);

        await stack.kill('redis');

        // Not ready within about 2 s (the Redis command timeout is 1 s by default).
        let notReady;
        const deadline = Date.now() + 2500;
        for (;;) {
            notReady = await request(authUrl, 'GET', '/readyz');
            if (notReady.status !== 200 || Date.now() > deadline) break;
            await sleep(50);
        }
        assertProblem(assert, notReady, 503);

        // Logins answer 503 problem JSON, promptly: not 200, not a hang, not an OAuth error.
        const form = { grant_type: 'password', username, password };
        for (const send of [
            () => request(authUrl, 'POST', '/token', { form }),
            () => stack.api('POST', '/api/auth/token', { form }),
        ]) {
            const start = Date.now();
            const response = await send();
            const elapsed = Date.now() - start;
            assertProblem(assert, response, 503);
            assert.ok(elapsed < 5000, `answered in ${elapsed} ms`);
        }
        const refresh = await request(authUrl, 'POST', '/token',
            { form: { grant_type: 'refresh_token', refresh_token: 'whatever-token' } });
        assertProblem(assert, refresh, 503);
        const registerDown = await request(authUrl, 'POST', '/register',
            { json: { username: unique('down'), password }, headers: stack.internalHeaders() });
        assertProblem(assert, registerDown, 503);
        // Liveness does not depend on Redis.
        const health = await request(authUrl, 'GET', '/healthz');
        assert.equal(health.status, 200);

        // Redis back: ready again, and the user registered before still logs in.
        await stack.restartRedis();
        let recovered;
        const recoverDeadline = Date.now() + 10_000;
        for (;;) {
            recovered = await request(authUrl, 'GET', '/readyz');
            if (recovered.status === 200 || Date.now() > recoverDeadline) break;
            await sleep(100);
        }
        assertJson(recovered, 200);
        const login = await stack.api('POST', '/api/auth/token', { form });
        assertJson(login, 200);
        assert.equal(login.body.username, username);
        assert.ok(!stack.log('auth').includes(password), 'the password is not logged');
    });
});
