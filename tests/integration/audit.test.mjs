// Proves bank-audit against a real stack: after deposits, withdrawals and transfers between two
// customers the ledger audits clean (exit 0, a summary with the counts and a zero total); after
// one customer's balance is changed behind the ledger's back with redis-cli, the audit exits 1
// and names that balance; after a dangling history entry is added, it names that too. A wrong
// password is a connection error (exit 2), not a clean ledger.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { buildDir, repoRoot, startStack } from './harness.mjs';

const auditBinary = path.join(buildDir(), 'tools', 'audit', 'bank-audit');

describe('bank-audit', () => {
    let stack;
    let password;

    const redisUrl = (secret = password) =>
        `redis://default:${encodeURIComponent(secret)}@127.0.0.1:${stack.redisPort}/0`;

    /** Runs bank-audit; resolves to { code, stdout, stderr }. */
    function audit(url = redisUrl()) {
        return new Promise((resolve) => {
            execFile(auditBinary, [], { env: { ...process.env, BANK_REDIS_URL: url },
                timeout: 60_000 }, (error, stdout, stderr) => {
                resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
            });
        });
    }

    function redisCli(...args) {
        return stack.redisCli(...args);
    }

    async function customer() {
        const username = `au${crypto.randomBytes(5).toString('hex')}`;
        const secret = `pw-${crypto.randomBytes(12).toString('hex')}`;
        const created = await stack.api('POST', '/api/accounts', { json: {
            username, password: secret, email: `${username}@example.com`, first_name: 'Audit',
            last_name: 'Customer' } });
        assert.equal(created.status, 201, created.text);
        const login = await stack.api('POST', '/api/auth/token', { form: {
            grant_type: 'password', username, password: secret } });
        assert.equal(login.status, 200, login.text);
        return { username, user_id: created.body.user_id, token: login.body.access_token };
    }

    async function post(who, route, json) {
        const response = await stack.api('POST', `/api/transactions/${route}`,
            { json, token: who.token });
        assert.equal(response.status, 200, response.text);
        return response.body;
    }

    before(async () => {
        assert.ok(fs.existsSync(auditBinary), `${auditBinary} is missing: build bank-audit first`);
        stack = await startStack({ services: ['auth', 'accounts', 'transactions'] });
        password = fs.readFileSync(path.join(stack.dataDir, 'keys', 'redis-password'), 'utf8')
            .trim();
    });

    after(async () => {
        await stack?.stop();
    });

    test('a ledger written by the services audits clean', async () => {
        const alice = await customer();
        const bob = await customer();
        await post(alice, 'deposit', { amount: '200' });
        await post(bob, 'deposit', { amount: '50.25' });
        await post(alice, 'withdraw', { amount: '30' });
        const transfer = await post(alice, 'transfer',
            { receiver_username: bob.username, amount: '20.10' });
        await post(bob, 'transfer', { receiver_username: alice.username, amount: '5' });
        await post(bob, 'withdraw', { amount: '0.15' });
        // The record stays a compact listpack (hash-max-listpack-value, docs/ledger.md), and the
        // histories are lists in posting order.
        assert.equal(redisCli('OBJECT', 'ENCODING', `ledger:tx:${transfer.transaction_id}`),
            'listpack');
        assert.equal(redisCli('TYPE', `ledger:history:${bob.user_id}`), 'list');
        // Alice's postings: her deposit, her withdrawal, this transfer, Bob's transfer to her.
        assert.equal(redisCli('LINDEX', `ledger:history:${alice.user_id}`, '2'),
            transfer.transaction_id);

        const result = await audit();
        assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
        assert.match(result.stdout,
            /^ledger audit: 3 accounts, 6 transactions, 12 entries, 8 history entries, total 0, 0 violations$/m);
        assert.match(result.stdout, /^ledger audit: OK$/m);
        stack.aliceId = alice.user_id;
    });

    test('a balance changed behind the ledger is reported', async () => {
        const key = `ledger:balance:${stack.aliceId}`;
        redisCli('INCRBY', key, '1');
        try {
            const result = await audit();
            assert.equal(result.code, 1, `${result.stdout}${result.stderr}`);
            assert.match(result.stdout, new RegExp(`balance_mismatch ${key}: balance is 15491 ` +
                'but its entries sum to 15490'));
            assert.match(result.stdout, /nonzero_total ledger:balance:\*: all balances sum to 1/);
            assert.match(result.stdout, /^ledger audit: FAILED$/m);
        } finally {
            redisCli('DECRBY', key, '1');
        }
        assert.equal((await audit()).code, 0);
    });

    test('a dangling history entry is reported', async () => {
        const key = `ledger:history:${stack.aliceId}`;
        redisCli('RPUSH', key, 'no-such-transaction');
        try {
            const result = await audit();
            assert.equal(result.code, 1, `${result.stdout}${result.stderr}`);
            assert.match(result.stdout, new RegExp(`dangling_history ${key}: member ` +
                'no-such-transaction has no ledger:tx:no-such-transaction'));
        } finally {
            redisCli('RPOP', key);
        }
        assert.equal((await audit()).code, 0);
    });

    test('histories of the earlier layout are refused, then converted in order', async () => {
        const dan = await customer();
        const ids = [];
        for (const amount of ['1.00', '2.00', '3.00']) {
            ids.push((await post(dan, 'deposit', { amount })).transaction_id);
        }
        // The earlier layout: a sorted set of the ids scored by their ledger:seq.
        const key = `ledger:history:${dan.user_id}`;
        redisCli('DEL', key);
        for (const id of ids) redisCli('ZADD', key, redisCli('HGET', `ledger:tx:${id}`, 'seq'), id);

        const refused = await stack.api('POST', '/api/transactions/deposit',
            { json: { amount: '4.00' }, token: dan.token });
        assert.equal(refused.status, 500, refused.text);
        assert.equal(redisCli('GET', `ledger:balance:${dan.user_id}`), '600');

        const migrate = () => execFileSync(path.join(repoRoot, 'scripts', 'migrate-histories.sh'),
            ['-h', '127.0.0.1', '-p', String(stack.redisPort)],
            { env: { ...process.env, REDISCLI_AUTH: password }, encoding: 'utf8' });
        assert.match(migrate(), /converted 1 histories \(3 entries\) to lists/);
        assert.equal(redisCli('TYPE', key), 'list');
        assert.deepEqual(redisCli('LRANGE', key, '0', '-1').split('\n'), ids);
        assert.match(migrate(), /converted 0 histories \(0 entries\)/);  // can run again

        const fourth = await post(dan, 'deposit', { amount: '4.00' });
        const page = await stack.api('GET', '/api/transactions/history', { token: dan.token });
        assert.equal(page.status, 200, page.text);
        assert.deepEqual(page.body.items.map((item) => item.transaction_id),
            [fourth.transaction_id, ...ids.reverse()]);
        assert.equal((await audit()).code, 0);
    });

    test('a wrong password is a connection error, exit 2', async () => {
        const result = await audit(redisUrl('wrong-password'));
        assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
        assert.match(result.stderr, /bank-audit: /);
        assert.equal(result.stdout, '');
    });

    test('a missing or malformed BANK_REDIS_URL is a usage error, exit 2', async () => {
        assert.equal((await audit('')).code, 2);
        assert.equal((await audit('http://127.0.0.1:1/0')).code, 2);
    });
});
