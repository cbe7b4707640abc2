// The logged-in session: the access token lives only in memory; the refresh token is kept in
// sessionStorage (this tab only, gone when the tab closes) so that a reload does not log the
// person out. The access token is renewed with the refresh grant before it expires, and every
// renewal is single-flight: refresh tokens rotate, and presenting one twice makes the server
// revoke the whole login (tab.ts keeps a tab copied from another from using the same token).
import { ApiError, type Fetch, type RequestOptions, send } from './http';
import type { Account, LoginResponse, TokenResponse } from './types';

export interface User {
    userId: string;
    username: string;
}

/** The session is over (never started, logged out, or the refresh token was refused). */
export class SessionExpiredError extends Error {
    constructor() {
        super('Your session has ended. Log in again.');
        this.name = 'SessionExpiredError';
    }
}

export interface SessionOptions {
    fetch: Fetch;
    /** Where the refresh token is kept across reloads; null keeps it in memory only. */
    storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
    now?: () => number;
    setTimer?: (callback: () => void, delayMs: number) => unknown;
    clearTimer?: (timer: unknown) => void;
}

/** Where the refresh token and the user are kept across reloads (tab.ts: copied tabs). */
export const kSessionStorageKey = 'bank.session';
/** Renew this long before the access token expires (or at half its life, if that is later). */
const kRefreshMarginMs = 60_000;
/** A token this close to expiry is renewed before it is used rather than sent and refused. */
const kMinimumRemainingMs = 5_000;

export class Session {
    private readonly fetch: Fetch;
    private readonly storage: SessionOptions['storage'];
    private readonly now: () => number;
    private readonly setTimer: (callback: () => void, delayMs: number) => unknown;
    private readonly clearTimer: (timer: unknown) => void;

    private accessToken: string | null = null;
    private expiresAt = 0;
    private refreshToken: string | null = null;
    private currentUser: User | null = null;
    private timer: unknown = null;
    private refreshing: Promise<void> | null = null;
    private readonly listeners = new Set<() => void>();
    private readonly expiredListeners = new Set<() => void>();

    constructor(options: SessionOptions) {
        this.fetch = options.fetch;
        this.storage = options.storage ?? null;
        this.now = options.now ?? Date.now;
        this.setTimer = options.setTimer ?? ((callback, delayMs) => setTimeout(callback, delayMs));
        this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as number));
        const saved = this.readStorage();
        if (saved) {
            this.refreshToken = saved.refreshToken;
            this.currentUser = saved.user;
        }
    }

    /** The logged-in person, or null. */
    get user(): User | null {
        return this.currentUser;
    }

    /** True when a reload left a refresh token but no access token yet (see restore()). */
    get needsRestore(): boolean {
        return this.refreshToken !== null && this.accessToken === null;
    }

    /** Called whenever user changes. Returns the unsubscribe function. */
    subscribe(listener: () => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /** Called when the server refused to renew the session (not on a deliberate logout). */
    onExpired(listener: () => void): () => void {
        this.expiredListeners.add(listener);
        return () => this.expiredListeners.delete(listener);
    }

    /** Logs in through the accounts service; answers the account along with the tokens. */
    async login(username: string, password: string): Promise<Account | null> {
        const answer = await send<LoginResponse>(this.fetch, 'POST', '/api/accounts/login', {
            json: { username, password },
        });
        this.accept(answer);
        return answer.account;
    }

    /** After a reload: trades the stored refresh token for an access token. False if refused. */
    async restore(): Promise<boolean> {
        if (this.refreshToken === null) return false;
        try {
            await this.refresh();
            return true;
        } catch (error) {
            if (error instanceof SessionExpiredError) return false;
            throw error;
        }
    }

    /**
     * Renews the access token with the refresh grant. Concurrent callers share one request.
     * A refused refresh token ends the session (SessionExpiredError); a network failure keeps
     * it, so a later attempt can still succeed.
     */
    refresh(): Promise<void> {
        this.refreshing ??= this.refreshOnce().finally(() => {
            this.refreshing = null;
        });
        return this.refreshing;
    }

    /** Revokes the refresh token (and with it the whole login) and forgets every token. */
    async logout(): Promise<void> {
        const token = this.refreshToken;
        this.clear();
        if (token === null) return;
        try {
            await send(this.fetch, 'POST', '/api/auth/revoke', {
                form: { token, token_type_hint: 'refresh_token' },
            });
        } catch {
            // Nothing is left in this tab to use the token; the server lets it expire.
        }
    }

    /**
     * Stops using the login in this page without ending it: no renewal is scheduled and the
     * tokens are dropped from memory, while the stored refresh token stays for whichever page
     * uses it next (main.tsx calls this through tab.ts's onRelease when the page goes into the
     * back/forward cache; it reloads when it comes back). Listeners are not told: the page is
     * about to be replaced.
     */
    suspend(): void {
        if (this.timer !== null) this.clearTimer(this.timer);
        this.timer = null;
        this.accessToken = null;
        this.expiresAt = 0;
        this.refreshToken = null;
    }

    /**
     * Sends a request with a valid access token. A 401 is answered once by renewing the token
     * and repeating the request (safe for money movements: a refused token moved nothing, and
     * the repeat carries the same Idempotency-Key).
     */
    async authorized<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
        const token = await this.validToken();
        try {
            return await send<T>(this.fetch, method, path, { ...options, token });
        } catch (error) {
            if (!(error instanceof ApiError) || error.status !== 401) throw error;
        }
        // Another request may already have renewed the token this one was refused with.
        if (this.accessToken === token) await this.refresh();
        const renewed = await this.validToken();
        try {
            return await send<T>(this.fetch, method, path, { ...options, token: renewed });
        } catch (error) {
            if (error instanceof ApiError && error.status === 401) this.expire();
            throw error;
        }
    }

    private async validToken(): Promise<string> {
        if (this.accessToken === null || this.expiresAt - this.now() < kMinimumRemainingMs) {
            if (this.refreshToken === null) throw new SessionExpiredError();
            await this.refresh();
        }
        if (this.accessToken === null) throw new SessionExpiredError();
        return this.accessToken;
    }

    private async refreshOnce(): Promise<void> {
        const token = this.refreshToken;
        if (token === null) throw new SessionExpiredError();
        let answer: TokenResponse;
        try {
            answer = await send<TokenResponse>(this.fetch, 'POST', '/api/auth/token', {
                form: { grant_type: 'refresh_token', refresh_token: token },
            });
        } catch (error) {
            // 400 invalid_grant: expired, revoked or already used. Any other 4xx means the same
            // for this client: the token will never work again.
            if (
                error instanceof ApiError &&
                error.status >= 400 &&
                error.status < 500 &&
                error.status !== 429
            ) {
                this.expire();
                throw new SessionExpiredError();
            }
            throw error;
        }
        // A logout while the request was in flight wins.
        if (this.refreshToken !== token) throw new SessionExpiredError();
        this.accept(answer);
    }

    private accept(answer: TokenResponse): void {
        this.accessToken = answer.access_token;
        const lifetimeMs = answer.expires_in * 1000;
        this.expiresAt = this.now() + lifetimeMs;
        this.refreshToken = answer.refresh_token;
        const changed = this.currentUser?.userId !== answer.user_id;
        this.currentUser = { userId: answer.user_id, username: answer.username };
        this.writeStorage();
        this.schedule(Math.max(lifetimeMs - kRefreshMarginMs, lifetimeMs / 2));
        if (changed) this.notify();
    }

    private schedule(delayMs: number): void {
        if (this.timer !== null) this.clearTimer(this.timer);
        this.timer = this.setTimer(() => {
            this.timer = null;
            // A failure here is retried by the next request, which finds the token stale.
            this.refresh().catch(() => undefined);
        }, delayMs);
    }

    private expire(): void {
        const hadUser = this.currentUser !== null;
        this.clear();
        if (hadUser) for (const listener of this.expiredListeners) listener();
    }

    private clear(): void {
        if (this.timer !== null) this.clearTimer(this.timer);
        this.timer = null;
        const hadUser = this.currentUser !== null;
        this.accessToken = null;
        this.expiresAt = 0;
        this.refreshToken = null;
        this.currentUser = null;
        this.storage?.removeItem(kSessionStorageKey);
        if (hadUser) this.notify();
    }

    private notify(): void {
        for (const listener of this.listeners) listener();
    }

    private readStorage(): { refreshToken: string; user: User } | null {
        try {
            const saved = JSON.parse(this.storage?.getItem(kSessionStorageKey) ?? 'null') as {
                refreshToken?: unknown;
                user?: { userId?: unknown; username?: unknown };
            } | null;
            if (
                typeof saved?.refreshToken === 'string' &&
                typeof saved.user?.userId === 'string' &&
                typeof saved.user.username === 'string'
            ) {
                return {
                    refreshToken: saved.refreshToken,
                    user: { userId: saved.user.userId, username: saved.user.username },
                };
            }
        } catch {
            // A damaged entry is the same as none.
        }
        return null;
    }

    private writeStorage(): void {
        try {
            this.storage?.setItem(
                kSessionStorageKey,
                JSON.stringify({ refreshToken: this.refreshToken, user: this.currentUser }),
            );
        } catch {
            // Storage full or disabled: the session still works until the tab reloads.
        }
    }
}
