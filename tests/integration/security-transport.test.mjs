// Proves the bank's transport and least-privilege defences against one real stack, named by the
// OWASP API Security Top 10 (2023) item each one answers:
//   API4 unrestricted resource consumption: the gateway's login rate is per client address and
//        cannot be dodged with forwarding headers; slow clients (slowloris: a header or body
//        trickled or stalled) are cut off by the gateway and by the services themselves while
//        everyone else is served at once;
//   API8 security misconfiguration: HTTPS offers TLS 1.2 and 1.3 with AEAD, forward-secret
//        suites only and sends HSTS; `make up`/`make run` print the SHA-256 fingerprint of the
//        certificate the gateway really serves; Redis refuses clients without a password, and
//        each service connects as its own ACL user that reaches only its own keys and commands
//        (transactions cannot read a password hash, auth cannot touch a balance, accounts only
//        reads balances), even from inside a Lua script; bank-audit runs as a read-only user.
// Object-level authorization, JWT attacks, the per-username login lock, mass assignment, odd
// input and CORS are in security.test.mjs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';

import { assertProblem, buildDir, newCustomer, request, startStack } from './harness.mjs';
import { redisCli, redisCliWithPassword, redisPassword, sleep } from './security-support.mjs';

const kGatewayTimeoutS = 2;
const kServiceTimeoutMs = 1000;

/**
 * A slow client: opens a connection to 127.0.0.1:port, sends `prefix`, then one `drip` every
 * intervalMs (none when drip is empty) until the server closes the connection or giveUpMs
 * passes. Resolves to { closedAfterMs (null if it never closed), received }.
 */
function slowClient(port, { prefix, drip = '', intervalMs = 300, giveUpMs = 15_000 }) {
    return new Promise((resolve) => {
        const started = Date.now();
        const socket = net.connect(port, '127.0.0.1');
        let received = '';
        let timer;
        const finish = (closedAfterMs) => {
            clearInterval(timer);
            clearTimeout(giveUp);
            socket.destroy();
            resolve({ closedAfterMs, received });
        };
        const giveUp = setTimeout(() => finish(null), giveUpMs);
        socket.on('connect', () => {
            socket.write(prefix);
            if (drip) {
                timer = setInterval(() => {
                    if (!socket.destroyed && socket.writable) socket.write(drip);
                }, intervalMs);
            }
        });
        socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
        socket.on('error', () => {});
        socket.on('close', () => finish(Date.now() - started));
    });
}

/** Times `count` sequential requests; returns the slowest in ms, and checks each is 200. */
async function slowestOf(count, send) {
    let slowest = 0;
    for (let i = 0; i < count; i++) {
        const start = Date.now();
        const response = await send();
        slowest = Math.max(slowest, Date.now() - start);
        assert.equal(response.status, 200, response.text);
        await sleep(50);
    }
    return slowest;
}

describe('security: transport and least privilege', () => {
    let stack;

    before(async () => {
        stack = await startStack({ env: {
            // One login per 10 s after a burst of 3: slow enough that no refill lands mid-test.
            BANK_LOGIN_RATE: '6r/m', BANK_LOGIN_BURST: '3',
            BANK_GATEWAY_CLIENT_TIMEOUT_S: String(kGatewayTimeoutS),
            BANK_HEADER_TIMEOUT_MS: String(kServiceTimeoutMs),
            BANK_BODY_TIMEOUT_MS: String(kServiceTimeoutMs),
        } });
    });

    after(async () => {
        await stack?.stop();
    });

    describe('API4:2023 unrestricted resource consumption', () => {
        test('the login rate is per client address; forwarding headers cannot fake another',
            async () => {
                const guess = (localAddress, headers = {}) => stack.api('POST', '/api/auth/token',
                    { localAddress, headers, form: { grant_type: 'password',
                        username: 'nobody-here', password: 'a guess' } });
                const burst = await Promise.all(Array.from({ length: 12 },
                    () => guess('127.0.0.2')));
                const statuses = burst.map((response) => response.status);
                assert.ok(statuses.includes(429), `the burst is limited: ${statuses}`);
                assertProblem(assert, burst.find((response) => response.status === 429), 429,
                    'rate_limited');
                // The gateway keys the limit on the connection's address, never on what the
                // client claims about itself.
                for (const headers of [{ 'x-forwarded-for': '203.0.113.7' },
                    { 'x-real-ip': '203.0.113.8' }, { forwarded: 'for=203.0.113.9' }]) {
                    const spoofed = await guess('127.0.0.2', headers);
                    assertProblem(assert, spoofed, 429, 'rate_limited');
                }
                // Another address has its own budget.
                const other = await guess('127.0.0.3');
                assert.equal(other.status, 400, other.text);
                assert.equal(other.body.error, 'invalid_grant');
            });

        test('the gateway cuts off trickled headers and stalled bodies; others are served',
            async () => {
                const port = Number(new URL(stack.gatewayUrl).port);
                const headerTricklers = Array.from({ length: 40 }, () => slowClient(port, {
                    prefix: 'GET /api/auth/jwks.json HTTP/1.1\r\nHost: bank\r\n',
                    drip: 'X-Slow: a\r\n', intervalMs: 300 }));
                const bodyStallers = Array.from({ length: 20 }, () => slowClient(port, {
                    prefix: 'POST /api/auth/revoke HTTP/1.1\r\nHost: bank\r\n' +
                        'Content-Type: application/x-www-form-urlencoded\r\n' +
                        'Content-Length: 1000\r\n\r\ntoken=' }));
                await sleep(100);
                const slowest = await slowestOf(10,
                    () => stack.api('GET', '/api/auth/jwks.json'));
                const results = await Promise.all([...headerTricklers, ...bodyStallers]);
                for (const { closedAfterMs, received } of results) {
                    assert.notEqual(closedAfterMs, null, 'the gateway closed the connection');
                    assert.ok(closedAfterMs >= kGatewayTimeoutS * 1000 - 200 &&
                        closedAfterMs < kGatewayTimeoutS * 1000 + 3000, `closed after ${
                        closedAfterMs} ms`);
                    assert.doesNotMatch(received, /^HTTP\/1\.1 200/, 'no slow request was served');
                }
                assert.ok(slowest < 1000, `others were served meanwhile (slowest ${slowest} ms)`);
            });

        test('each service cuts off trickled headers and bodies by itself', async () => {
            const port = Number(new URL(stack.serviceUrls.auth).port);
            // A body that keeps arriving, byte by byte, is still cut off: the limit is on the
            // whole body, not between bytes.
            const clients = [
                ...Array.from({ length: 15 }, () => slowClient(port, {
                    prefix: 'GET /healthz HTTP/1.1\r\nHost: bank\r\n', drip: 'X-Slow: a\r\n',
                    intervalMs: 200 })),
                ...Array.from({ length: 15 }, () => slowClient(port, {
                    prefix: 'POST /revoke HTTP/1.1\r\nHost: bank\r\n' +
                        'Content-Type: application/x-www-form-urlencoded\r\n' +
                        'Content-Length: 1000\r\n\r\ntoken=', drip: 'a', intervalMs: 100 })),
            ];
            await sleep(100);
            const slowest = await slowestOf(10,
                () => request(stack.serviceUrls.auth, 'GET', '/healthz'));
            for (const { closedAfterMs, received } of await Promise.all(clients)) {
                assert.notEqual(closedAfterMs, null, 'the service closed the connection');
                assert.ok(closedAfterMs < kServiceTimeoutMs + 2500, `closed after ${
                    closedAfterMs} ms`);
                assert.doesNotMatch(received, /^HTTP\/1\.1 200/);
            }
            assert.ok(slowest < 1000, `others were served meanwhile (slowest ${slowest} ms)`);
        });
    });

    describe('API8:2023 security misconfiguration: TLS', () => {
        const httpsPort = () => Number(new URL(stack.httpsUrl).port);

        /** A TLS handshake with these options; resolves to the socket's facts or rejects. */
        function handshake(options) {
            return new Promise((resolve, reject) => {
                const socket = tls.connect({ host: '127.0.0.1', port: httpsPort(),
                    servername: 'localhost', rejectUnauthorized: false, ...options }, () => {
                    const facts = { protocol: socket.getProtocol(), cipher: socket.getCipher().name,
                        fingerprint: socket.getPeerCertificate().fingerprint256 };
                    socket.end();
                    resolve(facts);
                });
                socket.on('error', reject);
                socket.setTimeout(10_000, () => socket.destroy(new Error('handshake timed out')));
            });
        }

        test('TLS 1.2 offers only forward-secret AEAD suites; TLS 1.3 its standard three',
            async () => {
                const tls12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
                for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256',
                    'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305']) {
                    const facts = await handshake({ ...tls12, ciphers: cipher });
                    assert.equal(facts.cipher, cipher);
                }
                // CBC, SHA-1 MACs, static RSA key exchange (no forward secrecy) and finite-field
                // DHE are all refused, each offered alone.
                for (const cipher of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA',
                    'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256',
                    'AES256-SHA', 'DHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256']) {
                    await assert.rejects(handshake({ ...tls12, ciphers: `${cipher}@SECLEVEL=0` }),
                        /handshake failure|no shared cipher|no ciphers available/i, cipher);
                }
                for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384',
                    'TLS_CHACHA20_POLY1305_SHA256']) {
                    const facts = await handshake({ minVersion: 'TLSv1.3', ciphers: suite });
                    assert.equal(facts.protocol, 'TLSv1.3');
                    assert.equal(facts.cipher, suite);
                }
                for (const version of ['TLSv1', 'TLSv1.1']) {
                    await assert.rejects(handshake({ minVersion: version, maxVersion: version,
                        ciphers: 'DEFAULT@SECLEVEL=0' }),
                    /protocol version|unsupported protocol|wrong version|no protocols/i, version);
                }
            });

        test('every HTTPS answer carries HSTS, errors included', async () => {
            for (const urlPath of ['/', '/api/auth/jwks.json', '/api/nope', '/api/accounts/me']) {
                const response = await request(stack.httpsUrl, 'GET', urlPath);
                assert.match(response.headers['strict-transport-security'] ?? '',
                    /^max-age=63072000$/, `${urlPath} (${response.status})`);
            }
        });

        test('make up / make run print the fingerprint of the certificate really served',
            async () => {
                const printed = /SHA-256 fingerprint[^\n]*\n\s*([0-9A-F]{2}(?::[0-9A-F]{2}){31})/
                    .exec(stack.upOutput ?? '');
                assert.ok(printed, `a fingerprint in the output of up.sh:\n${stack.upOutput}`);
                const served = await handshake({});
                assert.equal(printed[1], served.fingerprint);
            });
    });

    describe('API8:2023 security misconfiguration: Redis least privilege', () => {
        let alice;
        let aliceHash;

        before(async () => {
            alice = await newCustomer(stack, 'acl');
            const deposit = await stack.api('POST', '/api/transactions/deposit',
                { token: alice.token, json: { amount: '25.00' } });
            assert.equal(deposit.status, 200, deposit.text);
            aliceHash = redisCli(stack, 'default', 'HGET', `auth:user:${alice.userId}`,
                'password_hash');
            assert.match(aliceHash, /^\$argon2id\$/);
        });

        /** EVALSHA of a script loaded by `user` itself, with no declared keys. */
        function script(user, source) {
            const sha = redisCli(stack, user, 'SCRIPT', 'LOAD', source);
            assert.match(sha, /^[0-9a-f]{40}$/, `${user} may load scripts: ${sha}`);
            return redisCli(stack, user, 'EVALSHA', sha, '0');
        }

        // NOPERM for a command, "can't access"/"can't run" for what a script tried.
        const kRefused = /NOPERM|can't access|can't run/;
        const balanceKey = () => `ledger:balance:${alice.userId}`;
        const userKey = () => `auth:user:${alice.userId}`;

        test('no client gets in without a password', () => {
            assert.match(redisCli(stack, null, 'GET', balanceKey()), /NOAUTH/);
            assert.match(redisCli(stack, null, 'PING'), /NOAUTH/);
            for (const user of ['default', 'transactions']) {
                assert.match(redisCliWithPassword(stack, user, 'not-the-password', 'PING'),
                    /WRONGPASS|invalid username-password/i, user);
            }
            // A service's password is not the operator's.
            assert.notEqual(redisPassword(stack, 'auth'), redisPassword(stack, 'default'));
        });

        test('each service connects as its own user', () => {
            const users = new Set(redisCli(stack, 'default', 'CLIENT', 'LIST').split('\n')
                .map((line) => / user=([^ ]+)/.exec(line)?.[1]).filter(Boolean));
            for (const user of ['auth', 'accounts', 'transactions']) {
                assert.ok(users.has(user), `a connection of ${user}: ${[...users]}`);
            }
        });

        test('transactions cannot read a password hash or write an account', () => {
            assert.match(redisCli(stack, 'transactions', 'HGET', userKey(), 'password_hash'),
                kRefused);
            assert.match(redisCli(stack, 'transactions', 'HGETALL', userKey()), kRefused);
            assert.match(script('transactions',
                `return redis.call('HGET', '${userKey()}', 'password_hash')`), kRefused);
            assert.match(redisCli(stack, 'transactions', 'HSET', `accounts:user:${alice.userId}`,
                'username', 'mallory'), kRefused);
            assert.match(script('transactions', `return redis.call('SET', 'accounts:username:x',
                '${alice.userId}')`), kRefused);
            // What it needs: its own keys, and the accounts indexes read-only.
            assert.equal(redisCli(stack, 'transactions', 'GET', balanceKey()), '2500');
            assert.equal(redisCli(stack, 'transactions', 'GET',
                `accounts:username:${alice.username}`), alice.userId);
        });

        test('auth cannot read or touch a balance, a profile or the ledger', () => {
            assert.match(redisCli(stack, 'auth', 'GET', balanceKey()), kRefused);
            assert.match(redisCli(stack, 'auth', 'INCRBY', balanceKey(), '100000'), kRefused);
            assert.match(script('auth', `return redis.call('INCRBY', '${balanceKey()}', 100000)`),
                kRefused);
            assert.match(redisCli(stack, 'auth', 'HGETALL', `accounts:user:${alice.userId}`),
                kRefused);
            assert.match(redisCli(stack, 'auth', 'XADD', 'ledger:events', '*', 'a', 'b'),
                kRefused);
            assert.equal(redisCli(stack, 'auth', 'HGET', userKey(), 'password_hash'), aliceHash);
        });

        test('accounts reads balances but cannot change them or read a password hash', () => {
            assert.equal(redisCli(stack, 'accounts', 'GET', balanceKey()), '2500');
            assert.match(redisCli(stack, 'accounts', 'INCRBY', balanceKey(), '100000'), kRefused);
            assert.match(redisCli(stack, 'accounts', 'SET', balanceKey(), '100000'), kRefused);
            assert.match(script('accounts', `return redis.call('SET', '${balanceKey()}', 1)`),
                kRefused);
            assert.match(redisCli(stack, 'accounts', 'HGET', userKey(), 'password_hash'), kRefused);
        });

        test('no service user may run administrative or keyspace-wide commands', () => {
            const commands = [['KEYS', '*'], ['SCAN', '0'], ['FLUSHALL'], ['FLUSHDB'],
                ['CONFIG', 'GET', 'requirepass'], ['ACL', 'LIST'], ['SCRIPT', 'FLUSH'],
                ['SHUTDOWN', 'NOSAVE'], ['CLIENT', 'LIST'],
                ['EVAL', 'return 1', '0'], ['SUBSCRIBE', 'x'], ['MIGRATE', '127.0.0.1', '1', 'k',
                    '0', '10'], ['BGREWRITEAOF'], ['SAVE'], ['REPLICAOF', '127.0.0.1', '1']];
            for (const user of ['auth', 'accounts', 'transactions', 'audit']) {
                for (const command of commands) {
                    if (user === 'audit' && command[0] === 'SCAN') continue;
                    assert.match(redisCli(stack, user, ...command), /NOPERM/,
                        `${user}: ${command.join(' ')}`);
                }
            }
        });

        test('bank-audit audits clean as the read-only audit user, which cannot write',
            async () => {
                assert.match(redisCli(stack, 'audit', 'SET', balanceKey(), '1'), kRefused);
                assert.match(redisCli(stack, 'audit', 'GET', userKey()), kRefused);
                const url = `redis://audit:${redisPassword(stack, 'audit')}@127.0.0.1:${
                    stack.redisPort}/0`;
                const audit = await new Promise((resolve) => {
                    execFile(path.join(buildDir(), 'tools', 'audit', 'bank-audit'), [],
                        { env: { ...process.env, BANK_REDIS_URL: url }, timeout: 60_000 },
                        (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0,
                            output: `${stdout}${stderr}` }));
                });
                assert.equal(audit.code, 0, audit.output);
            });

        test('the ACL file holds hashes, no passwords; the config holds no password', () => {
            const redisDir = path.join(stack.dataDir, 'redis');
            const acl = fs.readFileSync(path.join(redisDir, 'users.acl'), 'utf8');
            const config = fs.readFileSync(path.join(redisDir, 'redis.conf'), 'utf8');
            for (const user of ['default', 'auth', 'accounts', 'transactions', 'audit']) {
                const password = redisPassword(stack, user);
                const hash = crypto.createHash('sha256').update(password).digest('hex');
                assert.ok(!acl.includes(password) && !config.includes(password), user);
                assert.ok(acl.includes(`#${hash}`), `${user}'s hash is in the ACL file`);
            }
            assert.doesNotMatch(config, /requirepass/);
            for (const file of ['users.acl', 'redis.conf']) {
                assert.equal(fs.statSync(path.join(redisDir, file)).mode & 0o077, 0, file);
            }
        });

        test('after all of the above, no money moved', async () => {
            const balance = await stack.api('GET', '/api/transactions/balance',
                { token: alice.token });
            assert.equal(balance.body.balance, '25.00');
        });
    });
});
