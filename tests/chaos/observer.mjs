// Reads the ledger straight from Redis, behind the services' back: atomic samples of every
// balance during the run (one MGET is one atomic step in Redis) and, at the end, the whole
// ledger for checker.mjs. Key names as in docs/ledger.md.
import { performance } from 'node:perf_hooks';

import { RedisConnection } from './resp.mjs';
import { kCashAccount } from './checker.mjs';

const kScanCount = '1000';
const kBatch = 500;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const balanceKey = (id) => `ledger:balance:${id}`;
const toMinor = (value) => (value === null ? 0 : Number(value));

function balanceKeys(accounts) {
    return [...accounts.map((account) => balanceKey(account.userId)), balanceKey(kCashAccount)];
}

/** Samples every balance and @cash atomically, every intervalMs, until stop(). */
export class BalanceSampler {
    constructor({ port, password, accounts, intervalMs = 250 }) {
        this.options = { port, password, timeoutMs: 1000 };
        this.keys = balanceKeys(accounts);
        this.intervalMs = intervalMs;
        this.snapshots = [];
        this.failures = 0;
        this.stopping = false;
    }

    async run() {
        let connection;
        while (!this.stopping) {
            try {
                if (connection === undefined || connection.closed) {
                    connection = await RedisConnection.connect(this.options);
                }
                const t0 = performance.now();
                const values = await connection.command('MGET', ...this.keys);
                const t1 = performance.now();
                const minor = values.map(toMinor);
                this.snapshots.push({ t0, t1, balances: minor.slice(0, -1), cash: minor.at(-1) });
            } catch {
                // Redis is down or paused: the nemesis at work. The next round connects again.
                this.failures += 1;
                connection?.close();
                connection = undefined;
            }
            await sleep(this.intervalMs);
        }
        connection?.close();
    }

    stop() {
        this.stopping = true;
    }
}

async function scan(redis, pattern) {
    const keys = [];
    let cursor = '0';
    do {
        const [next, batch] = await redis.command('SCAN', cursor, 'MATCH', pattern, 'COUNT',
            kScanCount);
        keys.push(...batch);
        cursor = next;
    } while (cursor !== '0');
    return keys;
}

function toObject(flat) {
    const object = {};
    for (let i = 0; i + 1 < flat.length; i += 2) object[flat[i]] = flat[i + 1];
    return object;
}

/**
 * The whole ledger of a quiet stack, in the shape checker.mjs takes. eventsMaxlen: the stream's
 * trim length; while the stream is shorter it was never trimmed and is checked entry by entry.
 */
export async function readLedger({ port, password, accounts, eventsMaxlen }) {
    const redis = await RedisConnection.connect({ port, password, timeoutMs: 30_000 });
    try {
        const txKeys = await scan(redis, 'ledger:tx:*');
        const txs = [];
        for (let i = 0; i < txKeys.length; i += kBatch) {
            const batch = txKeys.slice(i, i + kBatch);
            const hashes = await Promise.all(batch.map((key) => redis.command('HGETALL', key)));
            txs.push(...hashes.map(toObject));
        }
        const histories = await Promise.all(accounts.map((account) =>
            redis.command('LRANGE', `ledger:history:${account.userId}`, '0', '-1')));
        const values = (await redis.command('MGET', ...balanceKeys(accounts))).map(toMinor);
        const known = new Set(balanceKeys(accounts));
        const strayBalanceKeys = (await scan(redis, 'ledger:balance:*'))
            .filter((key) => !known.has(key));

        let events;
        const length = await redis.command('XLEN', 'ledger:events');
        if (length < eventsMaxlen) {
            events = [];
            let start = '-';
            for (;;) {
                const page = await redis.command('XRANGE', 'ledger:events', start, '+', 'COUNT',
                    kScanCount);
                for (const [, fields] of page) events.push(toObject(fields).transaction_id);
                if (page.length < Number(kScanCount)) break;
                start = `(${page.at(-1)[0]}`;
            }
        }
        return { txs, histories, events, balances: values.slice(0, -1), cash: values.at(-1),
            strayBalanceKeys };
    } finally {
        redis.close();
    }
}
