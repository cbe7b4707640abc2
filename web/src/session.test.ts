// Proves the token handling: the access token is renewed with the refresh grant before it
// expires, concurrent renewals are one request (refresh tokens are single-use), a 401 is met by
// one renewal and one repeat, a refused refresh token ends the session, a reload restores it,
// and logout revokes the refresh token.
import { describe, expect, test, vi } from 'vitest';

import { NetworkError } from './http';
import { Session, SessionExpiredError } from './session';
import {
    type Answer,
    fakeClock,
    fakeFetch,
    json,
    memoryStorage,
    problem,
    type RecordedRequest,
    tokens,
} from './testing';

const kMe = { user_id: 'u', username: 'alice' };

/** A server that issues tokens 1, 2, 3, ... and answers /api/accounts/me to any access token. */
function bankServer(extra?: (request: RecordedRequest) => Answer | undefined) {
    let issued = 0;
    return fakeFetch((request) => {
        const answer = extra?.(request);
        if (answer !== undefined) return answer;
        if (request.path === '/api/accounts/login') {
            issued++;
            return json(200, { ...tokens(String(issued)), account: null });
        }
        if (request.path === '/api/auth/token') {
            if (request.fields.refresh_token !== `refresh-${issued}`) {
                return json(400, {
                    error: 'invalid_grant',
                    error_description: 'Refresh token reused',
                });
            }
            issued++;
            return json(200, tokens(String(issued)));
        }
        if (request.path === '/api/auth/revoke') return json(200, {});
        return json(200, kMe);
    });
}

function makeSession(server: ReturnType<typeof fakeFetch>, storage = memoryStorage()) {
    const clock = fakeClock();
    const session = new Session({
        fetch: server.fetch,
        storage,
        now: clock.now,
        setTimer: clock.setTimer,
        clearTimer: clock.clearTimer,
    });
    return { session, clock, storage };
}

const refreshes = (requests: RecordedRequest[]) =>
    requests.filter((r) => r.path === '/api/auth/token');

describe('session', () => {
    test('login keeps the access token in memory and only the refresh token in storage', async () => {
        const server = bankServer();
        const { session, storage } = makeSession(server);
        await session.login('alice', 'correct horse');
        expect(server.requests[0].fields).toEqual({ username: 'alice', password: 'correct horse' });
        expect(session.user).toEqual({ userId: tokens('1').user_id, username: 'alice' });
        const stored = [...storage.items.values()].join();
        expect(stored).toContain('refresh-1');
        expect(stored).not.toContain('access-1');
        await session.authorized('GET', '/api/accounts/me');
        expect(server.requests[1].headers.authorization).toBe('Bearer access-1');
    });

    test('the access token is renewed a minute before it expires', async () => {
        const server = bankServer();
        const { session, clock } = makeSession(server);
        await session.login('alice', 'pw');
        expect(clock.pending()).toEqual([840_000]);
        clock.advance(839_999);
        expect(refreshes(server.requests)).toHaveLength(0);
        clock.advance(1);
        await vi.waitFor(() => expect(clock.pending()).toEqual([840_000]));
        expect(refreshes(server.requests).map((r) => r.fields)).toEqual([
            { grant_type: 'refresh_token', refresh_token: 'refresh-1' },
        ]);
        await session.authorized('GET', '/api/accounts/me');
        expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer access-2');
    });

    test('a short-lived token is renewed at half its life', async () => {
        const server = fakeFetch(() => json(200, { ...tokens('1', 30), account: null }));
        const { session, clock } = makeSession(server);
        await session.login('alice', 'pw');
        expect(clock.pending()).toEqual([15_000]);
    });

    test('a stale token is renewed before use, once for many concurrent requests', async () => {
        const server = bankServer();
        const { session, clock } = makeSession(server);
        await session.login('alice', 'pw');
        // The timer has not fired (the laptop slept): the token is past its expiry.
        clock.skip(901_000);
        const answers = await Promise.all(
            [1, 2, 3].map(() => session.authorized('GET', '/api/accounts/me')),
        );
        expect(answers).toEqual([kMe, kMe, kMe]);
        expect(refreshes(server.requests)).toHaveLength(1);
        const sent = server.requests.filter((r) => r.path === '/api/accounts/me');
        expect(sent.map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer access-2'));
    });

    test('a 401 is answered by one renewal and one repeat of the request', async () => {
        let refused = false;
        const server = bankServer((request) => {
            if (
                request.path === '/api/transactions/deposit' &&
                request.headers.authorization === 'Bearer access-1'
            ) {
                refused = true;
                return problem(401, 'invalid_token', 'The access token is not valid');
            }
            return undefined;
        });
        const { session } = makeSession(server);
        await session.login('alice', 'pw');
        await session.authorized('POST', '/api/transactions/deposit', {
            json: { amount: '1' },
            idempotencyKey: 'k',
        });
        expect(refused).toBe(true);
        const deposits = server.requests.filter((r) => r.path === '/api/transactions/deposit');
        expect(
            deposits.map((r) => [r.headers.authorization, r.headers['idempotency-key']]),
        ).toEqual([
            ['Bearer access-1', 'k'],
            ['Bearer access-2', 'k'],
        ]);
    });

    test('a refused refresh token ends the session and tells the app', async () => {
        const server = bankServer((request) =>
            request.path === '/api/auth/token'
                ? json(400, { error: 'invalid_grant', error_description: 'revoked' })
                : undefined,
        );
        const { session, clock, storage } = makeSession(server);
        const expired = vi.fn();
        const changed = vi.fn();
        session.onExpired(expired);
        session.subscribe(changed);
        await session.login('alice', 'pw');
        clock.advance(840_000);
        await vi.waitFor(() => expect(expired).toHaveBeenCalledTimes(1));
        expect(session.user).toBeNull();
        expect(storage.items.size).toBe(0);
        expect(changed).toHaveBeenCalledTimes(2); // logged in, then out
        await expect(session.authorized('GET', '/api/accounts/me')).rejects.toBeInstanceOf(
            SessionExpiredError,
        );
    });

    test('a refresh that gets no answer keeps the session for a later try', async () => {
        let offline = true;
        const server = bankServer((request) =>
            request.path === '/api/auth/token' && offline
                ? new TypeError('Failed to fetch')
                : undefined,
        );
        const { session } = makeSession(server);
        await session.login('alice', 'pw');
        await expect(session.refresh()).rejects.toBeInstanceOf(NetworkError);
        expect(session.user?.username).toBe('alice');
        offline = false;
        await session.refresh();
        await session.authorized('GET', '/api/accounts/me');
        expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer access-2');
    });

    test('a reload restores the session from the stored refresh token', async () => {
        const server = bankServer();
        const storage = memoryStorage();
        await makeSession(server, storage).session.login('alice', 'pw');
        const { session: reloaded } = makeSession(server, storage);
        expect(reloaded.needsRestore).toBe(true);
        expect(reloaded.user?.username).toBe('alice');
        expect(await reloaded.restore()).toBe(true);
        expect(reloaded.needsRestore).toBe(false);
        await reloaded.authorized('GET', '/api/accounts/me');
        expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer access-2');
    });

    test('a suspended session sends nothing and leaves the stored login', async () => {
        const server = bankServer();
        const storage = memoryStorage();
        const { session, clock } = makeSession(server, storage);
        const expired = vi.fn();
        const changed = vi.fn();
        session.onExpired(expired);
        await session.login('alice', 'pw');
        session.subscribe(changed);
        const sent = server.requests.length;

        session.suspend();
        expect(clock.pending()).toEqual([]); // no renewal is due any more
        clock.advance(900_000);
        await expect(session.authorized('GET', '/api/accounts/me')).rejects.toBeInstanceOf(
            SessionExpiredError,
        );
        expect(server.requests).toHaveLength(sent);
        expect(expired).not.toHaveBeenCalled();
        expect(changed).not.toHaveBeenCalled();

        // The page that loads next renews with the stored token, which nobody used.
        const { session: next } = makeSession(server, storage);
        expect(await next.restore()).toBe(true);
        expect(refreshes(server.requests).map((r) => r.fields.refresh_token)).toEqual([
            'refresh-1',
        ]);
    });

    test('a damaged stored session is ignored', () => {
        const storage = memoryStorage();
        storage.setItem('bank.session', '{not json');
        const { session } = makeSession(bankServer(), storage);
        expect(session.user).toBeNull();
        expect(session.needsRestore).toBe(false);
    });

    test('logout revokes the refresh token and forgets every token', async () => {
        const server = bankServer();
        const { session, clock, storage } = makeSession(server);
        const expired = vi.fn();
        session.onExpired(expired);
        await session.login('alice', 'pw');
        await session.logout();
        const revoke = server.requests.at(-1)!;
        expect(revoke.path).toBe('/api/auth/revoke');
        expect(revoke.fields).toEqual({ token: 'refresh-1', token_type_hint: 'refresh_token' });
        expect(session.user).toBeNull();
        expect(storage.items.size).toBe(0);
        expect(clock.pending()).toEqual([]);
        expect(expired).not.toHaveBeenCalled();
        await expect(session.authorized('GET', '/api/accounts/me')).rejects.toBeInstanceOf(
            SessionExpiredError,
        );
    });

    test('a logout during a refresh wins over the refresh', async () => {
        let release: () => void = () => undefined;
        const server = bankServer((request) =>
            request.path === '/api/auth/token'
                ? (new Promise<Answer>((resolve) => {
                      release = () => resolve(json(200, tokens('2')));
                  }) as unknown as Answer)
                : undefined,
        );
        const { session } = makeSession(server);
        await session.login('alice', 'pw');
        const refreshing = session.refresh();
        await vi.waitFor(() => expect(refreshes(server.requests)).toHaveLength(1));
        await session.logout();
        release();
        await expect(refreshing).rejects.toBeInstanceOf(SessionExpiredError);
        expect(session.user).toBeNull();
    });
});
