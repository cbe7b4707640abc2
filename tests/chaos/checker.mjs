// The chaos run's verdict, a pure function of what the clients saw and what the ledger holds
// (see docs/ledger.md for the key schema):
//   - every acknowledged operation is in the ledger exactly once (found by its acting user and
//     the SHA-256 of its Idempotency-Key, which each ledger:tx hash keeps), with the answered
//     transaction id, type, amount, parties and balance; a refused one is not there at all; one
//     without a definite answer is there at most once; the ledger holds nothing nobody sent;
//   - each applied posting is in its parties' history lists once and (while the stream is untrimmed)
//     in ledger:events exactly once, and nothing else is;
//   - every final balance equals the sum of the applied operations, @cash mirrors the external
//     money, no balance is negative, and the customers' total is the starting total plus the
//     acknowledged deposits minus the acknowledged withdrawals;
//   - every balance read taken during the run (through the API, or an atomic MGET of all
//     balances) lies between what had certainly been applied when it started and what could
//     have been applied by the time it ended, is not negative, and an MGET's balances and @cash
//     sum to exactly zero (double entry: no money created or destroyed).
// Ops have { type: deposit|withdrawal|transfer, actor, receiver, amountMinor, key, invokedAt,
// completedAt, status: ok|refused|unexpected|indeterminate|pending, transactionId,
// balanceAfterMinor, last }; times are performance.now() values of this process.
import crypto from 'node:crypto';

export const kCashAccount = '@cash';
const kMaxListed = 20;

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

// The balance change op makes to account index (a customer), or 0.
function effect(op, account) {
    if (op.type === 'deposit') return op.actor === account ? op.amountMinor : 0;
    if (op.type === 'withdrawal') return op.actor === account ? -op.amountMinor : 0;
    if (op.actor === account) return -op.amountMinor;
    return op.receiver === account ? op.amountMinor : 0;
}

// The change op makes to the customers' total (transfers move money between customers).
function totalEffect(op) {
    if (op.type === 'deposit') return op.amountMinor;
    return op.type === 'withdrawal' ? -op.amountMinor : 0;
}

// The range a balance read over [t0, t1] may show: operations acknowledged before t0 are
// certainly in it, applied operations invoked before t1 possibly.
function readBounds(touching, effectOf, applied, t0, t1) {
    let low = 0;
    let high = 0;
    for (const op of touching) {
        const change = effectOf(op);
        const certain = op.status === 'ok' && op.completedAt < t0;
        const possible = applied.has(op) && op.invokedAt < t1;
        if (change > 0) {
            if (certain) low += change;
            if (possible) high += change;
        } else {
            if (possible) low += change;
            if (certain) high += change;
        }
    }
    return { low, high };
}

function describe(op) {
    const parties = op.type === 'transfer' ? `${op.actor}->${op.receiver}` : `${op.actor}`;
    return `op ${op.id} (${op.type} ${op.amountMinor} account ${parties}, key ${op.key}, ` +
        `${op.status})`;
}

/**
 * accounts: [{ index, userId }]; ops, reads ([{ account, t0, t1, balanceMinor, path }]),
 * snapshots ([{ t0, t1, balances: [minor per account index], cash }]); ledger: { txs: [hash as
 * object], histories: [[tx id] per account index], events: [transaction id] or undefined when
 * the stream may have been trimmed, balances: [minor per account index], cash, strayBalanceKeys }.
 * Returns { violations: [text], summary }.
 */
export function check({ accounts, ops, reads, snapshots, ledger }) {
    const violations = [];
    const violation = (text) => violations.push(text);
    const partyId = (index) => accounts[index].userId;

    // Each ledger transaction, found by acting user and idempotency key hash.
    const txsByRequest = new Map();
    for (const tx of ledger.txs) {
        const actor = tx.type === 'deposit' ? tx.to : tx.from;
        const request = `${actor}:${tx.idempotency_key_sha256 ?? ''}`;
        if (!txsByRequest.has(request)) txsByRequest.set(request, []);
        txsByRequest.get(request).push(tx);
    }

    const applied = new Map();
    const claimed = new Set();
    for (const op of ops) {
        const found = txsByRequest.get(`${partyId(op.actor)}:${sha256(op.key)}`) ?? [];
        for (const tx of found) claimed.add(tx.transaction_id);
        if (found.length > 1) {
            violation(`${describe(op)} was applied ${found.length} times: ` +
                found.map((tx) => tx.transaction_id).join(', '));
        }
        if (op.status === 'ok' && found.length === 0) {
            violation(`${describe(op)} was acknowledged as ${op.transactionId} but is not in ` +
                'the ledger (lost)');
        }
        if ((op.status === 'refused' || op.status === 'unexpected') && found.length > 0) {
            violation(`${describe(op)} was answered "${op.last}" but the ledger applied it as ` +
                `${found[0].transaction_id}`);
        }
        if (op.status === 'unexpected') {
            violation(`${describe(op)} got an answer a valid request must never get: ${op.last}`);
        }
        if (found.length === 0) continue;
        const tx = found[0];
        applied.set(op, tx);
        const from = op.type === 'deposit' ? kCashAccount : partyId(op.actor);
        let to = kCashAccount;
        if (op.type === 'deposit') to = partyId(op.actor);
        if (op.type === 'transfer') to = partyId(op.receiver);
        if (tx.type !== op.type || Number(tx.amount_minor) !== op.amountMinor || tx.from !== from ||
            tx.to !== to) {
            violation(`${describe(op)} is in the ledger as something else: ${JSON.stringify(tx)}`);
        }
        if (op.status === 'ok') {
            if (tx.transaction_id !== op.transactionId) {
                violation(`${describe(op)} was acknowledged as ${op.transactionId} but the ` +
                    `ledger has it as ${tx.transaction_id}`);
            }
            const actorAfter = Number(op.type === 'deposit' ? tx.to_balance_after_minor
                : tx.from_balance_after_minor);
            if (op.balanceAfterMinor !== actorAfter) {
                violation(`${describe(op)} answered balance ${op.balanceAfterMinor} but the ` +
                    `ledger recorded ${actorAfter}`);
            }
        }
    }
    for (const tx of ledger.txs) {
        if (!claimed.has(tx.transaction_id)) {
            violation(`ledger:tx:${tx.transaction_id} (${tx.type} ${tx.amount_minor} ` +
                `${tx.from} -> ${tx.to}) matches no request of this run`);
        }
    }

    // History and events: each applied posting exactly where it belongs.
    const expectedHistory = accounts.map(() => new Set());
    for (const [op, tx] of applied) {
        expectedHistory[op.actor].add(tx.transaction_id);
        if (op.type === 'transfer') expectedHistory[op.receiver].add(tx.transaction_id);
    }
    for (const account of accounts) {
        const actual = ledger.histories[account.index];
        const actualSet = new Set(actual);
        if (actualSet.size !== actual.length) {
            violation(`ledger:history:${account.userId} lists a transaction more than once`);
        }
        const expected = expectedHistory[account.index];
        for (const id of expected) {
            if (!actualSet.has(id)) {
                violation(`ledger:history:${account.userId} is missing transaction ${id}`);
            }
        }
        for (const id of actualSet) {
            if (!expected.has(id)) {
                violation(`ledger:history:${account.userId} lists ${id}, which is not one of ` +
                    'its applied operations');
            }
        }
    }
    if (ledger.events !== undefined) {
        const counts = new Map();
        for (const id of ledger.events) counts.set(id, (counts.get(id) ?? 0) + 1);
        for (const [, tx] of applied) {
            const count = counts.get(tx.transaction_id) ?? 0;
            if (count !== 1) {
                violation(`ledger:events has ${count} entries for ${tx.transaction_id}`);
            }
            counts.delete(tx.transaction_id);
        }
        for (const [id, count] of counts) {
            violation(`ledger:events has ${count} entries for ${id}, which was not applied`);
        }
    }

    // Final balances.
    const appliedOps = [...applied.keys()];
    const expectedBalances = accounts.map(() => 0);
    let expectedCash = 0;
    for (const op of appliedOps) {
        expectedBalances[op.actor] += effect(op, op.actor);
        if (op.type === 'transfer') expectedBalances[op.receiver] += effect(op, op.receiver);
        expectedCash -= totalEffect(op);
    }
    for (const account of accounts) {
        const actual = ledger.balances[account.index];
        if (actual !== expectedBalances[account.index]) {
            violation(`account ${account.index} (${account.userId}) holds ${actual}, its ` +
                `applied operations sum to ${expectedBalances[account.index]}`);
        }
        if (actual < 0) violation(`account ${account.index} is negative: ${actual}`);
    }
    if (ledger.cash !== expectedCash) {
        violation(`${kCashAccount} holds ${ledger.cash}, the applied deposits and withdrawals ` +
            `make ${expectedCash}`);
    }
    for (const key of ledger.strayBalanceKeys ?? []) {
        violation(`${key} belongs to no account of this run`);
    }
    const sumOf = (list) => list.reduce((sum, op) => sum + op.amountMinor, 0);
    const acknowledged = ops.filter((op) => op.status === 'ok');
    const setup = acknowledged.filter((op) => op.client < 0);
    const startTotal = sumOf(setup);
    const acknowledgedDeposits = sumOf(acknowledged.filter((op) => op.type === 'deposit' &&
        op.client >= 0));
    const acknowledgedWithdrawals = sumOf(acknowledged.filter((op) => op.type === 'withdrawal'));
    const unresolved = ops.filter((op) => op.status === 'indeterminate' || op.status === 'pending');
    const unresolvedChange = unresolved.filter((op) => applied.has(op))
        .reduce((sum, op) => sum + totalEffect(op), 0);
    const finalTotal = ledger.balances.reduce((sum, balance) => sum + balance, 0);
    const expectedTotal = startTotal + acknowledgedDeposits - acknowledgedWithdrawals +
        unresolvedChange;
    if (finalTotal !== expectedTotal) {
        violation(`the customers hold ${finalTotal} in total; the starting total ${startTotal} ` +
            `+ acknowledged deposits ${acknowledgedDeposits} - acknowledged withdrawals ` +
            `${acknowledgedWithdrawals} (+ ${unresolvedChange} from operations without an ` +
            `answer) is ${expectedTotal}`);
    }

    // Reads taken during the run.
    const touching = accounts.map(() => []);
    for (const op of ops) {
        touching[op.actor].push(op);
        if (op.type === 'transfer') touching[op.receiver].push(op);
    }
    const checkRead = (what, account, value, t0, t1) => {
        const { low, high } = readBounds(touching[account], (op) => effect(op, account),
            applied, t0, t1);
        if (value < 0 || value < low || value > high) {
            violation(`${what}: account ${account} showed ${value}, possible range ` +
                `[${low}, ${high}]`);
        }
    };
    for (const read of reads) {
        checkRead(`read ${read.path} at ${read.t0.toFixed(0)} ms`, read.account,
            read.balanceMinor, read.t0, read.t1);
    }
    const moneyOps = ops.filter((op) => op.type !== 'transfer');
    for (const snapshot of snapshots) {
        const when = `balances read at ${snapshot.t0.toFixed(0)} ms`;
        const customers = snapshot.balances.reduce((sum, balance) => sum + balance, 0);
        if (customers + snapshot.cash !== 0) {
            violation(`${when}: customers ${customers} + ${kCashAccount} ${snapshot.cash} = ` +
                `${customers + snapshot.cash}, not 0: money was created or destroyed`);
        }
        const { low, high } = readBounds(moneyOps, totalEffect, applied, snapshot.t0, snapshot.t1);
        if (customers < low || customers > high) {
            violation(`${when}: the customers' total ${customers} is outside the possible ` +
                `range [${low}, ${high}]`);
        }
        snapshot.balances.forEach((balance, account) => {
            checkRead(when, account, balance, snapshot.t0, snapshot.t1);
        });
    }

    const byStatus = (status) => ops.filter((op) => op.client >= 0 && op.status === status).length;
    return {
        violations: violations.length > kMaxListed
            ? [...violations.slice(0, kMaxListed),
                `... and ${violations.length - kMaxListed} more violations`]
            : violations,
        violationCount: violations.length,
        summary: {
            startTotal,
            finalTotal,
            acknowledgedDeposits,
            acknowledgedWithdrawals,
            attempted: ops.filter((op) => op.client >= 0).length,
            acknowledged: byStatus('ok'),
            refused: byStatus('refused'),
            unexpected: byStatus('unexpected'),
            unresolved: unresolved.length,
            unresolvedApplied: unresolved.filter((op) => applied.has(op)).length,
            ledgerTransactions: ledger.txs.length,
            reads: reads.length,
            snapshots: snapshots.length,
            eventsChecked: ledger.events !== undefined,
        },
    };
}
