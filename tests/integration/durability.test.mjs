// Proves the ledger's durability promise with Redis at appendfsync always (the default of the
// run scripts): every deposit that was acknowledged with 200 is still there after Redis is
// killed with SIGKILL and started again from its append-only file, the transactions service
// reconnects by itself (no restart), answers 503 problem JSON while Redis is down, and the
// ledger still audits clean.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertProblem, buildDir, request, startStack } from './harness.mjs';

const auditBinary = path.join(buildDir(), 'tools', 'audit', 'bank-audit');

describe('durability', () => {
    let stack;

    before(async () => {
        stack = await startStack({ services: ['auth', 'accounts', 'transactions'],
            env: { BANK_REDIS_APPENDFSYNC: 'always' } });
    });

    after(async () => {
        await stack?.stop();
    });

    test('acknowledged deposits survive kill -9 of Redis', async () => {
        const username = `dur${crypto.randomBytes(5).toString('hex')}`;
        const password = `pw-${crypto.randomBytes(12).toString('hex')}`;
        const created = await stack.api('POST', '/api/accounts', { json: {
            username, password, email: `${username}@example.com`, first_name: 'Dura',
            last_name: 'Ble' } });
        assert.equal(created.status, 201, created.text);
        const login = await stack.api('POST', '/api/auth/token',
            { form: { grant_type: 'password', username, password } });
        assert.equal(login.status, 200, login.text);
        const token = login.body.access_token;

        // 40 concurrent deposits of 1.00; count what was acknowledged.
        const responses = await Promise.all(Array.from({ length: 40 }, () =>
            stack.api('POST', '/api/transactions/deposit', { json: { amount: '1.00' }, token })));
        const acknowledged = responses.filter((response) => response.status === 200).length;
        assert.equal(acknowledged, 40, responses.map((response) => response.status).join());

        // Immediately after the last acknowledgement: no graceful shutdown, no save.
        await stack.kill('redis', 'SIGKILL');
        const down = await stack.api('GET', '/api/transactions/balance', { token });
        assertProblem(assert, down, 503);

        await stack.restartRedis();
        // The service reconnects on its own (backoff up to 2 s).
        const readyUrl = stack.serviceUrls.transactions;
        const deadline = Date.now() + 15_000;
        for (;;) {
            const ready = await request(readyUrl, 'GET', '/readyz');
            if (ready.status === 200) break;
            assert.ok(Date.now() < deadline, 'transactions did not become ready again');
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const balance = await stack.api('GET', '/api/transactions/balance', { token });
        assert.equal(balance.status, 200, balance.text);
        assert.equal(balance.body.balance_minor, acknowledged * 100);
        assert.equal(balance.body.balance, `${acknowledged}.00`);

        if (fs.existsSync(auditBinary)) {
            const redisPassword = fs.readFileSync(
                path.join(stack.dataDir, 'keys', 'redis-password'), 'utf8').trim();
            const url = `redis://default:${encodeURIComponent(redisPassword)}@127.0.0.1:` +
                `${stack.redisPort}/0`;
            const result = await new Promise((resolve) => {
                execFile(auditBinary, [], { env: { ...process.env, BANK_REDIS_URL: url },
                    timeout: 60_000 }, (error, stdout) =>
                    resolve({ code: error ? (error.code ?? 1) : 0, stdout }));
            });
            assert.equal(result.code, 0, result.stdout);
        } else {
            assert.fail(`${auditBinary} is missing: build bank-audit first`);
        }
    });
});
