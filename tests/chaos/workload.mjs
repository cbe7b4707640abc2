// The chaos run's customers and clients: opens the accounts, funds them, then runs concurrent
// clients that send random deposits, withdrawals and transfers through the gateway, each with
// an Idempotency-Key, retrying with the same key until a definite answer. Every operation and
// every balance read is recorded with its times, for checker.mjs.
import crypto from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

import { request } from '../integration/harness.mjs';

const kAttemptTimeoutMs = 5000;
const kBackoffFirstMs = 50;
const kBackoffMaxMs = 1000;
const kMaxAmountMinor = 50_000;
const kSetupConcurrency = 4;
const kSetupDeadlineMs = 120_000;

const kRoutes = { deposit: 'deposit', withdrawal: 'withdraw', transfer: 'transfer' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What one answer to a money request means. 'retry': no definite answer (the request may or may
// not have been applied); 'ok' and 'refused' are definite; 'unexpected' is definite too, but a
// bank must never give it to a valid request, so the checker counts it as a violation.
export function classify(response) {
    if (response.error !== undefined) return 'retry';
    const { status } = response;
    const code = typeof response.body === 'object' ? response.body?.code : undefined;
    if (status === 200) return 'ok';
    if (status === 400 && code === 'insufficient_funds') return 'refused';
    if (status === 409 && code === 'request_in_progress') return 'retry';
    // 502/503/504 come from a component that is down, paused or restarting; a 500 is a bug (a
    // script error, a NOPERM), never an answer to wait out.
    if (status === 429 || status > 500) return 'retry';
    return 'unexpected';
}

function describeAnswer(response) {
    if (response.error !== undefined) return 'network';
    const code = typeof response.body === 'object' ? response.body?.code : undefined;
    return code ? `${response.status} ${code}` : String(response.status);
}

export class Workload {
    constructor({ stack, accountCount, clientCount, random }) {
        this.stack = stack;
        this.accountCount = accountCount;
        this.clientCount = clientCount;
        this.random = random;
        this.accounts = [];
        this.ops = [];
        this.reads = [];
        this.stats = {
            attempts: 0,
            retried: 0,
            answers: new Map(),
            reads: { ok: 0, failed: new Map() },
            logins: { ok: 0, failed: new Map() },
        };
        this.stopping = false;
        this.settleDeadline = Infinity;
    }

    async #send(method, path, options, agent) {
        try {
            return await request(this.stack.gatewayUrl, method, path,
                { ...options, agent, timeoutMs: kAttemptTimeoutMs });
        } catch (error) {
            return { error };
        }
    }

    #count(response, counts = this.stats.answers) {
        const answer = describeAnswer(response);
        counts.set(answer, (counts.get(answer) ?? 0) + 1);
    }

    // Setup must succeed: it runs before the nemesis starts, so a failure is a broken stack.
    async #setupRequest(what, send) {
        const deadline = Date.now() + kSetupDeadlineMs;
        for (;;) {
            const response = await send();
            if (response.error === undefined && response.status < 300) return response;
            if (Date.now() > deadline) {
                throw new Error(`setup: ${what} failed: ${response.error ?? response.text}`);
            }
            await sleep(200);
        }
    }

    async #login(account, agent) {
        return this.#send('POST', '/api/auth/token', { form: {
            grant_type: 'password', username: account.username, password: account.password } },
        agent);
    }

    /** Opens the accounts and deposits initialMinor into each (recorded as operations). */
    async setup(initialMinor) {
        const indexes = Array.from({ length: this.accountCount }, (_, index) => index);
        const agent = new http.Agent({ keepAlive: true, maxSockets: kSetupConcurrency });
        const tag = crypto.randomBytes(3).toString('hex');
        const workers = Array.from({ length: kSetupConcurrency }, async () => {
            while (indexes.length > 0) {
                const index = indexes.shift();
                const account = {
                    index,
                    username: `chaos${tag}_${index}`,
                    password: `pw-${crypto.randomBytes(12).toString('hex')}`,
                };
                const created = await this.#setupRequest(`sign-up of ${account.username}`,
                    () => this.#send('POST', '/api/accounts', { json: {
                        username: account.username, password: account.password,
                        email: `${account.username}@example.com`, first_name: 'Chaos',
                        last_name: `Customer${index}` } }, agent));
                account.userId = created.body.user_id;
                account.accountNumber = created.body.account_number;
                const login = await this.#setupRequest(`login of ${account.username}`,
                    () => this.#login(account, agent));
                account.token = login.body.access_token;
                this.accounts[index] = account;
            }
        });
        await Promise.all(workers);
        for (const account of this.accounts) {
            const op = this.#newOp(-1, 'deposit', account.index, undefined, initialMinor);
            await this.#runOp(op, agent);
            if (op.status !== 'ok') throw new Error(`setup: initial deposit failed: ${op.last}`);
        }
        agent.destroy();
    }

    #newOp(client, type, actor, receiver, amountMinor) {
        const op = {
            id: this.ops.length,
            client,
            type,
            actor,
            receiver,
            amountMinor,
            // Also how the checker finds the op in the ledger (ledger:tx:* keeps its SHA-256).
            key: crypto.randomUUID(),
            byAccountNumber: false,
            invokedAt: undefined,
            completedAt: undefined,
            status: 'pending',
            attempts: 0,
            transactionId: undefined,
            balanceAfterMinor: undefined,
            last: undefined,
        };
        this.ops.push(op);
        return op;
    }

    async #runOp(op, agent) {
        const actor = this.accounts[op.actor];
        const json = { amount: (op.amountMinor / 100).toFixed(2) };
        if (op.type === 'transfer') {
            const receiver = this.accounts[op.receiver];
            if (op.byAccountNumber) json.to_account_number = receiver.accountNumber;
            else json.receiver_username = receiver.username;
        }
        const path = `/api/transactions/${kRoutes[op.type]}`;
        op.invokedAt = performance.now();
        let backoffMs = kBackoffFirstMs;
        for (;;) {
            op.attempts += 1;
            this.stats.attempts += 1;
            if (op.attempts === 2) this.stats.retried += 1;
            const response = await this.#send('POST', path, { json, token: actor.token,
                headers: { 'idempotency-key': op.key } }, agent);
            this.#count(response);
            op.last = response.error !== undefined ? String(response.error.message)
                : `${response.status} ${response.text}`;
            const outcome = classify(response);
            if (outcome !== 'retry') {
                op.completedAt = performance.now();
                op.status = outcome;
                if (outcome === 'ok') {
                    op.transactionId = response.body.transaction_id;
                    op.balanceAfterMinor = response.body.balance_minor;
                    op.replayed = response.headers['idempotent-replayed'] === 'true';
                }
                return;
            }
            if (Date.now() > this.settleDeadline) {
                op.status = 'indeterminate';
                return;
            }
            await sleep(backoffMs / 2 + this.random.next() * backoffMs / 2);
            backoffMs = Math.min(backoffMs * 2, kBackoffMaxMs);
        }
    }

    async #read(account, agent) {
        const viaAccounts = this.random.next() < 0.3;
        const path = viaAccounts ? '/api/accounts/me' : '/api/transactions/balance';
        const t0 = performance.now();
        const response = await this.#send('GET', path, { token: account.token }, agent);
        const t1 = performance.now();
        if (response.error === undefined && response.status === 200) {
            this.stats.reads.ok += 1;
            this.reads.push({ account: account.index, t0, t1, path,
                balanceMinor: response.body.balance_minor });
        } else {
            this.#count(response, this.stats.reads.failed);
        }
    }

    async #client(client) {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const { random } = this;
        while (!this.stopping) {
            const actor = random.int(0, this.accountCount - 1);
            const roll = random.next();
            if (roll < 0.12) {
                await this.#read(this.accounts[actor], agent);
                continue;
            }
            if (roll < 0.14) {
                const login = await this.#login(this.accounts[actor], agent);
                if (login.error === undefined && login.status === 200) {
                    this.accounts[actor].token = login.body.access_token;
                    this.stats.logins.ok += 1;
                } else {
                    this.#count(login, this.stats.logins.failed);
                }
                continue;
            }
            const amountMinor = random.int(1, kMaxAmountMinor);
            const kind = random.next();
            let op;
            if (kind < 0.3) {
                op = this.#newOp(client, 'deposit', actor, undefined, amountMinor);
            } else if (kind < 0.55) {
                op = this.#newOp(client, 'withdrawal', actor, undefined, amountMinor);
            } else {
                let receiver = random.int(0, this.accountCount - 2);
                if (receiver >= actor) receiver += 1;
                op = this.#newOp(client, 'transfer', actor, receiver, amountMinor);
                op.byAccountNumber = random.next() < 0.3;
            }
            await this.#runOp(op, agent);
        }
        agent.destroy();
    }

    /** Runs the clients until stop(); resolves when each has finished its current operation. */
    run() {
        return Promise.all(Array.from({ length: this.clientCount }, (_, client) =>
            this.#client(client)));
    }

    /** No new operations; those in flight retry until settleDeadline (a Date.now() value). */
    stop(settleDeadline) {
        this.settleDeadline = settleDeadline;
        this.stopping = true;
    }
}
