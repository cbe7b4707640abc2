#!/usr/bin/env node
// The chaos test (Jepsen's bank workload): a real stack on free ports in a temp dir, N funded
// accounts, concurrent clients moving money through the gateway with Idempotency-Keys and
// retries, while a nemesis kill -9s and restarts, or pauses with SIGSTOP/SIGCONT, Redis, each
// service and NGINX. Afterwards checker.mjs judges the clients' history against the ledger and
// bank-audit checks the ledger itself. Exit status: 0 no violation, 1 violations, 2 the run
// itself failed (the stack did not start, setup failed, ...).
//
//   CHAOS_DURATION=60 CHAOS_ACCOUNTS=50 CHAOS_CLIENTS=16 [CHAOS_SEED=n] \
//     BANK_BUILD_DIR=build/release node tests/chaos/chaos.mjs
//
// make chaos runs it with those defaults on the release build; make test runs a short one. The
// stack's logs are copied to a temp dir when the run fails, or always with CHAOS_KEEP_LOGS=1.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { buildDir, request, startStack } from '../integration/harness.mjs';
import { check } from './checker.mjs';
import { Nemesis } from './nemesis.mjs';
import { BalanceSampler, readLedger } from './observer.mjs';
import { makeRandom } from './random.mjs';
import { Workload } from './workload.mjs';

const kInitialMinor = 100_000;
const kEventsMaxlen = 100_000;
const kReadyDeadlineMs = 30_000;

function setting(name, fallback, low, high) {
    const text = process.env[name];
    if (text === undefined || text === '') return fallback;
    if (!/^[0-9]+$/.test(text) || Number(text) < low || Number(text) > high) {
        console.error(`chaos: ${name} must be a whole number from ${low} to ${high}, ` +
            `got '${text}'`);
        process.exit(2);
    }
    return Number(text);
}

const config = {
    durationS: setting('CHAOS_DURATION', 60, 1, 86_400),
    accounts: setting('CHAOS_ACCOUNTS', 50, 2, 10_000),
    clients: setting('CHAOS_CLIENTS', 16, 1, 1000),
    settleS: setting('CHAOS_SETTLE', 60, 1, 3600),
    seed: setting('CHAOS_SEED', crypto.randomInt(1, 2 ** 31), 0, 2 ** 32 - 1),
};

const started = performance.now();
const log = (text) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`chaos: [${seconds} s] ${text}\n`);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const money = (minor) => `${minor < 0 ? '-' : ''}${(Math.abs(minor) / 100).toFixed(2)}`;

function runAudit(url) {
    const binary = path.join(buildDir(), 'tools', 'audit', 'bank-audit');
    if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: build it first`);
    return new Promise((resolve) => {
        execFile(binary, [], { env: { ...process.env, BANK_REDIS_URL: url }, timeout: 120_000 },
            (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0,
                output: `${stdout}${stderr}`.trim() }));
    });
}

// Each service answers /readyz 200 again, by itself, within the deadline.
async function awaitReady(stack) {
    const late = [];
    for (const [name, url] of Object.entries(stack.serviceUrls)) {
        const deadline = Date.now() + kReadyDeadlineMs;
        for (;;) {
            const ready = await request(url, 'GET', '/readyz', { timeoutMs: 2000 })
                .catch((error) => ({ status: error.message }));
            if (ready.status === 200) break;
            if (Date.now() > deadline) {
                late.push(`${name} was not ready ${kReadyDeadlineMs / 1000} s after the faults ` +
                    `stopped (last /readyz: ${ready.status})`);
                break;
            }
            await sleep(200);
        }
    }
    return late;
}

// The final balance of every account through the API: recorded as reads after everything
// settled, so the checker holds each to exactly the ledger's sum.
async function finalReads(stack, workload) {
    const reads = [];
    const violations = [];
    for (const account of workload.accounts) {
        for (const route of ['/api/transactions/balance', '/api/accounts/me']) {
            const t0 = performance.now();
            const response = await stack.api('GET', route, { token: account.token });
            if (response.status !== 200) {
                violations.push(`GET ${route} of account ${account.index} after the run: ` +
                    `${response.status} ${response.text}`);
                continue;
            }
            reads.push({ account: account.index, t0, t1: performance.now(), path: route,
                balanceMinor: response.body.balance_minor });
        }
    }
    return { reads, violations };
}

function keepLogs(stack) {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-chaos-logs-'));
    fs.cpSync(path.join(stack.dataDir, 'logs'), target, { recursive: true });
    return target;
}

function report({ workload, nemesis, sampler, verdict, audit, violationCount }) {
    const { stats } = workload;
    const { summary } = verdict;
    const ops = workload.ops.filter((op) => op.client >= 0);
    const byType = (type) => ops.filter((op) => op.type === type).length;
    const listed = (counts) => [...counts].sort((a, b) => b[1] - a[1])
        .map(([answer, count]) => `${answer} x${count}`).join(', ') || 'none';
    const total = (counts) => [...counts.values()].reduce((sum, count) => sum + count, 0);
    const faults = [...nemesis.counts].sort().map(([name, count]) => `${name} ${count}`);
    const faultTotal = [...nemesis.counts.values()].reduce((sum, count) => sum + count, 0);
    const lines = [
        `chaos: ${config.durationS} s, ${config.accounts} accounts, ${config.clients} clients, ` +
            `seed ${config.seed}, binaries ${path.relative(process.cwd(), buildDir()) || '.'}`,
        `operations: ${summary.attempted} attempted (deposit ${byType('deposit')}, withdrawal ` +
            `${byType('withdrawal')}, transfer ${byType('transfer')}), ${summary.acknowledged} ` +
            `acknowledged, ${summary.refused} refused (insufficient funds), ` +
            `${summary.unexpected} unexpected answers, ${summary.unresolved} without a definite ` +
            `answer (${summary.unresolvedApplied} of them applied)`,
        `retries: ${stats.retried} operations retried with their Idempotency-Key; ` +
            `${stats.attempts} requests sent for them`,
        `answers: ${listed(stats.answers)}`,
        `reads: ${stats.reads.ok} balance reads through the API (${total(stats.reads.failed)} ` +
            `failed: ${listed(stats.reads.failed)}), ${sampler.snapshots.length} atomic samples ` +
            `of all balances (${sampler.failures} failed while Redis was down or paused)`,
        `logins: ${stats.logins.ok} (${total(stats.logins.failed)} failed: ` +
            `${listed(stats.logins.failed)})`,
        `faults: ${faultTotal} injected: ${faults.join(', ') || 'none'}`,
        `money: starting total ${money(summary.startTotal)} + acknowledged deposits ` +
            `${money(summary.acknowledgedDeposits)} - acknowledged withdrawals ` +
            `${money(summary.acknowledgedWithdrawals)}; final total ${money(summary.finalTotal)}`,
        `ledger: ${summary.ledgerTransactions} transactions matched to requests, ` +
            `${summary.reads} balance reads and ${summary.snapshots} samples checked` +
            (summary.eventsChecked ? ', ledger:events checked' : ''),
        `audit: ${audit.output.split('\n').filter((line) => line.startsWith('ledger audit:'))
            .join('; ') || audit.output}`,
    ];
    console.log(lines.join('\n'));
    console.log(`violations: ${violationCount}`);
}

async function main() {
    log(`seed ${config.seed}; starting the stack from ${buildDir()}`);
    const random = makeRandom(config.seed);
    const stack = await startStack({ env: {
        // The durability promise under test: acknowledged writes survive kill -9 of Redis.
        BANK_REDIS_APPENDFSYNC: 'always',
        BANK_LOGIN_RATE: '1000r/s',
        BANK_LOGIN_BURST: '1000',
        // A killed transactions service leaves its in-flight markers behind; retries see 409
        // until they expire. Safety never depends on the marker (the posting script checks the
        // idempotency record atomically), so a short one keeps retries moving.
        BANK_INFLIGHT_TIMEOUT_MS: '3000',
    } });
    const violations = [];
    let keptLogs;
    try {
        const password = fs.readFileSync(path.join(stack.dataDir, 'keys', 'redis-password'),
            'utf8').trim();
        const workload = new Workload({ stack, accountCount: config.accounts,
            clientCount: config.clients, random });
        await workload.setup(kInitialMinor);
        log(`${config.accounts} accounts funded with ${money(kInitialMinor)} each; ` +
            `${config.clients} clients and the nemesis start for ${config.durationS} s`);

        const sampler = new BalanceSampler({ port: stack.redisPort, password,
            accounts: workload.accounts });
        const nemesis = new Nemesis({ stack, random: makeRandom(config.seed + 1), log });
        const sampling = sampler.run();
        const faulting = nemesis.run();
        const clients = workload.run();
        await sleep(config.durationS * 1000);

        log('time is up: healing the stack; clients finish what they started');
        nemesis.stop();
        await faulting;
        await nemesis.heal();
        workload.stop(Date.now() + config.settleS * 1000);
        await clients;
        sampler.stop();
        await sampling;
        violations.push(...nemesis.errors.map((error) => `nemesis: ${error}`));
        violations.push(...await awaitReady(stack));

        log('reading the ledger');
        const final = await finalReads(stack, workload);
        violations.push(...final.violations);
        const ledger = await readLedger({ port: stack.redisPort, password,
            accounts: workload.accounts, eventsMaxlen: kEventsMaxlen });
        const verdict = check({ accounts: workload.accounts, ops: workload.ops,
            reads: [...workload.reads, ...final.reads], snapshots: sampler.snapshots, ledger });
        // The audit connects as its own read-only ACL user, as `make audit` does.
        const auditPassword = fs.readFileSync(
            path.join(stack.dataDir, 'keys', 'redis-audit-password'), 'utf8').trim();
        const url = `redis://audit:${encodeURIComponent(auditPassword)}@127.0.0.1:` +
            `${stack.redisPort}/0`;
        const audit = await runAudit(url);
        if (audit.code !== 0) violations.push(`bank-audit exited ${audit.code}:\n${audit.output}`);

        let violationCount = verdict.violationCount + violations.length;
        if (violationCount > 0 || process.env.CHAOS_KEEP_LOGS) keptLogs = keepLogs(stack);
        try {
            await stack.stop();
        } catch (error) {
            violations.push(error.message);
            violationCount += 1;
        }
        report({ workload, nemesis, sampler, verdict, audit, violationCount });
        for (const text of [...violations, ...verdict.violations]) {
            console.log(`VIOLATION: ${text}`);
        }
        if (keptLogs) console.log(`chaos: the stack's logs are kept in ${keptLogs}`);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`chaos: ${violationCount === 0 ? 'PASSED' : 'FAILED'} in ${seconds} s ` +
            `(replay the schedule with CHAOS_SEED=${config.seed})`);
        return violationCount === 0 ? 0 : 1;
    } finally {
        if (!stack.stopped) {
            keptLogs ??= keepLogs(stack);
            console.error(`chaos: the stack's logs are kept in ${keptLogs}`);
            await stack.stop().catch((error) => console.error(`chaos: ${error.message}`));
        }
    }
}

main().then((code) => process.exit(code), (error) => {
    console.error(`chaos: the run failed: ${error.stack ?? error}`);
    process.exit(2);
});
