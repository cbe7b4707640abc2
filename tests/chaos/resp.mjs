// A minimal Redis client (RESP2 over TCP, pipelined, Node standard library only) for the chaos
// checker: it reads the ledger behind the services' back, so it must not depend on them.
//
//   const redis = await RedisConnection.connect({ port, password });
//   const values = await redis.command('MGET', 'a', 'b');
//   redis.close();
//
// Every command has a deadline; on a timeout or a broken connection every pending command fails
// and the connection is closed (the caller connects again). Error replies reject with RedisError.
import net from 'node:net';

export class RedisError extends Error {}

const kCrlf = Buffer.from('\r\n');

function encode(args) {
    const parts = [Buffer.from(`*${args.length}\r\n`)];
    for (const arg of args) {
        const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
        parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, kCrlf);
    }
    return Buffer.concat(parts);
}

// Parses one reply from buffer at offset: { value, next } or undefined when incomplete.
function parse(buffer, offset) {
    const lineEnd = buffer.indexOf(kCrlf, offset);
    if (lineEnd < 0) return undefined;
    const type = String.fromCharCode(buffer[offset]);
    const line = buffer.toString('utf8', offset + 1, lineEnd);
    const next = lineEnd + 2;
    switch (type) {
        case '+':
            return { value: line, next };
        case '-':
            return { value: new RedisError(line), next };
        case ':':
            return { value: Number(line), next };
        case '$': {
            const length = Number(line);
            if (length < 0) return { value: null, next };
            if (buffer.length < next + length + 2) return undefined;
            return { value: buffer.toString('utf8', next, next + length), next: next + length + 2 };
        }
        case '*': {
            const count = Number(line);
            if (count < 0) return { value: null, next };
            const items = [];
            let at = next;
            for (let i = 0; i < count; i++) {
                const item = parse(buffer, at);
                if (item === undefined) return undefined;
                items.push(item.value);
                at = item.next;
            }
            return { value: items, next: at };
        }
        default:
            throw new RedisError(`unexpected RESP type byte ${buffer[offset]}`);
    }
}

export class RedisConnection {
    #socket;
    #pending = [];
    #buffer = Buffer.alloc(0);
    #timeoutMs;
    #closed = false;

    constructor(socket, timeoutMs) {
        this.#socket = socket;
        this.#timeoutMs = timeoutMs;
        socket.on('data', (chunk) => this.#onData(chunk));
        socket.on('error', (error) => this.#fail(error));
        socket.on('close', () => this.#fail(new RedisError('connection closed')));
    }

    /** Connects and authenticates; rejects after timeoutMs. */
    static async connect({ host = '127.0.0.1', port, password, timeoutMs = 2000 }) {
        const socket = await new Promise((resolve, reject) => {
            const candidate = net.connect(port, host);
            const timer = setTimeout(() => {
                candidate.destroy();
                reject(new RedisError(`connect to ${host}:${port} timed out`));
            }, timeoutMs);
            candidate.once('connect', () => {
                clearTimeout(timer);
                resolve(candidate);
            });
            candidate.once('error', (error) => {
                clearTimeout(timer);
                reject(error);
            });
        });
        const connection = new RedisConnection(socket, timeoutMs);
        if (password !== undefined) {
            try {
                await connection.command('AUTH', password);
            } catch (error) {
                connection.close();
                throw error;
            }
        }
        return connection;
    }

    get closed() {
        return this.#closed;
    }

    /** Sends one command; resolves to its reply (strings, numbers, arrays, null). */
    command(...args) {
        if (this.#closed) return Promise.reject(new RedisError('connection closed'));
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => this.#fail(new RedisError(`${args[0]} timed out`)),
                this.#timeoutMs);
            this.#pending.push({ resolve, reject, timer });
            this.#socket.write(encode(args));
        });
    }

    close() {
        this.#fail(new RedisError('connection closed'));
    }

    #onData(chunk) {
        this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
        let offset = 0;
        for (;;) {
            let reply;
            try {
                reply = parse(this.#buffer, offset);
            } catch (error) {
                this.#fail(error);
                return;
            }
            if (reply === undefined) break;
            offset = reply.next;
            const waiter = this.#pending.shift();
            if (waiter === undefined) {
                this.#fail(new RedisError('a reply nobody asked for'));
                return;
            }
            clearTimeout(waiter.timer);
            if (reply.value instanceof RedisError) waiter.reject(reply.value);
            else waiter.resolve(reply.value);
        }
        this.#buffer = this.#buffer.subarray(offset);
    }

    #fail(error) {
        if (this.#closed) return;
        this.#closed = true;
        this.#socket.destroy();
        for (const waiter of this.#pending.splice(0)) {
            clearTimeout(waiter.timer);
            waiter.reject(error);
        }
    }
}
