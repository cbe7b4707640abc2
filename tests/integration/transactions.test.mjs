// Proves the transactions service's contract, black-box, through a real stack (Redis, auth,
// accounts, transactions, NGINX): the deposit → withdraw → transfer walkthrough with both
// histories and GET /api/accounts/me agreeing; exact decimal arithmetic; every invalid amount
// refused with the balance unchanged; no lost or doubled money under concurrency (parallel
// deposits, racing transfers, one idempotent request sent five times at once); idempotent
// replays and reused keys; history paging with a stable cursor; and that one customer's token
// can never read, list or move another customer's money.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { assertProblem, startStack } from './harness.mjs';

const kUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const kIso8601Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const kResultKeys = ['amount', 'amount_minor', 'balance', 'balance_minor', 'created_at',
    'message', 'transaction_id', 'type', 'user_id', 'username'];
const kItemKeys = ['amount', 'amount_minor', 'balance_after', 'balance_after_minor',
    'counterparty_username', 'created_at', 'direction', 'transaction_id', 'type'];
const kNoRateLimit = {
    BANK_LOGIN_RATE: '1000r/s', BANK_LOGIN_BURST: '1000',
    BANK_SIGNUP_RATE: '1000r/s', BANK_SIGNUP_BURST: '1000',
};

describe('transactions', () => {
    let stack;

    /** A new customer: { username, user_id, account_number, token }. */
    async function customer() {
        const username = `tx${crypto.randomBytes(5).toString('hex')}`;
        const password = `pw-${crypto.randomBytes(12).toString('hex')}`;
        const created = await stack.api('POST', '/api/accounts', { json: {
            username, password, email: `${username}@example.com`, first_name: 'Test',
            last_name: 'Customer' } });
        assert.equal(created.status, 201, created.text);
        const login = await stack.api('POST', '/api/auth/token', { form: {
            grant_type: 'password', username, password } });
        assert.equal(login.status, 200, login.text);
        return { username, user_id: created.body.user_id,
            account_number: created.body.account_number, token: login.body.access_token };
    }

    const post = (who, route, json, headers = {}) =>
        stack.api('POST', `/api/transactions/${route}`, { json, token: who.token, headers });
    const get = (who, route) => stack.api('GET', `/api/transactions/${route}`, { token: who.token });

    async function balanceOf(who) {
        const response = await get(who, 'balance');
        assert.equal(response.status, 200, response.text);
        assert.deepEqual(Object.keys(response.body).sort(), ['balance', 'balance_minor', 'currency']);
        assert.equal(response.body.currency, 'USD');
        assert.equal(response.body.balance_minor, Math.round(Number(response.body.balance) * 100));
        return response.body.balance;
    }

    async function deposit(who, amount) {
        const response = await post(who, 'deposit', { amount });
        assert.equal(response.status, 200, response.text);
        return response.body;
    }

    before(async () => {
        stack = await startStack({ env: kNoRateLimit });
    });

    after(async () => {
        await stack?.stop();
    });

    test('walkthrough: deposit, withdraw, transfer, both histories, accounts agree', async () => {
        const alice = await customer();
        const bob = await customer();
        assert.equal(await balanceOf(alice), '0.00');

        const deposited = await post(alice, 'deposit', { amount: '200' });
        assert.equal(deposited.status, 200, deposited.text);
        assert.match(deposited.headers['content-type'], /^application\/json/);
        assert.deepEqual(Object.keys(deposited.body).sort(), kResultKeys);
        assert.match(deposited.body.transaction_id, kUuid);
        assert.equal(deposited.body.type, 'deposit');
        assert.equal(deposited.body.amount, '200.00');
        assert.equal(deposited.body.amount_minor, 20000);
        assert.equal(deposited.body.balance, '200.00');
        assert.equal(deposited.body.balance_minor, 20000);
        assert.equal(deposited.body.user_id, alice.user_id);
        assert.equal(deposited.body.username, alice.username);
        assert.match(deposited.body.created_at, kIso8601Z);
        assert.equal(deposited.body.message, 'Deposit successful');

        const withdrawn = await post(alice, 'withdraw', { amount: '30' });
        assert.equal(withdrawn.status, 200, withdrawn.text);
        assert.equal(withdrawn.body.type, 'withdrawal');
        assert.equal(withdrawn.body.message, 'Withdrawal successful');
        assert.equal(withdrawn.body.balance, '170.00');
        assert.equal(await balanceOf(alice), '170.00');

        const sent = await post(alice, 'transfer', { receiver_username: bob.username, amount: '20' });
        assert.equal(sent.status, 200, sent.text);
        assert.deepEqual(Object.keys(sent.body).sort(), [...kResultKeys, 'receiver_username'].sort());
        assert.equal(sent.body.type, 'transfer');
        assert.equal(sent.body.balance, '150.00');
        assert.equal(sent.body.receiver_username, bob.username);
        assert.equal(sent.body.message, 'Transfer successful');
        assert.equal(await balanceOf(alice), '150.00');
        assert.equal(await balanceOf(bob), '20.00');

        const aliceHistory = await get(alice, 'history');
        assert.equal(aliceHistory.status, 200, aliceHistory.text);
        assert.equal(aliceHistory.body.next_cursor, null);
        const items = aliceHistory.body.items;
        assert.equal(items.length, 3);
        for (const item of items) assert.deepEqual(Object.keys(item).sort(), kItemKeys);
        assert.deepEqual(items.map((item) => [item.type, item.direction, item.amount,
            item.balance_after, item.counterparty_username]), [
            ['transfer', 'debit', '20.00', '150.00', bob.username],
            ['withdrawal', 'debit', '30.00', '170.00', null],
            ['deposit', 'credit', '200.00', '200.00', null],
        ]);
        assert.equal(items[0].transaction_id, sent.body.transaction_id);
        assert.equal(items[2].transaction_id, deposited.body.transaction_id);

        const bobHistory = await get(bob, 'history');
        assert.equal(bobHistory.status, 200);
        assert.deepEqual(bobHistory.body.items.map((item) => [item.transaction_id, item.direction,
            item.amount, item.balance_after, item.counterparty_username]),
        [[sent.body.transaction_id, 'credit', '20.00', '20.00', alice.username]]);

        // Each party reads the transfer, from its own side.
        const asBob = await get(bob, sent.body.transaction_id);
        assert.equal(asBob.status, 200, asBob.text);
        assert.equal(asBob.body.direction, 'credit');
        const asAlice = await get(alice, sent.body.transaction_id);
        assert.equal(asAlice.body.direction, 'debit');

        for (const [who, balance] of [[alice, '150.00'], [bob, '20.00']]) {
            const me = await stack.api('GET', '/api/accounts/me', { token: who.token });
            assert.equal(me.status, 200, me.text);
            assert.equal(me.body.balance, balance);
        }

        // By account number too; to oneself and to nobody are refused.
        const byNumber = await post(alice, 'transfer',
            { to_account_number: bob.account_number, amount: '1.00' });
        assert.equal(byNumber.status, 200, byNumber.text);
        assert.equal(byNumber.body.receiver_username, bob.username);
        assertProblem(assert, await post(alice, 'transfer',
            { receiver_username: alice.username.toUpperCase(), amount: '1' }), 400, 'self_transfer');
        assertProblem(assert, await post(alice, 'transfer',
            { receiver_username: 'nobody_here_x', amount: '1' }), 404, 'receiver_not_found');
        assertProblem(assert, await post(alice, 'transfer',
            { to_account_number: '0000000000', amount: '1' }), 404, 'receiver_not_found');
        assertProblem(assert, await post(alice, 'transfer', { amount: '1' }), 422,
            'validation_failed');
        assertProblem(assert, await post(alice, 'transfer', { receiver_username: bob.username,
            to_account_number: bob.account_number, amount: '1' }), 422, 'validation_failed');
        assertProblem(assert, await post(alice, 'withdraw', { amount: '1000' }), 400,
            'insufficient_funds');
        assert.equal(await balanceOf(alice), '149.00');
    });

    test('decimal amounts are exact: 0.10 + 0.20 is 0.30', async () => {
        const carol = await customer();
        await deposit(carol, '0.10');
        const second = await deposit(carol, 0.2);
        assert.equal(second.balance, '0.30');
        assert.equal(second.balance_minor, 30);
        assert.equal(await balanceOf(carol), '0.30');
    });

    test('every invalid amount is 422 invalid_amount and moves nothing', async () => {
        const dave = await customer();
        await deposit(dave, '10.00');
        const invalid = ['-5', '0', '0.00', '1e3', 'NaN', '', '1.005', '9223372036854775807',
            '1,000', '1000000.01', ' 1', '+5', '.5', '007'];
        for (const route of ['deposit', 'withdraw']) {
            for (const amount of invalid) {
                assertProblem(assert, await post(dave, route, { amount }), 422, 'invalid_amount');
            }
            // Number literals are judged by their exact text, never as a double.
            for (const raw of ['{"amount":12.345}', '{"amount":-5}', '{"amount":1e3}',
                '{"amount":0}', '{"amount":null}', '{"amount":true}', '{"amount":["1"]}']) {
                const response = await stack.api('POST', `/api/transactions/${route}`, {
                    body: raw, token: dave.token, headers: { 'content-type': 'application/json' } });
                assertProblem(assert, response, 422, 'invalid_amount');
            }
        }
        for (const amount of invalid) {
            assertProblem(assert, await post(dave, 'transfer',
                { receiver_username: dave.username, amount }), 422, 'invalid_amount');
        }
        assert.equal(await balanceOf(dave), '10.00');
    });

    test('request shape: unknown fields, media type, malformed JSON, auth', async () => {
        const erin = await customer();
        assertProblem(assert, await post(erin, 'deposit', { amount: '1', user_id: 'x' }), 422,
            'validation_failed');
        assertProblem(assert, await post(erin, 'deposit', { amount: '1', balance: '100' }), 422,
            'validation_failed');
        assertProblem(assert, await post(erin, 'deposit', {}), 422, 'validation_failed');
        assertProblem(assert, await stack.api('POST', '/api/transactions/deposit', {
            body: '{"amount":"1"', token: erin.token,
            headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
        assertProblem(assert, await stack.api('POST', '/api/transactions/deposit', {
            form: { amount: '1' }, token: erin.token }), 415);
        for (const route of ['deposit', 'withdraw', 'transfer']) {
            assertProblem(assert, await stack.api('POST', `/api/transactions/${route}`,
                { json: { amount: '1' } }), 401);
        }
        for (const route of ['balance', 'history', crypto.randomUUID()]) {
            const response = await stack.api('GET', `/api/transactions/${route}`);
            assertProblem(assert, response, 401);
            assert.match(response.headers['www-authenticate'] ?? '', /^Bearer/);
        }
        assertProblem(assert, await stack.api('GET', '/api/transactions/balance',
            { token: 'not.a.jwt' }), 401, 'invalid_token');
        assert.equal(await balanceOf(erin), '0.00');
    });

    test('200 parallel deposits of 0.01 make exactly 2.00', async () => {
        const frank = await customer();
        const responses = await Promise.all(
            Array.from({ length: 200 }, () => post(frank, 'deposit', { amount: '0.01' })));
        for (const response of responses) assert.equal(response.status, 200, response.text);
        assert.equal(new Set(responses.map((r) => r.body.transaction_id)).size, 200);
        assert.equal(await balanceOf(frank), '2.00');
    });

    test('20 parallel transfers of 10.00 from 10.00: exactly one succeeds', async () => {
        const grace = await customer();
        const heidi = await customer();
        await deposit(grace, '10.00');
        const responses = await Promise.all(Array.from({ length: 20 }, () =>
            post(grace, 'transfer', { receiver_username: heidi.username, amount: '10.00' })));
        const ok = responses.filter((r) => r.status === 200);
        assert.equal(ok.length, 1);
        for (const response of responses.filter((r) => r.status !== 200)) {
            assertProblem(assert, response, 400, 'insufficient_funds');
        }
        assert.equal(await balanceOf(grace), '0.00');
        assert.equal(await balanceOf(heidi), '10.00');
    });

    test('idempotency: replay, reuse, concurrent retries, bad keys', async () => {
        const ivan = await customer();
        const key = crypto.randomUUID();
        const first = await post(ivan, 'deposit', { amount: '5.00' }, { 'idempotency-key': key });
        assert.equal(first.status, 200, first.text);
        assert.equal(first.headers['idempotent-replayed'], undefined);
        await deposit(ivan, '1.00');
        // Same key, same request (spelled differently): the first answer, no money moved.
        const replay = await post(ivan, 'deposit', { amount: 5 }, { 'idempotency-key': key });
        assert.equal(replay.status, 200, replay.text);
        assert.equal(replay.headers['idempotent-replayed'], 'true');
        assert.deepEqual(replay.body, first.body);
        assert.equal(await balanceOf(ivan), '6.00');
        assertProblem(assert, await post(ivan, 'deposit', { amount: '5.01' },
            { 'idempotency-key': key }), 422, 'idempotency_key_reused');
        assertProblem(assert, await post(ivan, 'withdraw', { amount: '5.00' },
            { 'idempotency-key': key }), 422, 'idempotency_key_reused');
        // Keys are per customer: another customer's identical key is independent.
        const judy = await customer();
        const judys = await post(judy, 'deposit', { amount: '5.00' }, { 'idempotency-key': key });
        assert.equal(judys.status, 200);
        assert.notEqual(judys.body.transaction_id, first.body.transaction_id);
        assert.equal(judys.headers['idempotent-replayed'], undefined);

        // Five copies at once: money applied once; every 200 names the same transaction.
        const parallelKey = crypto.randomUUID();
        const copies = await Promise.all(Array.from({ length: 5 }, () => post(ivan, 'deposit',
            { amount: '2.50' }, { 'idempotency-key': parallelKey })));
        const done = copies.filter((r) => r.status === 200);
        assert.ok(done.length >= 1, copies.map((r) => r.text).join('\n'));
        for (const response of copies.filter((r) => r.status !== 200)) {
            assertProblem(assert, response, 409, 'request_in_progress');
        }
        assert.equal(new Set(done.map((r) => r.body.transaction_id)).size, 1);
        assert.equal(await balanceOf(ivan), '8.50');
        const retry = await post(ivan, 'deposit', { amount: '2.50' },
            { 'idempotency-key': parallelKey });
        assert.equal(retry.status, 200);
        assert.equal(retry.body.transaction_id, done[0].body.transaction_id);
        assert.equal(await balanceOf(ivan), '8.50');

        // A refused request is not recorded: the same key works once the money is there.
        const withdrawKey = crypto.randomUUID();
        assertProblem(assert, await post(ivan, 'withdraw', { amount: '100.00' },
            { 'idempotency-key': withdrawKey }), 400, 'insufficient_funds');
        await deposit(ivan, '100.00');
        const later = await post(ivan, 'withdraw', { amount: '100.00' },
            { 'idempotency-key': withdrawKey });
        assert.equal(later.status, 200, later.text);

        // Transfers too, replayed with the receiver's name.
        const transferKey = crypto.randomUUID();
        const transfer = await post(ivan, 'transfer', { receiver_username: judy.username,
            amount: '1.00' }, { 'idempotency-key': transferKey });
        assert.equal(transfer.status, 200, transfer.text);
        const transferReplay = await post(ivan, 'transfer', { receiver_username: judy.username,
            amount: '1.00' }, { 'idempotency-key': transferKey });
        assert.equal(transferReplay.headers['idempotent-replayed'], 'true');
        assert.deepEqual(transferReplay.body, transfer.body);
        assert.equal(await balanceOf(judy), '6.00');

        for (const bad of ['', 'a'.repeat(256), 'has space', 'caf\u00e9']) {
            const response = await post(ivan, 'deposit', { amount: '1.00' },
                { 'idempotency-key': bad });
            assertProblem(assert, response, 422, 'validation_failed');
            assert.equal(response.body.errors?.[0]?.field, 'Idempotency-Key', response.text);
        }
        assert.equal(await balanceOf(ivan), '7.50');
    });

    test('history pages newest first with a cursor new postings never shift', async () => {
        const kim = await customer();
        for (let i = 1; i <= 5; i++) await deposit(kim, `${i}.00`);
        const first = await get(kim, 'history?limit=2');
        assert.equal(first.status, 200, first.text);
        assert.deepEqual(first.body.items.map((item) => item.amount), ['5.00', '4.00']);
        assert.equal(typeof first.body.next_cursor, 'string');
        await deposit(kim, '6.00');  // arrives between pages
        const second = await get(kim,
            `history?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`);
        assert.equal(second.status, 200, second.text);
        assert.deepEqual(second.body.items.map((item) => item.amount), ['3.00', '2.00']);
        const third = await get(kim,
            `history?limit=2&cursor=${encodeURIComponent(second.body.next_cursor)}`);
        assert.deepEqual(third.body.items.map((item) => item.amount), ['1.00']);
        assert.equal(third.body.next_cursor, null);
        const all = await get(kim, 'history');
        assert.equal(all.body.items.length, 6);
        assert.equal(all.body.next_cursor, null);
        for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=-1', 'cursor=xyz',
            'cursor=', 'limit=1.5']) {
            assertProblem(assert, await get(kim, `history?${query}`), 422, 'validation_failed');
        }
        const empty = await get(await customer(), 'history');
        assert.deepEqual(empty.body, { items: [], next_cursor: null });
    });

    test("one customer's token never reads, lists or moves another's money", async () => {
        const mallory = await customer();
        const victim = await customer();
        const victimDeposit = await deposit(victim, '50.00');
        assertProblem(assert, await get(mallory, victimDeposit.transaction_id), 404,
            'transaction_not_found');
        assertProblem(assert, await get(mallory, crypto.randomUUID()), 404,
            'transaction_not_found');
        const history = await get(mallory, 'history');
        assert.deepEqual(history.body.items, []);
        // Identity comes only from the token; naming the victim in the body is refused.
        for (const body of [{ amount: '1.00', user_id: victim.user_id },
            { amount: '1.00', username: victim.username }]) {
            assertProblem(assert, await post(mallory, 'withdraw', body), 422, 'validation_failed');
        }
        assertProblem(assert, await post(mallory, 'withdraw', { amount: '1.00' }), 400,
            'insufficient_funds');
        assert.equal(await balanceOf(victim), '50.00');
        assert.equal(await balanceOf(mallory), '0.00');
    });
});
