// Proves the chaos checker catches what it claims to: starting from a small history and the
// ledger a correct bank would hold for it (no violation), each test breaks one thing the way a
// faulty bank would (a lost, doubled, phantom or wrongly refused posting, a wrong balance, a
// missing history entry or event, a read that shows created money) and expects that violation.
// Operations without a definite answer may be applied once or not at all.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';

import { check, kCashAccount } from './checker.mjs';

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');
const accounts = [{ index: 0, userId: 'user-a' }, { index: 1, userId: 'user-b' }];

let nextId = 0;
function op(type, actor, amountMinor, { receiver, status = 'ok', client = 0, at } = {}) {
    nextId += 1;
    const time = at ?? nextId * 10;
    return { id: nextId, client, type, actor, receiver, amountMinor, key: `key-${nextId}`,
        invokedAt: time, completedAt: time + 5, status, transactionId: `tx-${nextId}`,
        balanceAfterMinor: undefined, last: status === 'refused' ? '400 insufficient_funds' : '' };
}

// The ledger a correct bank holds after applying `applied` in order; fills in the answered
// balances of acknowledged ops like the service does.
function ledgerOf(applied) {
    const balances = [0, 0];
    let cash = 0;
    const txs = [];
    const histories = [[], []];
    for (const each of applied) {
        const id = each.transactionId;
        let from;
        let to;
        if (each.type === 'deposit') {
            balances[each.actor] += each.amountMinor;
            cash -= each.amountMinor;
            from = kCashAccount;
            to = accounts[each.actor].userId;
        } else if (each.type === 'withdrawal') {
            balances[each.actor] -= each.amountMinor;
            cash += each.amountMinor;
            from = accounts[each.actor].userId;
            to = kCashAccount;
        } else {
            balances[each.actor] -= each.amountMinor;
            balances[each.receiver] += each.amountMinor;
            from = accounts[each.actor].userId;
            to = accounts[each.receiver].userId;
            histories[each.receiver].push(id);
        }
        histories[each.actor].push(id);
        const after = String(balances[each.actor]);
        each.balanceAfterMinor = balances[each.actor];
        txs.push({ transaction_id: id, type: each.type, amount_minor: String(each.amountMinor),
            from, to, idempotency_key_sha256: sha256(each.key),
            from_balance_after_minor: each.type === 'deposit' ? String(cash) : after,
            to_balance_after_minor: each.type === 'deposit' ? after : '0' });
    }
    return { txs, histories, events: txs.map((tx) => tx.transaction_id), balances, cash,
        strayBalanceKeys: [] };
}

function scenario() {
    const setup = [op('deposit', 0, 1000, { client: -1 }), op('deposit', 1, 1000, { client: -1 })];
    const ops = [...setup, op('transfer', 0, 300, { receiver: 1 }), op('withdrawal', 1, 200),
        op('deposit', 0, 50), op('withdrawal', 0, 5000, { status: 'refused' })];
    const applied = ops.filter((each) => each.status === 'ok');
    return { accounts, ops, reads: [], snapshots: [], ledger: ledgerOf(applied) };
}

function violationsOf(input) {
    return check(input).violations.join('\n');
}

test('a correct bank has no violations, and the totals add up', () => {
    const input = scenario();
    const verdict = check(input);
    assert.deepEqual(verdict.violations, []);
    assert.equal(verdict.summary.startTotal, 2000);
    assert.equal(verdict.summary.acknowledgedDeposits, 50);
    assert.equal(verdict.summary.acknowledgedWithdrawals, 200);
    assert.equal(verdict.summary.finalTotal, 1850);
    assert.equal(verdict.summary.refused, 1);
});

test('an acknowledged operation missing from the ledger is lost', () => {
    const input = scenario();
    const withdrawal = input.ops[3];
    input.ledger = ledgerOf(input.ops.filter((each) => each.status === 'ok' &&
        each !== withdrawal));
    assert.match(violationsOf(input), /op \d+ \(withdrawal 200.*is not in the ledger \(lost\)/);
});

test('an operation applied twice is reported', () => {
    const input = scenario();
    const deposit = input.ops[4];
    const copy = { ...deposit, transactionId: 'tx-copy' };
    input.ledger = ledgerOf([...input.ops.filter((each) => each.status === 'ok'), copy]);
    const text = violationsOf(input);
    assert.match(text, /deposit 50 .* was applied 2 times: tx-\d+, tx-copy/);
    assert.match(text, /customers hold 1900 in total.* is 1850/);
});

test('a refused operation the ledger applied anyway is reported', () => {
    const input = scenario();
    const refused = input.ops[5];
    input.ops[5] = { ...refused, amountMinor: 100 };
    input.ledger = ledgerOf([...input.ops.slice(0, 5), input.ops[5]]);
    input.ops[5].status = 'refused';
    assert.match(violationsOf(input),
        /answered "400 insufficient_funds" but the ledger applied it/);
});

test('a posting nobody sent is reported', () => {
    const input = scenario();
    const phantom = op('deposit', 1, 999);
    input.ledger = ledgerOf([...input.ops.filter((each) => each.status === 'ok'), phantom]);
    assert.match(violationsOf(input),
        /ledger:tx:tx-\d+ \(deposit 999 @cash -> user-b\) matches no/);
});

test('an answer that disagrees with the ledger is reported', () => {
    const input = scenario();
    input.ops[2].transactionId = 'tx-other';
    input.ops[3].balanceAfterMinor += 1;
    const text = violationsOf(input);
    assert.match(text, /acknowledged as tx-other but the ledger has it as tx-\d+/);
    assert.match(text, /answered balance 1101 but the ledger recorded 1100/);
});

test('a balance that is not the sum of its postings is reported', () => {
    const input = scenario();
    input.ledger.balances[1] += 1;
    input.ledger.cash -= 1;
    const text = violationsOf(input);
    assert.match(text, /account 1 \(user-b\) holds 1101, its applied operations sum to 1100/);
    assert.match(text, /@cash holds -1851, the applied deposits and withdrawals make -1850/);
});

test('a missing history entry, an extra one, a doubled one and a doubled event are reported', () => {
    const input = scenario();
    const transfer = input.ledger.txs[2].transaction_id;
    input.ledger.histories[1] = input.ledger.histories[1].filter((id) => id !== transfer);
    input.ledger.histories[0].push('tx-stray');
    input.ledger.histories[0].push(input.ledger.histories[0][0]);
    input.ledger.events.push(input.ledger.events[0]);
    const text = violationsOf(input);
    assert.match(text, new RegExp(`ledger:history:user-b is missing transaction ${transfer}`));
    assert.match(text, /ledger:history:user-a lists tx-stray/);
    assert.match(text, /ledger:history:user-a lists a transaction more than once/);
    assert.match(text, /ledger:events has 2 entries for tx-\d+/);
});

test('an answer a valid request must never get is a violation', () => {
    const input = scenario();
    input.ops.push(op('withdrawal', 0, 1, { status: 'unexpected' }));
    input.ops.at(-1).last = '401 invalid_token';
    assert.match(violationsOf(input), /must never get: 401 invalid_token/);
});

test('an operation without an answer may be applied once or not at all', () => {
    const applied = scenario();
    const unanswered = op('deposit', 1, 70, { status: 'indeterminate' });
    applied.ops.push(unanswered);
    applied.ledger = ledgerOf(applied.ops.filter((each) => each.status !== 'refused'));
    const verdict = check(applied);
    assert.deepEqual(verdict.violations, []);
    assert.equal(verdict.summary.unresolvedApplied, 1);

    const notApplied = scenario();
    notApplied.ops.push(op('deposit', 1, 70, { status: 'indeterminate' }));
    assert.deepEqual(check(notApplied).violations, []);
});

test('reads and atomic samples must show neither created nor destroyed money', () => {
    const input = scenario();
    const [, , transfer] = input.ops;
    const before = transfer.invokedAt - 1;
    const after = input.ops.at(-1).completedAt + 1;
    input.reads = [
        { account: 0, t0: after, t1: after + 1, balanceMinor: 750, path: '/ok' },
        // During the transfer either balance is possible.
        { account: 1, t0: transfer.invokedAt, t1: transfer.completedAt, balanceMinor: 1000,
            path: '/ok' },
        { account: 1, t0: transfer.invokedAt, t1: transfer.completedAt, balanceMinor: 1300,
            path: '/ok' },
    ];
    input.snapshots = [{ t0: after, t1: after + 1, balances: [750, 1100], cash: -1850 }];
    assert.deepEqual(check(input).violations, []);

    input.reads.push({ account: 0, t0: after, t1: after + 1, balanceMinor: 751, path: '/created' });
    input.reads.push({ account: 1, t0: before, t1: before + 1, balanceMinor: 1300,
        path: '/early' });
    input.snapshots.push({ t0: after, t1: after + 1, balances: [750, 1101], cash: -1850 });
    const text = violationsOf(input);
    assert.match(text, /read \/created .*account 0 showed 751, possible range \[750, 750\]/);
    assert.match(text, /read \/early .*account 1 showed 1300, possible range \[1000, 1000\]/);
    assert.match(text, /customers 1851 \+ @cash -1850 = 1, not 0: money was created or destroyed/);
    assert.match(text, /the customers' total 1851 is outside the possible range \[1850, 1850\]/);
});
