// Proves the NGINX gateway's contract, black-box, through a real stack (Redis, auth, NGINX):
// routing (only the public auth endpoints are reachable; internal ones are 404), NGINX's own
// errors as RFC 9457 problem JSON while the services' error bodies pass untouched, the body size
// limit, request ids, the login and sign-up rate limits (429 with Retry-After), security
// headers, TLS (1.2 and 1.3 only, HSTS only over HTTPS), the static web root with its
// single-page-app fallback, and JWKS through the proxy. Also which settings up.sh refuses
// because they cannot be written into redis.conf or nginx.conf, and that a web root only root
// may read is served from a public copy by workers that keep nobody's rights.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertProblem, childrenOf, headerValues, request, runScript, startStack }
    from './harness.mjs';

describe('gateway', () => {
    let stack;

    before(async () => {
        // A low rate so a short burst trips the limiter; accounts and transactions are left
        // out on purpose, so their routes show what a missing service looks like.
        stack = await startStack({
            services: ['auth'],
            // Sign-ups at 20 a minute: NGINX frees one every 3.003 s, so their 429 says to retry
            // after 4 s; logins' after 1 s.
            env: { BANK_LOGIN_RATE: '2r/s', BANK_LOGIN_BURST: '5',
                BANK_SIGNUP_RATE: '20r/m', BANK_SIGNUP_BURST: '5' },
        });
    });

    after(async () => {
        await stack?.stop();
    });

    test('GET /healthz is answered by the gateway itself', async () => {
        const response = await stack.api('GET', '/healthz');
        assert.equal(response.status, 200);
        assert.match(response.headers['content-type'], /^application\/json/);
        assert.deepEqual(response.body, { status: 'ok' });
    });

    test('an unknown API path is 404 problem JSON, not the web app', async () => {
        for (const path of ['/api/nope', '/api', '/api/auth', '/api/auth/unknown', '/api/v2/x']) {
            const response = await stack.api('GET', path);
            assertProblem(assert, response, 404, 'not_found');
        }
    });

    test('internal auth routes are unreachable from outside', async () => {
        const register = await stack.api('POST', '/api/auth/register',
            { json: { username: 'mallory', password: 'correct horse battery staple' } });
        assertProblem(assert, register, 404, 'not_found');
        const remove = await stack.api('DELETE', '/api/auth/users/123');
        assertProblem(assert, remove, 404, 'not_found');
        const direct = await stack.api('POST', '/register', { json: {} });
        assert.notEqual(direct.status, 200);
        assert.notEqual(direct.status, 201);
        // Encoded dot segments are decoded and resolved before routing and before the path is
        // passed on: this is /api/auth/register, not /accounts/../auth/register at a service.
        const traversal = await stack.api('POST', '/api/accounts/..%2Fauth/register', { json: {} });
        assertProblem(assert, traversal, 404, 'not_found');
    });

    test('a body over 64 KiB is 413 problem JSON; 64 KiB exactly reaches the service', async () => {
        const tooLarge = await stack.api('POST', '/api/auth/revoke',
            { body: 'a'.repeat(64 * 1024 + 1),
                headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assertProblem(assert, tooLarge, 413, 'payload_too_large');
        const atLimit = await stack.api('POST', '/api/auth/revoke',
            { body: 'a'.repeat(64 * 1024),
                headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.notEqual(atLimit.status, 413, atLimit.text);
    });

    test('a method the path does not take is 405 problem JSON', async () => {
        assertProblem(assert, await stack.api('POST', '/', { json: {} }), 405, 'method_not_allowed');
        assertProblem(assert, await stack.api('DELETE', '/index.html'), 405, 'method_not_allowed');
    });

    test('a service that is not running is 502 problem JSON', async () => {
        assertProblem(assert, await stack.api('GET', '/api/transactions/balance'), 502,
            'bad_gateway');
        assertProblem(assert, await stack.api('GET', '/api/accounts/me'), 502, 'bad_gateway');
    });

    test("the services' own error bodies pass through untouched", async () => {
        // RFC 6749 error JSON from auth, not a gateway problem document.
        const response = await stack.api('POST', '/api/auth/token', { form: {} });
        assert.equal(response.status, 400);
        assert.equal(response.body.error, 'invalid_request');
        assert.equal(response.body.code, undefined);
    });

    test('X-Request-Id is generated when absent and echoed when present', async () => {
        const generated = await stack.api('GET', '/api/nope');
        assert.match(generated.headers['x-request-id'], /^[0-9a-f]{32}$/);
        assert.equal(generated.body.request_id, generated.headers['x-request-id']);

        const other = await stack.api('GET', '/healthz');
        assert.notEqual(other.headers['x-request-id'], generated.headers['x-request-id']);

        const id = `it-${crypto.randomUUID()}`;
        const echoed = await stack.api('GET', '/api/auth/jwks.json',
            { headers: { 'x-request-id': id } });
        assert.equal(echoed.status, 200);
        assert.equal(echoed.headers['x-request-id'], id);
        // One header, not the gateway's plus the service's.
        assert.equal(echoed.headers['x-request-id'].split(',').length, 1);

        const problem = await stack.api('GET', '/api/nope', { headers: { 'x-request-id': id } });
        assert.equal(problem.body.request_id, id);
    });

    test('the request id reaches the service', async () => {
        const id = `it-${crypto.randomUUID()}`;
        await stack.api('GET', '/api/auth/jwks.json', { headers: { 'x-request-id': id } });
        // The service logs each request with its id; the log is written as the request ends.
        let log = '';
        for (let i = 0; i < 50 && !log.includes(id); i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            log = stack.log('auth');
        }
        assert.ok(log.includes(`"request_id":"${id}"`), 'auth logged the request id');
    });

    test('a request id that is not a plain token is replaced, never copied into JSON', async () => {
        const response = await stack.api('GET', '/api/nope',
            { headers: { 'x-request-id': 'bad"}, "injected": {"x' } });
        assertProblem(assert, response, 404);
        assert.equal(response.body.injected, undefined);
        assert.match(response.headers['x-request-id'], /^[0-9a-f]{32}$/);
    });

    test('security headers are on static files, proxied answers and errors', async () => {
        for (const path of ['/', '/api/auth/jwks.json', '/api/nope', '/healthz']) {
            const response = await stack.api('GET', path);
            const headers = response.headers;
            assert.equal(headers['x-content-type-options'], 'nosniff', path);
            assert.equal(headers['x-frame-options'], 'DENY', path);
            assert.equal(headers['referrer-policy'], 'no-referrer', path);
            assert.match(headers['content-security-policy'] ?? '', /default-src 'self'/, path);
            assert.equal(headers['access-control-allow-origin'], undefined, path);
            assert.equal(headers.server, 'nginx', `${path}: no version in Server`);
        }
    });

    test('plain HTTP sends no HSTS', async () => {
        const response = await stack.api('GET', '/healthz');
        assert.equal(response.headers['strict-transport-security'], undefined);
    });

    test('HTTPS serves TLS 1.2 and 1.3 with HSTS', async () => {
        for (const version of ['TLSv1.2', 'TLSv1.3']) {
            const response = await request(stack.httpsUrl, 'GET', '/api/auth/jwks.json',
                { tls: { minVersion: version, maxVersion: version } });
            assert.equal(response.status, 200);
            assert.equal(response.tlsProtocol, version);
            assert.match(response.tlsCipher.name, /GCM|CHACHA20/, 'an AEAD cipher');
            assert.match(response.headers['strict-transport-security'] ?? '', /max-age=\d{7,}/);
            assert.ok(Array.isArray(response.body.keys));
        }
    });

    test('HTTPS refuses TLS 1.1', async () => {
        // SECLEVEL=0 lets the client offer TLS 1.1 at all, so the refusal is the server's.
        await assert.rejects(
            request(stack.httpsUrl, 'GET', '/healthz', { tls: {
                minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0',
            } }),
            /protocol version|unsupported protocol|wrong version/i);
    });

    test('plain HTTP on the HTTPS port is 400 problem JSON', async () => {
        const httpOnTlsPort = stack.httpsUrl.replace('https:', 'http:');
        const response = await request(httpOnTlsPort, 'GET', '/healthz');
        assertProblem(assert, response, 400, 'http_to_https_port');
    });

    test('/api/auth/jwks.json is the JWKS of the auth service', async () => {
        const viaGateway = await stack.api('GET', '/api/auth/jwks.json');
        assert.equal(viaGateway.status, 200);
        assert.match(viaGateway.headers['content-type'], /^application\/json/);
        assert.ok(viaGateway.body.keys.length >= 1);
        for (const key of viaGateway.body.keys) {
            assert.equal(key.kty, 'RSA');
            assert.ok(key.n && key.e && key.kid, 'n, e and kid are present');
        }
        const direct = await request(stack.serviceUrls.auth, 'GET', '/jwks.json');
        assert.deepEqual(viaGateway.body, direct.body);
    });

    test('the web root serves index.html, with a fallback for client-side routes', async () => {
        const home = await stack.api('GET', '/');
        assert.equal(home.status, 200);
        assert.match(home.headers['content-type'], /^text\/html/);
        assert.match(home.text, /\/api/);
        assert.match(home.text, /\/docs/);
        const clientRoute = await stack.api('GET', '/accounts/settings');
        assert.equal(clientRoute.status, 200);
        assert.equal(clientRoute.text, home.text);
        // A missing asset is a real 404, not index.html labelled as JavaScript.
        assertProblem(assert, await stack.api('GET', '/assets/missing.js'), 404, 'not_found');
    });

    // Last: it spends the login rate budget that the other tests share.
    test('a burst on /api/auth/token is cut off with 429 problem JSON', async () => {
        const responses = await Promise.all(Array.from({ length: 20 },
            () => stack.api('POST', '/api/auth/token', { form: { grant_type: 'password' } })));
        const statuses = responses.map((response) => response.status);
        const limited = responses.filter((response) => response.status === 429);
        assert.ok(limited.length >= 1, `some requests are limited: ${statuses}`);
        assert.ok(limited.length < responses.length, `the burst allowance passes: ${statuses}`);
        assertProblem(assert, limited[0], 429, 'rate_limited');
        // RFC 6585 section 4: when to try again, once. At 2 requests a second: 1 s.
        for (const response of limited) assert.deepEqual(headerValues(response, 'retry-after'), ['1']);
        // The answers that passed the limiter (400: no credentials) carry none.
        const passed = responses.find((response) => response.status === 400);
        assert.ok(passed, `some requests reach auth: ${statuses}`);
        assert.deepEqual(headerValues(passed, 'retry-after'), []);
        // Other auth endpoints do not share the budget.
        const jwks = await stack.api('GET', '/api/auth/jwks.json');
        assert.equal(jwks.status, 200);
        assert.deepEqual(headerValues(jwks, 'retry-after'), []);
        // accounts' login shares it: the password-guessing budget is one, not two.
        const login = await stack.api('POST', '/api/accounts/login',
            { form: { username: 'someone', password: 'something' } });
        assertProblem(assert, login, 429, 'rate_limited');
        assert.deepEqual(headerValues(login, 'retry-after'), ['1']);
    });

    test('a burst of sign-ups is cut off with 429 problem JSON', async () => {
        const responses = await Promise.all(Array.from({ length: 20 },
            () => stack.api('POST', '/api/accounts', { json: {} })));
        const statuses = responses.map((response) => response.status);
        const limited = responses.filter((response) => response.status === 429);
        assert.ok(limited.length >= 1, `some requests are limited: ${statuses}`);
        assert.ok(limited.length < responses.length, `the burst allowance passes: ${statuses}`);
        assertProblem(assert, limited[0], 429, 'rate_limited');
        // One sign-up every 3.003 s at 20 a minute, rounded up.
        for (const response of limited) assert.deepEqual(headerValues(response, 'retry-after'), ['4']);
    });
});

describe('up.sh settings that cannot be written into the configuration files', () => {
    // The data dir and the web root are written into redis.conf and nginx.conf between double
    // quotes (a space is fine: every stack of these tests has one in its data dir). Each case
    // runs in a temp dir of its own, with no build to start, so a check that failed to refuse
    // could start nothing either.
    let parent;
    before(() => {
        parent = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-refusals-'));
    });
    after(() => {
        fs.rmSync(parent, { recursive: true, force: true });
    });

    const refusals = [
        ['BANK_DATA_DIR', 'bank "quoted"', 'BANK_DATA_DIR must not contain a double quote'],
        ['BANK_DATA_DIR', 'bank-$HOME', 'BANK_DATA_DIR must not contain a double quote'],
        ['BANK_DATA_DIR', 'bank-[1]', 'BANK_DATA_DIR must not contain *, ? or ['],
        ['BANK_WEB_ROOT', '/srv/web\\root', 'BANK_WEB_ROOT must not contain a double quote'],
        ['BANK_LOGIN_RATE', '0r/s', 'BANK_LOGIN_RATE must look like'],
        ['BANK_SIGNUP_RATE', '0r/m', 'BANK_SIGNUP_RATE must look like'],
    ];
    for (const [name, value, message] of refusals) {
        test(`${name}=${value} is refused before anything starts`, async () => {
            const dataDir = path.join(parent, name === 'BANK_DATA_DIR' ? value : 'data');
            const setting = name === 'BANK_DATA_DIR' ? dataDir : value;
            const up = await runScript('up.sh', { ...process.env, BANK_DATA_DIR: dataDir,
                BANK_BUILD_DIR: path.join(parent, 'no-build'), [name]: setting });
            assert.notEqual(up.code, 0, up.output);
            assert.ok(up.output.includes(message), up.output);
            assert.equal(fs.existsSync(dataDir), false, 'no data dir was made');
        });
    }
});

describe('a web root that only root may read', () => {
    // A checkout inside a private directory (mktemp -d makes 0700 ones; root's home) cannot be
    // read by nobody, whom a root NGINX runs its workers as. up.sh then serves a copy that
    // everyone may read, rather than give the workers root's rights, and the stop removes it.
    test('is served from a copy, by workers that run as nobody', async (t) => {
        if (process.getuid() !== 0) {
            t.skip('only a root NGINX runs its workers as another user');
            return;
        }
        // lib.sh copies into /tmp, which nobody must be able to search.
        assert.equal(fs.statSync('/tmp').mode & 0o1777, 0o1777, '/tmp is 1777');
        const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-private-'));
        assert.equal(fs.statSync(privateDir).mode & 0o777, 0o700);
        const webRoot = path.join(privateDir, 'www');
        fs.mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
        const page = `<!doctype html><title>${crypto.randomUUID()}</title>\n`;
        fs.writeFileSync(path.join(webRoot, 'index.html'), page);
        fs.writeFileSync(path.join(webRoot, 'assets', 'app-1.js'), 'console.log(1);\n');
        let stack;
        try {
            stack = await startStack({ services: ['auth'], env: { BANK_WEB_ROOT: webRoot } });
            const copy = fs.readFileSync(path.join(stack.dataDir, 'pids', 'web-copy'), 'utf8')
                .trim();
            assert.match(copy, /^\/tmp\/bank-web\.[A-Za-z0-9]{6}$/);
            assert.equal(fs.statSync(copy).mode & 0o777, 0o755);
            assert.match(stack.upOutput, /NGINX serves a copy of it from/);

            const index = await stack.api('GET', '/');
            assert.equal(index.status, 200);
            assert.equal(index.text, page);
            const asset = await stack.api('GET', '/assets/app-1.js');
            assert.equal(asset.status, 200);
            assert.equal(asset.text, 'console.log(1);\n');

            const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
            const workers = childrenOf(stack.pid('nginx'));
            assert.ok(workers.length > 0, 'NGINX has workers');
            for (const worker of workers) {
                const status = fs.readFileSync(`/proc/${worker}/status`, 'utf8');
                const uids = status.match(/^Uid:\s+(\d+)\s+(\d+)/m);
                assert.deepEqual([Number(uids[1]), Number(uids[2])], [nobody, nobody],
                    `worker ${worker} runs as nobody`);
            }

            // A restart of NGINX alone replaces the copy.
            await stack.kill('nginx');
            await stack.restart('nginx');
            const second = fs.readFileSync(path.join(stack.dataDir, 'pids', 'web-copy'), 'utf8')
                .trim();
            assert.notEqual(second, copy);
            assert.equal(fs.existsSync(copy), false, 'the restart removed the first copy');
            assert.equal((await stack.api('GET', '/')).text, page);

            await stack.stop();
            stack = undefined;
            assert.equal(fs.existsSync(second), false, 'the stop removed the copy');
        } finally {
            await stack?.stop();
            fs.rmSync(privateDir, { recursive: true, force: true });
        }
    });
});
