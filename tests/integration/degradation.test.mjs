// Proves graceful degradation when Redis fails, for every operation of openapi/openapi.json
// through the gateway: with Redis killed (connections refused) and with Redis hung (SIGSTOP:
// connections open, no answers), every operation that needs Redis answers 503 problem JSON
// within its time limit instead of hanging, while the ones that do not (the JWKS, /healthz)
// keep answering 200; each service's /readyz is 503 problem JSON and its /healthz 200. When
// Redis is back, every service is ready again by itself: same pids, no restart, and customers
// can log in, read and move money again. While a restarted Redis is still loading its data
// (it answers LOADING), the services answer 503 too, never 500.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
    allServices, assertProblem, headerValues, newCustomer, repoRoot, request, startStack,
} from './harness.mjs';

// Every Redis call has a 1 s deadline (BANK_REDIS_TIMEOUT_MS) and an operation makes a few; the
// gateway gives up after 10 s. 5 s leaves room for a machine shared with builds while still
// failing an operation that waits for the gateway's timeout or hangs.
const kAnswerWithinMs = 5000;
const kRecoverWithinMs = 15_000;
const kNoRateLimit = {
    BANK_LOGIN_RATE: '1000r/s', BANK_LOGIN_BURST: '1000',
    BANK_SIGNUP_RATE: '1000r/s', BANK_SIGNUP_BURST: '1000',
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('degradation without Redis', () => {
    let stack;
    let alice;
    let bob;
    let pids;

    // One request per operation of the contract, keyed "METHOD /path" as in openapi.json.
    function operations() {
        const idempotency = () => ({ 'idempotency-key': crypto.randomUUID() });
        const signUpName = `dg${crypto.randomBytes(5).toString('hex')}`;
        return {
            'POST /auth/token': ['POST', '/api/auth/token', { form: { grant_type: 'password',
                username: alice.username, password: alice.password } }],
            'POST /auth/revoke': ['POST', '/api/auth/revoke',
                { form: { token: alice.refreshToken } }],
            'POST /accounts': ['POST', '/api/accounts', { json: { username: signUpName,
                password: alice.password, email: `${signUpName}@example.com`, first_name: 'No',
                last_name: 'Redis' } }],
            'GET /accounts/me': ['GET', '/api/accounts/me', { token: alice.token }],
            'GET /accounts/{user_id}': ['GET', `/api/accounts/${alice.userId}`,
                { token: alice.token }],
            'POST /accounts/login': ['POST', '/api/accounts/login',
                { form: { username: alice.username, password: alice.password } }],
            'POST /transactions/deposit': ['POST', '/api/transactions/deposit',
                { json: { amount: '1.00' }, token: alice.token, headers: idempotency() }],
            'POST /transactions/withdraw': ['POST', '/api/transactions/withdraw',
                { json: { amount: '1.00' }, token: alice.token, headers: idempotency() }],
            'POST /transactions/transfer': ['POST', '/api/transactions/transfer',
                { json: { receiver_username: bob.username, amount: '1.00' }, token: alice.token,
                    headers: idempotency() }],
            'GET /transactions/balance': ['GET', '/api/transactions/balance',
                { token: alice.token }],
            'GET /transactions/history': ['GET', '/api/transactions/history',
                { token: alice.token }],
            'GET /transactions/{transaction_id}': ['GET',
                `/api/transactions/${alice.transactionId}`, { token: alice.token }],
        };
    }
    // Served without Redis, by design: the public signing key, the gateway's own health and the
    // static contract. Each must answer as it did with Redis up (independentStatus).
    const independent = {
        'GET /auth/jwks.json': ['GET', '/api/auth/jwks.json', {}],
        'GET /healthz': ['GET', '/healthz', {}],
        'GET /readyz': ['GET', '/readyz', {}],
        'GET /openapi.json': ['GET', '/api/openapi.json', {}],
    };
    const independentStatus = {};

    async function timed(send) {
        const start = Date.now();
        const response = await send();
        return { response, elapsed: Date.now() - start };
    }

    async function assertDegraded(how) {
        // Every operation of the contract is covered here, so a new one cannot be forgotten.
        const contract = JSON.parse(fs.readFileSync(path.join(repoRoot, 'openapi',
            'openapi.json'), 'utf8'));
        const table = { ...operations(), ...independent };
        for (const [route, item] of Object.entries(contract.paths)) {
            for (const method of Object.keys(item)) {
                if (method === 'parameters' || method === 'servers') continue;
                const name = `${method.toUpperCase()} ${route}`;
                assert.ok(name in table, `${name} is not covered by this test`);
            }
        }
        // Sequential, so each answer's time is its own.
        for (const [name, [method, urlPath, options]] of Object.entries(operations())) {
            const { response, elapsed } = await timed(() => stack.api(method, urlPath, options));
            assertProblem(assert, response, 503);
            // RFC 9110 section 10.2.3: when to try again (libs/http/src/problem.cpp).
            // Once: the gateway passes the service's header on and adds none of its own.
            assert.deepEqual(headerValues(response, 'retry-after'), ['1'],
                `${how}: ${name} says when to retry`);
            assert.ok(elapsed < kAnswerWithinMs, `${how}: ${name} answered in ${elapsed} ms`);
        }
        for (const [name, [method, urlPath, options]] of Object.entries(independent)) {
            const { response, elapsed } = await timed(() => stack.api(method, urlPath, options));
            assert.equal(response.status, independentStatus[name],
                `${how}: ${name}: ${response.text}`);
            assert.ok(elapsed < kAnswerWithinMs, `${how}: ${name} answered in ${elapsed} ms`);
        }
        for (const name of allServices) {
            const url = stack.serviceUrls[name];
            const { response, elapsed } = await timed(() => request(url, 'GET', '/readyz'));
            assertProblem(assert, response, 503);
            assert.ok(elapsed < kAnswerWithinMs, `${how}: ${name} /readyz took ${elapsed} ms`);
            assert.equal((await request(url, 'GET', '/healthz')).status, 200, `${name} /healthz`);
        }
    }

    async function assertRecovered(how) {
        for (const name of allServices) {
            const deadline = Date.now() + kRecoverWithinMs;
            for (;;) {
                const ready = await request(stack.serviceUrls[name], 'GET', '/readyz');
                if (ready.status === 200) break;
                assert.ok(Date.now() < deadline,
                    `${how}: ${name} not ready ${kRecoverWithinMs} ms after Redis came back`);
                await sleep(100);
            }
            assert.equal(stack.pid(name), pids[name], `${name} was not restarted`);
        }
        const login = await stack.api('POST', '/api/accounts/login',
            { form: { username: alice.username, password: alice.password } });
        assert.equal(login.status, 200, login.text);
        const token = login.body.access_token;
        const me = await stack.api('GET', '/api/accounts/me', { token });
        assert.equal(me.status, 200, me.text);
        const deposit = await stack.api('POST', '/api/transactions/deposit',
            { json: { amount: '2.00' }, token,
                headers: { 'idempotency-key': crypto.randomUUID() } });
        assert.equal(deposit.status, 200, deposit.text);
        assert.equal(deposit.body.balance_minor, me.body.balance_minor + 200);
    }

    before(async () => {
        stack = await startStack({ env: kNoRateLimit });
        alice = await newCustomer(stack, 'dg');
        bob = await newCustomer(stack, 'dg');
        const deposit = await stack.api('POST', '/api/transactions/deposit',
            { json: { amount: '10.00' }, token: alice.token });
        assert.equal(deposit.status, 200, deposit.text);
        alice.transactionId = deposit.body.transaction_id;
        pids = Object.fromEntries(allServices.map((name) => [name, stack.pid(name)]));
        for (const [name, [method, urlPath, options]] of Object.entries(independent)) {
            independentStatus[name] = (await stack.api(method, urlPath, options)).status;
        }
        assert.equal(independentStatus['GET /auth/jwks.json'], 200);
        assert.equal(independentStatus['GET /healthz'], 200);
        assert.equal(independentStatus['GET /readyz'], 200);
        // Served from the built web app (make test builds it first).
        assert.equal(independentStatus['GET /openapi.json'], 200);
    });

    after(async () => {
        await stack?.stop();
    });

    test('Redis killed: 503 problem JSON everywhere, then recovery without a restart', async () => {
        await stack.kill('redis', 'SIGKILL');
        try {
            await assertDegraded('redis killed');
        } finally {
            await stack.restart('redis');
        }
        await assertRecovered('redis killed');
    });

    // Found by the chaos test: the services turned Redis's LOADING reply into 500.
    test('Redis still loading its data after a restart: 503, not 500', async () => {
        const redisCli = stack.redisCli;
        // Enough appended commands that, with a delay per command, loading takes seconds. Redis
        // serves clients (with LOADING) only every 1024 commands it loads, so the delay is
        // short enough for the services to reconnect and be answered while it loads; each
        // request then waits up to 0.1 s, so a round of them takes about a second. 60,000 keys
        // (6 s) leave room for the three rounds asked below: 30,000 sometimes gave only two.
        for (const batch of ['1', '2', '3', '4', '5', '6']) {
            redisCli('EVAL', "for i = 1, 10000 do redis.call('SET', 'filler:' .. ARGV[1] .. ':' " +
                ".. i, 'x') end", '0', batch);
        }
        await stack.kill('redis', 'SIGKILL');
        await stack.restartRedis(['--key-load-delay', '100']);
        const loading = () => redisCli('GET', 'filler:1:1').startsWith('LOADING');
        const sends = [
            () => stack.api('GET', '/api/transactions/balance', { token: alice.token }),
            () => stack.api('POST', '/api/transactions/deposit', { json: { amount: '1.00' },
                token: alice.token, headers: { 'idempotency-key': crypto.randomUUID() } }),
            () => stack.api('GET', '/api/accounts/me', { token: alice.token }),
            () => stack.api('POST', '/api/auth/token', { form: { grant_type: 'password',
                username: alice.username, password: alice.password } }),
            // Readiness agrees with the requests: not ready while Redis loads (PING would pass).
            ...allServices.map((name) => () => request(stack.serviceUrls[name], 'GET', '/readyz')),
        ];
        // A round that ends while Redis still loads must be all 503; one that overlaps the end
        // of loading may also see successes, but never a 500.
        let rounds = 0;
        for (let whileLoading = loading(); whileLoading;) {
            const answers = [];
            for (const send of sends) answers.push(await send());
            whileLoading = loading();
            for (const answer of answers) {
                if (whileLoading || answer.status !== 200) assertProblem(assert, answer, 503);
            }
            if (whileLoading) rounds += 1;
        }
        assert.ok(rounds >= 3, `Redis loaded too fast to test anything (${rounds} rounds)`);
        await assertRecovered('redis loading');
    });

    test('Redis hung (SIGSTOP): 503 problem JSON in time, then recovery', async () => {
        stack.signal('redis', 'SIGSTOP');
        try {
            await assertDegraded('redis stopped');
        } finally {
            stack.signal('redis', 'SIGCONT');
        }
        await assertRecovered('redis stopped');
    });
});
