// The integration test harness: starts the real stack (Redis, the services, NGINX) with the same
// scripts/up.sh that `make up` uses, in a fresh temp dir on free ports, and stops it with
// scripts/down.sh. Node 18+ standard library only.
//
//   const stack = await startStack({ services: ['auth'], env: { BANK_LOGIN_RATE: '2r/s' } });
//   const response = await stack.api('GET', '/api/auth/jwks.json');
//   await stack.stop();
//
// BANK_BUILD_DIR selects the binaries (default build/dev). A requested service whose binary is
// missing is an error, never a silent skip.
import { execFile, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const allServices = ['auth', 'accounts', 'transactions'];

const kStartAttempts = 3;
const kRequestTimeoutMs = 15_000;

export function buildDir() {
    const dir = process.env.BANK_BUILD_DIR || 'build/dev';
    return path.isAbsolute(dir) ? dir : path.join(repoRoot, dir);
}

export function serviceBinary(name) {
    return path.join(buildDir(), 'services', name, `bank-${name}`);
}

// The lowest port the kernel hands out for outgoing connections (ip_local_port_range).
function ephemeralPortStart() {
    try {
        const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim()
            .split(/\s+/).map(Number);
        if (Number.isInteger(low) && low > 0) return low;
    } catch {
        // Not Linux: use the IANA range's start.
    }
    return 49152;
}

function listenOn(port) {
    const server = net.createServer();
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve(server));
    });
}

// Ports free now: all are held open together so they are distinct, then released for the stack
// to bind. Another process may grab one in between; startStack retries. They are picked below
// the ephemeral range, so an outgoing connection (from the stack, these tests or anything else)
// can never be given one: a component restarted after a kill (the chaos test, the Redis
// restarts) could otherwise find its port taken. Port 0 is the fallback when that range is
// too small or crowded.
export async function freePorts(count) {
    const servers = [];
    const low = 10_000;
    const high = ephemeralPortStart() - 1;
    try {
        for (let attempt = 0; servers.length < count && high - low > 1000 && attempt < 50 * count;
            attempt++) {
            const port = low + crypto.randomInt(high - low + 1);
            if (servers.some((server) => server.address().port === port)) continue;
            const server = await listenOn(port).catch(() => undefined);
            if (server !== undefined) servers.push(server);
        }
        while (servers.length < count) servers.push(await listenOn(0));
        return servers.map((server) => server.address().port);
    } finally {
        await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
}

export function runScript(script, env) {
    return new Promise((resolve) => {
        execFile(path.join(repoRoot, 'scripts', script), [],
            { env, cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 },
            (error, stdout, stderr) => {
                resolve({ code: error ? (error.code ?? 1) : 0, output: `${stdout}${stderr}` });
            });
    });
}

// Stacks not stopped by the test (a crash, a forgotten after()) are stopped when node exits.
const liveStacks = new Set();
process.on('exit', () => {
    for (const stack of liveStacks) {
        try {
            execFileSync(path.join(repoRoot, 'scripts', 'down.sh'), [],
                { env: stack.env, stdio: 'ignore', timeout: 60_000 });
            fs.rmSync(stack.dataDir, { recursive: true, force: true });
        } catch {
            // Best effort: the process is exiting anyway.
        }
    }
});

/**
 * Starts the stack. services: which of auth/accounts/transactions to run (all by default).
 * env: extra environment for up.sh and the services (e.g. BANK_LOGIN_RATE).
 * Returns { gatewayUrl, httpsUrl, serviceUrls, redisPort, dataDir, env, upOutput, api, log, logs,
 * pid, running, kill, signal, restart, restartRedis, redisCli, stop }.
 */
export async function startStack({ services = allServices, env: extraEnv = {} } = {}) {
    for (const name of services) {
        if (!allServices.includes(name)) throw new Error(`unknown service '${name}'`);
        if (!fs.existsSync(serviceBinary(name))) {
            throw new Error(`${serviceBinary(name)} is missing: build it first ` +
                `(make build-test, or cmake --build --preset dev), or set BANK_BUILD_DIR`);
        }
    }

    let lastOutput = '';
    for (let attempt = 1; attempt <= kStartAttempts; attempt++) {
        // A space in the name: every suite then checks that the scripts, redis.conf and
        // nginx.conf quote the data dir's paths (a directory like "My Bank" is common).
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank it-'));
        const [http_port, https_port, redis_port, auth_port, accounts_port, transactions_port] =
            await freePorts(6);
        const env = {
            ...process.env,
            BANK_DATA_DIR: dataDir,
            BANK_BUILD_DIR: buildDir(),
            BANK_STACK_SERVICES: services.join(' '),
            BANK_HTTP_PORT: String(http_port),
            BANK_HTTPS_PORT: String(https_port),
            BANK_REDIS_PORT: String(redis_port),
            BANK_AUTH_PORT: String(auth_port),
            BANK_ACCOUNTS_PORT: String(accounts_port),
            BANK_TRANSACTIONS_PORT: String(transactions_port),
            // Fast password hashing and relaxed fsync: tests check behaviour, not strength.
            BANK_ARGON2_MEMLIMIT_KIB: '8192',
            BANK_ARGON2_OPSLIMIT: '1',
            BANK_REDIS_APPENDFSYNC: 'everysec',
            BANK_IO_THREADS: '2',
            BANK_GATEWAY_WORKERS: '1',
            BANK_SHUTDOWN_GRACE_MS: '2000',
            BANK_STOP_TIMEOUT_S: '10',
            // Suites sign up many users from one address; the gateway suite tests the limits.
            BANK_SIGNUP_RATE: '1000r/s',
            BANK_SIGNUP_BURST: '1000',
            // Run as root, the scripts would make each stack a cgroup for auth's hash workers,
            // outside its temp dir (scripts/lib.sh). The tests of that ask for it with
            // BANK_HASH_CGROUP: undefined (the child gets no such variable).
            BANK_HASH_CGROUP: '',
            ...extraEnv,
        };
        const up = await runScript('up.sh', env);
        if (up.code === 0) {
            return makeStack({ dataDir, env, http_port, https_port, redis_port, ports: {
                auth: auth_port, accounts: accounts_port, transactions: transactions_port,
            }, upOutput: up.output });
        }
        lastOutput = up.output;
        await runScript('down.sh', env);
        fs.rmSync(dataDir, { recursive: true, force: true });
        // Only a port taken between freePorts() and up.sh is worth another try.
        if (!/already in use/.test(up.output)) break;
    }
    throw new Error(`scripts/up.sh failed:\n${lastOutput}`);
}

const kSanitizerReport = /runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer/;

// The first sanitizer report line of a log and the 19 lines after it, or ''. Read in blocks:
// a benchmark's request logs outgrow the largest string Node can hold.
function firstSanitizerReport(file) {
    const block = Buffer.alloc(8 * 1024 * 1024);
    const descriptor = fs.openSync(file, 'r');
    try {
        let carry = '';
        let found = null;
        for (;;) {
            const size = fs.readSync(descriptor, block, 0, block.length, null);
            const text = carry + block.toString('utf8', 0, size);
            const lines = text.split('\n');
            // The last piece may be a partial line: it is completed by the next block.
            carry = size > 0 ? lines.pop() : '';
            if (found) {
                found.push(...lines.slice(0, 20 - found.length));
            } else {
                const index = lines.findIndex((line) => kSanitizerReport.test(line));
                if (index >= 0) found = lines.slice(index, index + 20);
            }
            if ((found && found.length >= 20) || size === 0) {
                if (found && carry) found.push(carry);
                return found ? found.slice(0, 20).join('\n') : '';
            }
        }
    } finally {
        fs.closeSync(descriptor);
    }
}

// The sanitizer report lines (with a little context) of every service log, or ''.
function sanitizerFindings(logsDir) {
    const findings = [];
    for (const name of allServices) {
        const file = path.join(logsDir, `${name}.log`);
        if (!fs.existsSync(file)) continue;
        const report = firstSanitizerReport(file);
        if (report) findings.push(`${name}.log:\n${report}`);
    }
    return findings.join('\n');
}

function makeStack({ dataDir, env, http_port, https_port, redis_port, ports, upOutput }) {
    const gatewayUrl = `http://127.0.0.1:${http_port}`;
    const stack = {
        gatewayUrl,
        httpsUrl: `https://127.0.0.1:${https_port}`,
        serviceUrls: Object.fromEntries(
            Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`])),
        redisPort: redis_port,
        dataDir,
        env,
        /** What scripts/up.sh printed (stdout and stderr), e.g. the certificate fingerprint. */
        upOutput,
        /** A request to the gateway over plain HTTP; see request(). */
        api: (method, urlPath, options = {}) => request(gatewayUrl, method, urlPath, options),
        // The X-Internal-Token header auth's internal routes require (the scripts make the token).
        internalHeaders: () => ({ 'x-internal-token': fs.readFileSync(
            path.join(dataDir, 'keys', 'internal-token'), 'utf8').trim() }),
        /** Reads a log file of the stack (logs/<name>.log). */
        log: (name) => fs.readFileSync(path.join(dataDir, 'logs', `${name}.log`), 'utf8'),
        /** Every log file of the stack, as { 'auth.log': text, ... }. */
        logs: () => Object.fromEntries(fs.readdirSync(path.join(dataDir, 'logs')).map(
            (file) => [file, fs.readFileSync(path.join(dataDir, 'logs', file), 'utf8')])),
        /** The pid up.sh recorded for a component (redis, auth, ..., nginx), or undefined. */
        pid: (name) => readPid(dataDir, name),
        /** Whether a component's recorded pid is alive (stopped with SIGSTOP counts as alive). */
        running: (name) => {
            const pid = readPid(dataDir, name);
            return pid !== undefined && pidAlive(pid);
        },
        /**
         * Stops one component of this stack (redis, a service, nginx) with `signal` and waits
         * until it is gone. Only the pid recorded under pids/ is signalled, and only while it
         * still runs the program this stack started.
         */
        kill: (name, signal = 'SIGTERM') => killComponent(dataDir, name, signal),
        /**
         * Sends `signal` (e.g. SIGSTOP, SIGCONT) to one component and its child processes
         * (NGINX's workers) without waiting for anything; the same pid checks as kill().
         */
        signal: (name, signal) => signalComponent(dataDir, name, signal),
        /**
         * Starts one component again after kill(): redis, a service or nginx, with the same
         * functions of scripts/lib.sh that up.sh uses, and waits until it answers (a service
         * also needs Redis up). scripts/down.sh stops it like the original.
         */
        restart: (name) => restartComponent(env, dataDir, name),
        /**
         * Starts Redis again after kill('redis'), with the config file up.sh wrote (and
         * extraArgs, e.g. ['--key-load-delay', '1000']), and waits until its port accepts
         * connections. scripts/down.sh stops it like the original.
         */
        restartRedis: (extraArgs = []) => restartRedis(dataDir, redis_port, extraArgs),
        /** redis-cli against the stack's Redis as its default user; the answer, trimmed. */
        redisCli: (...args) => redisCli(redis_port, redisPassword(dataDir), ...args),
        stopped: false,
        /**
         * Stops the stack and removes its data dir. Fails if down.sh fails or if a service
         * logged a sanitizer report: the services are not the harness's children, so their
         * exit status is lost, but ASan and UBSan write to the log.
         */
        async stop() {
            if (stack.stopped) return;
            stack.stopped = true;
            const down = await runScript('down.sh', env);
            liveStacks.delete(stack);
            const findings = sanitizerFindings(path.join(dataDir, 'logs'));
            fs.rmSync(dataDir, { recursive: true, force: true });
            if (down.code !== 0) throw new Error(`scripts/down.sh failed:\n${down.output}`);
            if (findings) throw new Error(`sanitizer reports in the service logs:\n${findings}`);
        },
    };
    liveStacks.add(stack);
    return stack;
}

function readPid(dataDir, name) {
    try {
        const text = fs.readFileSync(path.join(dataDir, 'pids', `${name}.pid`), 'utf8').trim();
        return /^[0-9]+$/.test(text) ? Number(text) : undefined;
    } catch {
        return undefined;
    }
}

/** Alive and not a zombie, as scripts/lib.sh's bank_pid_alive. */
export function pidAlive(pid) {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return state !== 'Z' && state !== 'X';
    } catch {
        return false;
    }
}

function programOf(name) {
    if (name === 'redis') return 'redis-server';
    if (name === 'nginx') return 'nginx';
    return `bank-${name}`;
}

// The recorded pid of a component, checked to be alive and still running our program.
function ourPid(dataDir, name) {
    const pid = readPid(dataDir, name);
    if (pid === undefined) throw new Error(`no pid file for ${name} in ${dataDir}/pids`);
    if (!pidAlive(pid)) throw new Error(`${name} (pid ${pid}) is not running`);
    const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    if (!commandLine.includes(programOf(name))) {
        throw new Error(`pid ${pid} of ${name} runs '${commandLine}', not ours; not signalled`);
    }
    return pid;
}

/** The live children of pid: NGINX's workers, auth's hash workers; the others fork none. */
export function childrenOf(pid) {
    const children = [];
    for (const entry of fs.readdirSync('/proc')) {
        if (!/^[0-9]+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            if (Number(fields[1]) === pid && fields[0] !== 'Z') children.push(Number(entry));
        } catch {
            // Gone while we looked.
        }
    }
    return children;
}

// With SIGKILL the children die too: a killed NGINX master's orphaned workers would keep
// serving on the ports, and a restarted gateway could not bind them.
async function killComponent(dataDir, name, signal) {
    const pid = ourPid(dataDir, name);
    const children = signal === 'SIGKILL' ? childrenOf(pid) : [];
    process.kill(pid, signal);
    for (const child of children) {
        try {
            process.kill(child, signal);
        } catch {
            // Already gone.
        }
    }
    const deadline = Date.now() + 20_000;
    for (const each of [pid, ...children]) {
        while (pidAlive(each)) {
            if (Date.now() > deadline) throw new Error(`${name} (pid ${each}) survived ${signal}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    }
}

function signalComponent(dataDir, name, signal) {
    const pid = ourPid(dataDir, name);
    for (const each of [pid, ...childrenOf(pid)]) {
        try {
            process.kill(each, signal);
        } catch {
            // A child that exited in between.
        }
    }
}

// lib.sh's own start functions, so a restarted component is configured exactly as up.sh did it.
const kRestartScript = `set -euo pipefail
source scripts/lib.sh
export BANK_SCRIPT_NAME=restart
bank_load_config
bank_ensure_redis_password
BANK_STARTED=()
case "$1" in
    redis) bank_start_redis ;;
    nginx)
        bank_ensure_tls
        read -r -a BANK_RUNNING_SERVICES <<<"\${BANK_STACK_SERVICES//,/ }"
        bank_start_nginx
        ;;
    *) bank_start_service "$1" ;;
esac`;

async function restartComponent(env, dataDir, name) {
    const components = ['redis', 'nginx', ...env.BANK_STACK_SERVICES.split(' ')];
    if (!components.includes(name)) {
        throw new Error(`${name} is not a component of this stack`);
    }
    const existing = readPid(dataDir, name);
    if (existing !== undefined && pidAlive(existing)) throw new Error(`${name} is still running`);
    const result = await new Promise((resolve) => {
        execFile('bash', ['-c', kRestartScript, 'restart', name],
            { env, cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
            (error, stdout, stderr) => {
                resolve({ code: error ? (error.code ?? 1) : 0, output: `${stdout}${stderr}` });
            });
    });
    if (result.code !== 0) throw new Error(`restarting ${name} failed:\n${result.output}`);
    return readPid(dataDir, name);
}

/** A process's environment (/proc/<pid>/environ) as an object. */
export function environOf(pid) {
    const entries = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return Object.fromEntries(entries.filter(Boolean).map((entry) =>
        [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** The password of the default Redis user the scripts made for the stack in `dataDir`. */
function redisPassword(dataDir) {
    return fs.readFileSync(path.join(dataDir, 'keys', 'redis-password'), 'utf8').trim();
}

/**
 * redis-cli against the Redis on `port` as the default user with `password`: its answer,
 * trimmed (Redis's errors included, as redis-cli prints them). Throws when redis-cli fails to
 * run or to connect.
 */
function redisCli(port, password, ...args) {
    return execFileSync('redis-cli', ['--no-auth-warning', '-h', '127.0.0.1', '-p', String(port),
        ...args], { env: { ...process.env, REDISCLI_AUTH: password }, encoding: 'utf8',
        timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// Whether the server on `port` answers PING as Redis does: PONG, or LOADING while it loads.
function isRedis(port, password) {
    try {
        const answer = redisCli(port, password, 'PING');
        return answer === 'PONG' || answer.startsWith('LOADING');
    } catch {
        return false;
    }
}

async function restartRedis(dataDir, port, extraArgs) {
    const existing = readPid(dataDir, 'redis');
    if (existing !== undefined && pidAlive(existing)) throw new Error('redis is still running');
    const log = fs.openSync(path.join(dataDir, 'logs', 'redis.log'), 'a');
    let child;
    try {
        // detached: its own session, like scripts/lib.sh's setsid, so it is not tied to node.
        child = spawn('redis-server', [path.join(dataDir, 'redis', 'redis.conf'), ...extraArgs],
            { detached: true, stdio: ['ignore', log, log] });
    } finally {
        fs.closeSync(log);
    }
    child.unref();
    await new Promise((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
    });
    fs.writeFileSync(path.join(dataDir, 'pids', 'redis.pid'), `${child.pid}\n`);
    const password = redisPassword(dataDir);
    const deadline = Date.now() + 20_000;
    for (;;) {
        const accepted = await new Promise((resolve) => {
            const socket = net.connect(port, '127.0.0.1');
            socket.once('connect', () => { socket.destroy(); resolve(true); });
            socket.once('error', () => resolve(false));
        });
        // The port was free while Redis was down: another suite's free-port probe can hold it
        // for a moment, and this Redis then fails to bind. Only Redis's own answer counts.
        if (accepted && isRedis(port, password)) return child.pid;
        if (!pidAlive(child.pid)) {
            const logText = fs.readFileSync(path.join(dataDir, 'logs', 'redis.log'), 'utf8');
            throw new Error(`redis-server exited on restart; the end of redis.log:\n` +
                logText.split('\n').slice(-8).join('\n'));
        }
        if (Date.now() > deadline) throw new Error('redis-server did not listen after restart');
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/**
 * Every value of header `name` in a response from request(), in order. Node keeps only the first
 * of some repeated headers (Retry-After among them) in `headers`; this shows them all.
 */
export function headerValues(response, name) {
    const values = [];
    for (let i = 0; i < response.rawHeaders.length; i += 2) {
        if (response.rawHeaders[i].toLowerCase() === name.toLowerCase()) {
            values.push(response.rawHeaders[i + 1]);
        }
    }
    return values;
}

/**
 * One HTTP(S) request. options: json (a value sent as JSON), form (an object sent as
 * application/x-www-form-urlencoded), body (a string or Buffer sent as is), token (a bearer
 * token), headers, tls (extra node:tls options; certificate checks are off for the self-signed
 * gateway certificate), agent (an http.Agent, e.g. for keep-alive; none by default), timeoutMs
 * (idle socket timeout; 15 s by default), localAddress (the loopback address to send from, e.g.
 * 127.0.0.2, to look like another client). Resolves to { status, headers, rawHeaders, body,
 * text, tlsProtocol, tlsCipher }: body is the parsed JSON when the response is JSON
 * (application/json or application/problem+json), else the text; rawHeaders is Node's list of
 * names and values as received (headerValues() reads it).
 */
export function request(baseUrl, method, urlPath, options = {}) {
    const url = new URL(urlPath, baseUrl);
    const headers = { ...(options.headers ?? {}) };
    let payload;
    if (options.json !== undefined) {
        payload = Buffer.from(JSON.stringify(options.json));
        headers['content-type'] ??= 'application/json';
    } else if (options.form !== undefined) {
        payload = Buffer.from(new URLSearchParams(options.form).toString());
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (options.body !== undefined) {
        payload = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    }
    if (payload !== undefined) headers['content-length'] = String(payload.length);
    if (options.token) headers.authorization = `Bearer ${options.token}`;

    const isHttps = url.protocol === 'https:';
    const transport = isHttps ? https : http;
    const requestOptions = {
        method,
        headers,
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? kRequestTimeoutMs,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(isHttps ? { rejectUnauthorized: false, ...(options.tls ?? {}) } : {}),
    };
    return new Promise((resolve, reject) => {
        const req = transport.request(url, requestOptions, (res) => {
            const tlsProtocol = isHttps ? res.socket.getProtocol() : undefined;
            const tlsCipher = isHttps ? res.socket.getCipher() : undefined;
            const chunks = [];
            res.on('data', (chunk) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                const type = res.headers['content-type'] ?? '';
                let body = text;
                if (/^application\/(problem\+)?json\b/.test(type) && text.length > 0) {
                    try {
                        body = JSON.parse(text);
                    } catch (error) {
                        reject(new Error(`${method} ${url}: invalid JSON (${error.message}): ${text}`));
                        return;
                    }
                }
                resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders,
                    body, text, tlsProtocol, tlsCipher });
            });
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
        req.on('error', reject);
        req.end(payload);
    });
}

/**
 * Signs up a new customer through the gateway and logs in: { username, password, userId,
 * accountNumber, token, refreshToken }. Throws unless both succeed.
 */
export async function newCustomer(stack, prefix = 'cu') {
    const username = `${prefix}${crypto.randomBytes(5).toString('hex')}`;
    const password = `pw-${crypto.randomBytes(12).toString('hex')}`;
    const created = await stack.api('POST', '/api/accounts', { json: { username, password,
        email: `${username}@example.com`, first_name: 'Test', last_name: 'Customer' } });
    if (created.status !== 201) throw new Error(`sign-up of ${username}: ${created.text}`);
    const login = await stack.api('POST', '/api/auth/token',
        { form: { grant_type: 'password', username, password } });
    if (login.status !== 200) throw new Error(`login of ${username}: ${login.text}`);
    return { username, password, userId: created.body.user_id,
        accountNumber: created.body.account_number, token: login.body.access_token,
        refreshToken: login.body.refresh_token };
}

/** Asserts the RFC 9457 problem shape the gateway and the services share. */
export function assertProblem(assert, response, status, code) {
    assert.equal(response.status, status, `status of ${response.text}`);
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(typeof response.body, 'object', `problem body is JSON: ${response.text}`);
    for (const member of ['type', 'title', 'status', 'detail', 'code']) {
        assert.ok(member in response.body, `problem JSON has "${member}": ${response.text}`);
    }
    assert.equal(response.body.status, status);
    if (code !== undefined) assert.equal(response.body.code, code);
}
