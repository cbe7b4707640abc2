// Proves how one request is sent and how every kind of answer is read: JSON and form bodies,
// the bearer token and the Idempotency-Key, problem JSON with field errors, OAuth errors,
// unreadable bodies and a network that does not answer.
import { describe, expect, test } from 'vitest';

import { ApiError, NetworkError, newIdempotencyKey, send } from './http';
import { fakeFetch, json, problem } from './testing';

describe('send', () => {
    test('sends JSON with the token and the Idempotency-Key, and answers the parsed body', async () => {
        const server = fakeFetch(() => json(200, { balance: '12.30' }));
        const answer = await send(server.fetch, 'POST', '/api/transactions/deposit', {
            json: { amount: '12.3' },
            token: 'tok',
            idempotencyKey: 'key-1',
        });
        expect(answer).toEqual({ balance: '12.30' });
        const [request] = server.requests;
        expect(request.method).toBe('POST');
        expect(request.path).toBe('/api/transactions/deposit');
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.headers.authorization).toBe('Bearer tok');
        expect(request.headers['idempotency-key']).toBe('key-1');
        // The amount string goes out exactly as typed.
        expect(request.body).toBe('{"amount":"12.3"}');
    });

    test('sends forms url-encoded', async () => {
        const server = fakeFetch(() => json(200, {}));
        await send(server.fetch, 'POST', '/api/auth/token', {
            form: { grant_type: 'password', username: 'a b', password: 'p&q=r' },
        });
        expect(server.requests[0].headers['content-type']).toBe(
            'application/x-www-form-urlencoded',
        );
        expect(server.requests[0].body).toBe('grant_type=password&username=a+b&password=p%26q%3Dr');
        expect(server.requests[0].headers.authorization).toBeUndefined();
    });

    test('a problem answer becomes an ApiError with its code and field messages', async () => {
        const server = fakeFetch(() =>
            problem(422, 'validation_failed', 'The request has invalid fields', [
                { field: 'username', message: 'must be 3 to 32 characters long' },
                { field: 'username', message: 'a second message is not shown' },
                { field: 'email', message: 'must be an email address' },
                { field: '', message: 'the body as a whole' },
            ]),
        );
        const error = await send(server.fetch, 'POST', '/api/accounts', { json: {} }).catch(
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ApiError);
        const apiError = error as ApiError;
        expect(apiError.status).toBe(422);
        expect(apiError.code).toBe('validation_failed');
        expect(apiError.message).toBe('The request has invalid fields');
        expect(apiError.fields).toEqual({
            username: 'must be 3 to 32 characters long',
            email: 'must be an email address',
        });
        expect(apiError.requestId).toBe('req-1');
    });

    test('an OAuth error body becomes an ApiError too', async () => {
        const server = fakeFetch(() =>
            json(400, {
                error: 'invalid_grant',
                error_description: 'Incorrect username or password',
            }),
        );
        await expect(
            send(server.fetch, 'POST', '/api/auth/token', { form: {} }),
        ).rejects.toMatchObject({
            status: 400,
            code: 'invalid_grant',
            message: 'Incorrect username or password',
        });
    });

    test('a gateway error without a readable body still has a status and a message', async () => {
        const server = fakeFetch(() => ({
            status: 502,
            text: '<html>bad gateway</html>',
            type: 'text/html',
        }));
        await expect(send(server.fetch, 'GET', '/api/accounts/me')).rejects.toMatchObject({
            status: 502,
            code: 'http_502',
            message: 'The bank is not available right now. Try again in a moment.',
        });
    });

    test('rate limiting is explained', async () => {
        const server = fakeFetch(() =>
            problem(429, 'rate_limited', 'Too many requests from this address'),
        );
        await expect(
            send(server.fetch, 'POST', '/api/accounts/login', { json: {} }),
        ).rejects.toMatchObject({
            status: 429,
            message: 'Too many attempts. Wait a moment and try again.',
        });
    });

    test('no answer at all is a NetworkError', async () => {
        const server = fakeFetch(() => new TypeError('Failed to fetch'));
        await expect(send(server.fetch, 'GET', '/api/accounts/me')).rejects.toBeInstanceOf(
            NetworkError,
        );
    });
});

test('idempotency keys are random UUID v4', () => {
    const keys = new Set(Array.from({ length: 100 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(100);
    for (const key of keys) {
        expect(key).toMatch(
            /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
    }
});
