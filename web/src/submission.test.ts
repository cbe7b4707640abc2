// Proves that a money form's submissions share one Idempotency-Key until the outcome is known:
// a double click sends once, a retry after a lost answer reuses the key, and a new key is made
// after an answer or for a request with other content.
import { describe, expect, test } from 'vitest';

import { ApiError, NetworkError } from './http';
import { IdempotentSubmission } from './submission';

function counterKeys() {
    let next = 0;
    return () => `key-${++next}`;
}

describe('IdempotentSubmission', () => {
    test('a double click runs once', async () => {
        const submission = new IdempotentSubmission(counterKeys());
        let release: () => void = () => undefined;
        const used: string[] = [];
        const action = (key: string) => {
            used.push(key);
            return new Promise<string>((resolve) => {
                release = () => resolve('done');
            });
        };
        const first = submission.run('deposit 1.00', action);
        const second = submission.run('deposit 1.00', action);
        expect(submission.busy).toBe(true);
        expect(await second).toBeNull();
        release();
        expect(await first).toEqual({ ok: true, value: 'done' });
        expect(used).toEqual(['key-1']);
        expect(submission.busy).toBe(false);
    });

    test('after a lost answer, trying again reuses the key', async () => {
        const submission = new IdempotentSubmission(counterKeys());
        const used: string[] = [];
        const lost = await submission.run('deposit 1.00', async (key) => {
            used.push(key);
            throw new NetworkError(new Error('reset'));
        });
        expect(lost).toMatchObject({ ok: false });
        await submission.run('deposit 1.00', async (key) => {
            used.push(key);
            return 1;
        });
        expect(used).toEqual(['key-1', 'key-1']);
    });

    test('after an answer, the next submission is a new request', async () => {
        const submission = new IdempotentSubmission(counterKeys());
        const used: string[] = [];
        await submission.run('deposit 1.00', async (key) => {
            used.push(key);
            return 1;
        });
        await submission.run('deposit 1.00', async (key) => {
            used.push(key);
            throw new ApiError(400, 'insufficient_funds', 'x');
        });
        await submission.run('deposit 1.00', async (key) => {
            used.push(key);
            return 1;
        });
        expect(used).toEqual(['key-1', 'key-2', 'key-3']);
    });

    test('after a lost answer, a request with other content gets a new key', async () => {
        const submission = new IdempotentSubmission(counterKeys());
        const used: string[] = [];
        await submission.run('deposit 1.00', async (key) => {
            used.push(key);
            throw new NetworkError(new Error('reset'));
        });
        await submission.run('deposit 2.00', async (key) => {
            used.push(key);
            return 1;
        });
        expect(used).toEqual(['key-1', 'key-2']);
    });

    test('after a lost answer, the same content typed again reuses the key', async () => {
        const submission = new IdempotentSubmission(counterKeys());
        const used: string[] = [];
        await submission.run('deposit 1.00', async (key) => {
            used.push(key);
            throw new ApiError(503, 'redis_unavailable', 'x');
        });
        // The person edits the amount, types it back and submits again: still one request.
        await submission.run('deposit 1.00', async (key) => {
            used.push(key);
            return 1;
        });
        expect(used).toEqual(['key-1', 'key-1']);
    });
});
