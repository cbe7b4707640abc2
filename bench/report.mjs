// The benchmark's result writer: turns the result object bench/run.mjs builds into the
// Markdown that docs/benchmarks.md quotes, and writes both files. Also usable on its own to
// re-render a saved run:
//
//   node bench/report.mjs bench/results/d33d90a/bench-10000-users.json
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ms = (us) => (us === undefined || us === null ? '–' : (us / 1000).toFixed(2));
const rate = (value) => (value === undefined || value === null ? '–'
    : Math.round(value).toLocaleString('en-US'));
const percent = (value) => (value === undefined || value === null ? '–'
    : `${(value * 100).toFixed(0)}%`);
const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

// Where the hash workers ran (recorded since they may run in a cgroup with cpu.idle set,
// scripts/lib.sh); nothing for older results.
function hashWorkersPlace(settings) {
    if (settings.hash_cgroup === undefined) return '';
    if (!settings.hash_cgroup) return ' in auth\'s cgroup';
    // Runs before hash_cgroup_idle was recorded had only the scripts' cgroup, which has it set.
    if (settings.hash_cgroup_idle === false) return ` in the cgroup ${settings.hash_cgroup} (cpu.idle not set)`;
    return ' in a cgroup with cpu.idle set';
}

/** The Markdown report: machine, workloads, ceilings, targets, memory, audit. */
export function toMarkdown(result) {
    const lines = [];
    const { machine, settings } = result;
    lines.push(`### Run of ${result.started_at} (${result.commit})`, '');
    lines.push(`Machine: ${machine.cpu_model}, ${machine.cores} cores, ` +
        `${(machine.memory_bytes / 2 ** 30).toFixed(0)} GiB, kernel ${machine.kernel}; ` +
        `${machine.redis}, ${machine.nginx}, ${machine.wrk}.`);
    lines.push(`Settings: ${settings.users.toLocaleString('en-US')} users ` +
        `(${settings.token_holders} with tokens), wrk ${settings.wrk_threads} threads × ` +
        `${settings.connections} connections, ${settings.duration_s} s per run, ` +
        `Redis appendfsync ${settings.appendfsync}, ${settings.io_threads} I/O threads per ` +
        `service, argon2id opslimit ${settings.argon2_opslimit} / ` +
        `${settings.argon2_memlimit_kib / 1024} MiB, ${settings.hash_threads} hash threads` +
        `${hashWorkersPlace(settings)}.`);
    lines.push('');
    // "AOF rewrites": compactions of Redis's append-only file that ran during the workload
    // (a fork whose child competes for the cores); older results did not record them.
    lines.push('| workload | requests/s | p50 ms | p99 ms | p99.9 ms | of ceiling | errors | AOF rewrites |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const run of result.workloads) {
        const errors = run.errors.status + run.errors.connect + run.errors.read +
            run.errors.write + run.errors.timeout;
        const rewrites = run.aof_rewrites_during === undefined ? '–'
            : `${run.aof_rewrites_during}${run.aof_rewrite_s === undefined ? '' : ` (${run.aof_rewrite_s} s)`}`;
        lines.push(`| ${run.label} | ${rate(run.requests_per_s)} | ${ms(run.latency_us.p50)} | ` +
            `${ms(run.latency_us.p99)} | ${ms(run.latency_us.p999)} | ` +
            `${percent(run.of_ceiling)} | ${errors} | ${rewrites} |`);
    }
    if (result.redis_ceiling) {
        const redis = result.redis_ceiling;
        lines.push(`| ceiling: redis-benchmark SET (${redis.clients} clients, same Redis) | ` +
            `${rate(redis.requests_per_s)} | ${redis.p50_ms ?? '–'} | ${redis.p99_ms ?? '–'} | – | – | – | – |`);
    }
    if (result.ceiling_requests_per_s !== undefined) {
        lines.push('');
        lines.push('"Of ceiling": of the mean of the two NGINX → /healthz runs around the transfers ' +
            `with all users seeded, ${rate(result.ceiling_requests_per_s)}/s.`);
    }
    if (result.compactions?.length) {
        lines.push('');
        lines.push('Append-only file compacted (BGREWRITEAOF) before measuring: ' +
            result.compactions.map((step) => `after ${step.after} (${step.seconds.toFixed(1)} s)`).join(', ') + '.');
    }
    lines.push('');
    lines.push('| target | measured | needed | result |');
    lines.push('|---|---|---|---|');
    for (const target of result.targets) {
        lines.push(`| ${target.name} | ${target.measured} | ${target.needed} | ` +
            `${target.pass === null ? 'not measured' : target.pass ? '**pass**' : '**FAIL**'} |`);
    }
    lines.push('');
    lines.push('| service | RSS at start MB | peak RSS MB | RSS at end MB | growth over ' +
        `${result.memory.window_s} s |`);
    lines.push('|---|---:|---:|---:|---:|');
    for (const [name, memory] of Object.entries(result.memory.services)) {
        lines.push(`| ${name} | ${megabytes(memory.start_bytes)} | ${megabytes(memory.peak_bytes)} | ` +
            `${megabytes(memory.end_bytes)} | ${megabytes(memory.growth_bytes)} MB |`);
    }
    if (result.soak) {
        lines.push('');
        lines.push(`Soak: ${result.soak.duration_s} s of these at once, RSS sampled every second ` +
            '(growth: the last minute\'s largest sample against the first minute\'s):');
        lines.push('');
        lines.push('| soak load | requests/s | p50 ms | p99 ms | errors |');
        lines.push('|---|---:|---:|---:|---:|');
        for (const run of result.soak.runs) {
            const errors = Object.values(run.errors).reduce((sum, count) => sum + count, 0);
            lines.push(`| ${run.label} | ${rate(run.requests_per_s)} | ${ms(run.latency_us.p50)} | ` +
                `${ms(run.latency_us.p99)} | ${errors} |`);
        }
    }
    lines.push('');
    lines.push(`Ledger audit after the run: ${result.audit.summary}`);
    lines.push('');
    return lines.join('\n');
}

/** Writes <dir>/<name>.json and <dir>/<name>.md; returns their paths. */
export function writeResults(result, dir, name) {
    fs.mkdirSync(dir, { recursive: true });
    const jsonPath = path.join(dir, `${name}.json`);
    const markdownPath = path.join(dir, `${name}.md`);
    fs.writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    fs.writeFileSync(markdownPath, toMarkdown(result));
    return { jsonPath, markdownPath };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const file = process.argv[2];
    if (!file) {
        console.error('usage: node bench/report.mjs <result.json>');
        process.exit(2);
    }
    process.stdout.write(toMarkdown(JSON.parse(fs.readFileSync(file, 'utf8'))));
}
