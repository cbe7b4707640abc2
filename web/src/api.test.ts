// Proves the operations the pages call: what each sends, and that a money movement whose
// outcome is unknown is repeated with the same Idempotency-Key (so it moves money at most once),
// while a refusal is never repeated.
import { describe, expect, test } from 'vitest';

import { Api } from './api';
import { ApiError, NetworkError } from './http';
import { Session } from './session';
import { type Answer, fakeFetch, json, problem, type RecordedRequest, tokens } from './testing';

const kResult = {
    transaction_id: 't',
    type: 'deposit',
    amount: '12.30',
    balance: '12.30',
    created_at: '2026-01-01T00:00:00Z',
    message: 'Deposit successful',
};

async function loggedIn(handler: (request: RecordedRequest, moneyIndex: number) => Answer) {
    let moneyIndex = 0;
    const server = fakeFetch((request) => {
        if (request.path === '/api/accounts/login')
            return json(200, { ...tokens('1'), account: null });
        return handler(request, moneyIndex++);
    });
    const session = new Session({ fetch: server.fetch });
    await session.login('alice', 'pw');
    const delays: number[] = [];
    const api = new Api({
        fetch: server.fetch,
        session,
        sleep: async (ms) => void delays.push(ms),
    });
    const moneyRequests = () =>
        server.requests.filter((r) => r.path.startsWith('/api/transactions/'));
    return { api, delays, moneyRequests };
}

describe('money movements', () => {
    test('deposit and withdraw send the amount string exactly, with the key', async () => {
        const { api, moneyRequests } = await loggedIn(() => json(200, kResult));
        await api.deposit('12.3', 'key-1');
        await api.withdraw('0.05', 'key-2');
        expect(moneyRequests().map((r) => [r.path, r.body, r.headers['idempotency-key']])).toEqual([
            ['/api/transactions/deposit', '{"amount":"12.3"}', 'key-1'],
            ['/api/transactions/withdraw', '{"amount":"0.05"}', 'key-2'],
        ]);
    });

    test('a transfer names the receiver by username or by account number', async () => {
        const { api, moneyRequests } = await loggedIn(() => json(200, kResult));
        await api.transfer('5', { receiver_username: 'bob' }, 'k1');
        await api.transfer('5', { to_account_number: '0123456789' }, 'k2');
        expect(moneyRequests().map((r) => r.fields)).toEqual([
            { receiver_username: 'bob', amount: '5' },
            { to_account_number: '0123456789', amount: '5' },
        ]);
    });

    test('no answer: repeated with the same key until one arrives', async () => {
        const { api, delays, moneyRequests } = await loggedIn((_, index) =>
            index < 2 ? new TypeError('Failed to fetch') : json(200, kResult),
        );
        expect(await api.deposit('12.3', 'key-1')).toEqual(kResult);
        expect(moneyRequests().map((r) => r.headers['idempotency-key'])).toEqual([
            'key-1',
            'key-1',
            'key-1',
        ]);
        expect(delays).toEqual([500, 1500]);
    });

    test('the same key still in progress, or a gateway error: repeated with the same key', async () => {
        const answers = [
            problem(409, 'request_in_progress', 'in progress'),
            problem(502, 'bad_gateway', 'down'),
            json(200, kResult),
        ];
        const { api, moneyRequests } = await loggedIn((_, index) => answers[index]);
        expect(await api.withdraw('1', 'key-9')).toEqual(kResult);
        expect(moneyRequests().map((r) => r.headers['idempotency-key'])).toEqual([
            'key-9',
            'key-9',
            'key-9',
        ]);
    });

    test('gives up after three tries and says the bank could not be reached', async () => {
        const { api, moneyRequests } = await loggedIn(() => new TypeError('Failed to fetch'));
        await expect(api.deposit('1', 'k')).rejects.toBeInstanceOf(NetworkError);
        expect(moneyRequests()).toHaveLength(3);
    });

    test('a refusal is not repeated', async () => {
        const { api, moneyRequests } = await loggedIn(() =>
            problem(400, 'insufficient_funds', 'Insufficient funds'),
        );
        const error = await api.withdraw('100', 'k').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('insufficient_funds');
        expect(moneyRequests()).toHaveLength(1);
    });
});

describe('reading', () => {
    test('history pages forward with the cursor, encoded', async () => {
        const { api, moneyRequests } = await loggedIn(() =>
            json(200, { items: [], next_cursor: null }),
        );
        await api.history(10);
        await api.history(10, 'a+b/c=');
        expect(moneyRequests().map((r) => r.path)).toEqual([
            '/api/transactions/history?limit=10',
            '/api/transactions/history?limit=10&cursor=a%2Bb%2Fc%3D',
        ]);
    });

    test('sign-up needs no token', async () => {
        const server = fakeFetch(() => json(201, { username: 'alice' }));
        const api = new Api({ fetch: server.fetch, session: new Session({ fetch: server.fetch }) });
        await api.signUp({
            username: 'alice',
            password: 'pw',
            email: 'a@example.com',
            first_name: 'A',
            last_name: 'S',
        });
        expect(server.requests[0].path).toBe('/api/accounts');
        expect(server.requests[0].headers.authorization).toBeUndefined();
    });
});
