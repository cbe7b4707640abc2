// A scripted stand-in for fetch in unit tests: records every request and answers with what the
// test's handler returns.
import type { Fetch } from './http';

export interface RecordedRequest {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string | undefined;
    /** The body parsed as JSON or as a form, whichever its Content-Type says. */
    fields: Record<string, unknown>;
}

export type Answer = { status?: number; json?: unknown; type?: string; text?: string } | Error;

export function json(status: number, body: unknown, type = 'application/json'): Answer {
    return { status, json: body, type };
}

export function problem(
    status: number,
    code: string,
    detail: string,
    errors?: { field: string; message: string }[],
): Answer {
    return json(
        status,
        {
            type: `/problems/${code}`,
            title: 'x',
            status,
            detail,
            code,
            ...(errors ? { errors } : {}),
            request_id: 'req-1',
        },
        'application/problem+json',
    );
}

export function fakeFetch(
    handler: (request: RecordedRequest, index: number) => Answer | Promise<Answer>,
) {
    const requests: RecordedRequest[] = [];
    const fetchImpl: Fetch = async (input, init) => {
        const headers = Object.fromEntries(
            Object.entries((init.headers ?? {}) as Record<string, string>).map(([name, value]) => [
                name.toLowerCase(),
                value,
            ]),
        );
        const body = init.body as string | undefined;
        const type = headers['content-type'] ?? '';
        const fields =
            body === undefined
                ? {}
                : type.startsWith('application/json')
                  ? (JSON.parse(body) as Record<string, unknown>)
                  : Object.fromEntries(new URLSearchParams(body));
        const request = { method: init.method ?? 'GET', path: input, headers, body, fields };
        requests.push(request);
        const answer = await handler(request, requests.length - 1);
        if (answer instanceof Error) throw answer;
        const text = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
        return new Response(text, {
            status: answer.status ?? 200,
            headers: { 'content-type': answer.type ?? 'application/json' },
        });
    };
    return { fetch: fetchImpl, requests };
}

export function tokens(suffix: string, expiresIn = 900) {
    return {
        access_token: `access-${suffix}`,
        token_type: 'bearer',
        expires_in: expiresIn,
        refresh_token: `refresh-${suffix}`,
        user_id: '6912fedd-7fa0-4cbc-b1b0-bdf9e07286da',
        username: 'alice',
    };
}

/** A clock and timers the test moves by hand. */
export function fakeClock(start = 1_000_000) {
    let now = start;
    let nextId = 1;
    const timers = new Map<number, { at: number; callback: () => void }>();
    return {
        now: () => now,
        setTimer: (callback: () => void, delayMs: number) => {
            const id = nextId++;
            timers.set(id, { at: now + delayMs, callback });
            return id;
        },
        clearTimer: (id: unknown) => {
            timers.delete(id as number);
        },
        pending: () => [...timers.values()].map((timer) => timer.at - now),
        /** Moves the clock without running timers, as when a laptop sleeps. */
        skip(ms: number) {
            now += ms;
        },
        /** Moves the clock and runs the timers that came due, in order. */
        advance(ms: number) {
            now += ms;
            for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
                if (timer.at <= now) {
                    timers.delete(id);
                    timer.callback();
                }
            }
        },
    };
}

export function memoryStorage() {
    const items = new Map<string, string>();
    return {
        getItem: (key: string) => items.get(key) ?? null,
        setItem: (key: string, value: string) => void items.set(key, value),
        removeItem: (key: string) => void items.delete(key),
        items,
    };
}
