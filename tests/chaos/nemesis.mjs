// The nemesis: one fault at a time, in rounds over every (kind, component) pair until stopped;
// each round alternates kills and pauses, each in a shuffled order of components, so even a
// short run kills most components. 'kill' is kill -9 (NGINX with its workers) followed, after a
// short outage, by a restart with scripts/lib.sh's start functions; 'pause' is SIGSTOP, a wait,
// SIGCONT. Every signal goes to a pid the stack recorded (see harness.mjs), never to a process
// found by name.
import { performance } from 'node:perf_hooks';

export const kComponents = ['redis', 'auth', 'accounts', 'transactions', 'nginx'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Nemesis {
    constructor({ stack, random, log }) {
        this.stack = stack;
        this.random = random;
        this.log = log;
        this.counts = new Map();
        this.errors = [];
        this.stopping = false;
        this.paused = new Set();
    }

    async #inject(kind, component) {
        const { random, stack } = this;
        const started = performance.now();
        if (kind === 'kill') {
            await stack.kill(component, 'SIGKILL');
            await sleep(random.int(0, 500));
            await stack.restart(component);
        } else {
            stack.signal(component, 'SIGSTOP');
            this.paused.add(component);
            await sleep(random.int(500, 2000));
            stack.signal(component, 'SIGCONT');
            this.paused.delete(component);
        }
        const name = `${kind} ${component}`;
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        this.log(`nemesis: ${name} (${Math.round(performance.now() - started)} ms)`);
    }

    /** Injects faults until stop(); a fault that cannot be healed is recorded in errors. */
    async run() {
        while (!this.stopping) {
            const kills = this.random.shuffle(kComponents);
            const pauses = this.random.shuffle(kComponents);
            const round = kills.flatMap((component, index) =>
                [['kill', component], ['pause', pauses[index]]]);
            for (const [kind, component] of round) {
                if (this.stopping) break;
                try {
                    await this.#inject(kind, component);
                } catch (error) {
                    this.errors.push(`${kind} ${component}: ${error.message}`);
                    await this.heal();
                }
                await sleep(this.random.int(200, 1000));
            }
        }
    }

    stop() {
        this.stopping = true;
    }

    /** Continues anything paused and restarts anything not running (Redis first). */
    async heal() {
        for (const component of this.paused) {
            try {
                this.stack.signal(component, 'SIGCONT');
            } catch {
                // Not running: restarted below.
            }
        }
        this.paused.clear();
        for (const component of kComponents) {
            if (this.stack.running(component)) continue;
            try {
                await this.stack.restart(component);
            } catch (error) {
                this.errors.push(`heal ${component}: ${error.message}`);
            }
        }
    }
}
