// Proves that users written straight into Redis by the benchmark's seed tool (bank-bench-seed,
// bench/seeding.mjs) are real users to every service: a funded one logs in with the password
// grant, reads its account, balance and history, and sends transfers by account number and by
// username; an unfunded one logs in and receives; a second batch added later is found too; and
// bank-audit passes. If a service changes its key layout, this fails here, not in `make bench`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { audit, checkSeededUser, kBenchPassword, redisTools } from '../../bench/seeding.mjs';
import { buildDir, startStack } from './harness.mjs';

const kBalanceMinor = 500_000;

describe('benchmark seeding', () => {
    let stack;
    let redis;

    before(async () => {
        stack = await startStack();
        redis = redisTools(stack, { buildDir: buildDir(), argon2: {
            opslimit: Number(stack.env.BANK_ARGON2_OPSLIMIT),
            memlimitKib: Number(stack.env.BANK_ARGON2_MEMLIMIT_KIB) } });
    });
    after(async () => {
        await stack?.stop();
    });

    test('seeded users sign in, read, move money and audit clean', async () => {
        const first = await redis.seed({ from: 0, to: 20, funded: 5, balanceMinor: kBalanceMinor });
        assert.equal(first.funded, 5);
        const token = await checkSeededUser(stack, { index: 2, balanceMinor: kBalanceMinor });

        // By username to an unfunded user, who can log in and sees the money arrive.
        const transfer = await stack.api('POST', '/api/transactions/transfer',
            { token, json: { receiver_username: 'bench17', amount: '1.25' } });
        assert.equal(transfer.status, 200, transfer.text);
        const login = await stack.api('POST', '/api/auth/token',
            { form: { grant_type: 'password', username: 'BENCH17', password: kBenchPassword } });
        assert.equal(login.status, 200, login.text);
        const receiver = await stack.api('GET', '/api/accounts/me',
            { token: login.body.access_token });
        assert.equal(receiver.body.balance_minor, 125);

        // A later batch is added to the same keyspace and is reachable at once.
        await redis.seed({ from: 20, to: 40 });
        const later = await stack.api('POST', '/api/transactions/transfer',
            { token, json: { to_account_number: '2000000039', amount: '0.10' } });
        assert.equal(later.status, 200, later.text);
        assert.equal(later.body.receiver_username, 'bench39');

        const report = await audit(buildDir(), redis.url);
        assert.ok(report.ok, report.output);
        assert.match(report.output, /total 0, 0 violations/);
    });
});
