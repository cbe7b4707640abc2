// Benchmark users in a running stack: seeding them straight into Redis with bank-bench-seed and
// `redis-cli --pipe`, proving that a seeded user behaves like one who signed up and deposited
// through the API, and auditing the ledger. Shared by bench/run.mjs and the integration test
// that keeps the seed tool's key layout honest (tests/integration/bench_seed.test.mjs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// The password of every benchmark user; URL-safe so the login script sends it as is.
export const kBenchPassword = 'bench-password-0';

const children = new Set();
process.on('exit', () => {
    for (const child of children) {
        try {
            process.kill(child.pid, 'SIGTERM');
        } catch {
            // already gone
        }
    }
});

/** Runs a program to completion; resolves { code, stdout, stderr }. Killed if node exits. */
export function run(program, args, { env = process.env, input, timeoutMs = 600_000 } = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(program, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
        children.add(child);
        const stdout = [];
        const stderr = [];
        const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
        child.stdout.on('data', (chunk) => stdout.push(chunk));
        child.stderr.on('data', (chunk) => stderr.push(chunk));
        child.on('error', reject);
        child.on('close', (code) => {
            clearTimeout(timer);
            children.delete(child);
            resolve({ code, stdout: Buffer.concat(stdout).toString(),
                stderr: Buffer.concat(stderr).toString() });
        });
        child.stdin.end(input);
    });
}

/** Spawns a long-running program that is stopped if node exits first. */
export function spawnTracked(program, args, options) {
    const child = spawn(program, args, options);
    children.add(child);
    child.on('close', () => children.delete(child));
    return child;
}

/**
 * Redis access for a stack started by tests/integration/harness.mjs, as the operator (default)
 * user. buildDir holds bench/bank-bench-seed; argon2 is { opslimit, memlimitKib }: the cost of
 * the one hash all seeded users share (the stack's own BANK_ARGON2_* for realism).
 */
export function redisTools(stack, { buildDir, argon2 }) {
    const password = fs.readFileSync(path.join(stack.dataDir, 'keys', 'redis-password'), 'utf8').trim();
    const env = { ...process.env, REDISCLI_AUTH: password };
    const base = ['--no-auth-warning', '-h', '127.0.0.1', '-p', String(stack.redisPort)];
    const seedBinary = path.join(buildDir, 'bench', 'bank-bench-seed');
    return {
        password,
        url: `redis://default:${password}@127.0.0.1:${stack.redisPort}/0`,
        async cli(...args) {
            const result = await run('redis-cli', [...base, ...args], { env });
            if (result.code !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr}`);
            return result.stdout.trim();
        },
        async info(section) {
            const text = await this.cli('INFO', section);
            return Object.fromEntries(text.split(/\r?\n/).filter((line) => line.includes(':'))
                .map((line) => line.split(':', 2)));
        },
        /**
         * Seeds users [from, to); users below `funded` get one deposit of balanceMinor each
         * (seed each index once: a second deposit record would replace the first).
         */
        async seed({ from, to, funded = 0, balanceMinor = 100_000_000 }) {
            const started = Date.now();
            let seqBase = 0;
            let cash = 0;
            const deposits = Math.max(0, Math.min(funded, to) - from);
            if (deposits > 0) {
                seqBase = Number(await this.cli('INCRBY', 'ledger:seq', String(deposits))) - deposits;
                cash = Number((await this.cli('GET', 'ledger:balance:@cash')) || '0');
            }
            // Setup, not measurement: Redis fsyncs its append-only file once per batch it reads
            // (16 KiB), which made a million users take minutes. The writes still go to the file;
            // the stack's fsync policy is back before this returns.
            const fsync = await this.appendfsync();
            await this.cli('CONFIG', 'SET', 'appendfsync', 'no');
            try {
                return await this.pipeSeed({ from, to, funded, balanceMinor, seqBase, cash, deposits,
                    started });
            } finally {
                await this.cli('CONFIG', 'SET', 'appendfsync', fsync);
            }
        },
        async pipeSeed({ from, to, funded, balanceMinor, seqBase, cash, deposits, started }) {
            const seedArgs = ['users', '--from', String(from), '--to', String(to),
                '--funded', String(funded), '--balance-minor', String(balanceMinor),
                '--seq-base', String(seqBase), '--cash-before', String(cash),
                '--password', kBenchPassword, '--opslimit', String(argon2.opslimit),
                '--memlimit-kib', String(argon2.memlimitKib)];
            const seed = spawnTracked(seedBinary, seedArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
            const pipe = spawnTracked('redis-cli', [...base, '--pipe'],
                { env, stdio: ['pipe', 'pipe', 'pipe'] });
            seed.stdout.pipe(pipe.stdin);
            let output = '';
            pipe.stdout.on('data', (chunk) => { output += chunk; });
            pipe.stderr.on('data', (chunk) => { output += chunk; });
            const [seedCode, pipeCode] = await Promise.all([
                new Promise((resolve) => seed.on('close', resolve)),
                new Promise((resolve) => pipe.on('close', resolve)),
            ]);
            const replies = output.match(/errors: ([0-9]+), replies: ([0-9]+)/);
            if (seedCode !== 0 || pipeCode !== 0 || !replies || replies[1] !== '0') {
                throw new Error(`seeding users ${from}..${to} failed:\n${output}`);
            }
            return { from, to, funded: deposits, commands: Number(replies[2]),
                seconds: (Date.now() - started) / 1000 };
        },
        async appendfsync() {
            return (await this.cli('CONFIG', 'GET', 'appendfsync')).split('\n')[1];
        },
        // Compacts the append-only file (BGREWRITEAOF) and waits for it, as an operator would
        // after a bulk load; returns the seconds the rewrite took.
        async compact() {
            await this.waitForRewrite();
            const started = Date.now();
            await this.cli('BGREWRITEAOF');
            await this.waitForRewrite();
            return (Date.now() - started) / 1000;
        },
        // Waits until no AOF rewrite runs, so one does not land inside a measurement by chance
        // of timing (a rewrite during a workload is still counted in its result).
        async waitForRewrite() {
            const deadline = Date.now() + 120_000;
            while (Date.now() < deadline) {
                const persistence = await this.info('persistence');
                if (persistence.aof_rewrite_in_progress === '0' &&
                    persistence.aof_rewrite_scheduled === '0') return;
                await sleep(200);
            }
            throw new Error('an AOF rewrite did not finish within 120 s');
        },
    };
}

function expect(condition, message) {
    if (!condition) throw new Error(`seeding check failed: ${message}`);
}

/**
 * Proves that seeded user `index` (who must be funded with balanceMinor and have no other
 * postings yet) behaves like one who signed up and deposited through the API: the password grant
 * accepts the benchmark password, the account and its balance read back, the history shows the
 * deposit, and a transfer to user `index + 1` by account number goes through. Returns the
 * access token.
 */
export async function checkSeededUser(stack, { index = 0, balanceMinor }) {
    const username = `bench${index}`;
    const login = await stack.api('POST', '/api/auth/token',
        { form: { grant_type: 'password', username, password: kBenchPassword } });
    expect(login.status === 200, `${username} cannot log in: ${login.status} ${login.text}`);
    const token = login.body.access_token;
    const me = await stack.api('GET', '/api/accounts/me', { token });
    expect(me.status === 200 && me.body.username === username &&
        me.body.account_number === String(2_000_000_000 + index) &&
        me.body.balance_minor === balanceMinor, `GET /api/accounts/me: ${me.text}`);
    const history = await stack.api('GET', '/api/transactions/history', { token });
    expect(history.status === 200 && history.body.items.length === 1 &&
        history.body.items[0].type === 'deposit' &&
        history.body.items[0].amount_minor === balanceMinor,
    `GET /api/transactions/history: ${history.text}`);
    const transfer = await stack.api('POST', '/api/transactions/transfer',
        { token, json: { to_account_number: String(2_000_000_000 + index + 1), amount: '0.01' } });
    expect(transfer.status === 200 && transfer.body.receiver_username === `bench${index + 1}`,
        `transfer to bench${index + 1}'s account number: ${transfer.text}`);
    return token;
}

/** Runs bank-audit against the stack's Redis; resolves { ok, exit_code, seconds, summary, output }. */
export async function audit(buildDir, url) {
    const started = Date.now();
    const result = await run(path.join(buildDir, 'tools', 'audit', 'bank-audit'), [],
        { env: { ...process.env, BANK_REDIS_URL: url } });
    const output = `${result.stdout}${result.stderr}`.trim();
    return {
        ok: result.code === 0,
        exit_code: result.code,
        seconds: (Date.now() - started) / 1000,
        summary: output.split('\n')[0] + (result.code === 0 ? ' — OK' : ' — FAILED'),
        output,
    };
}
