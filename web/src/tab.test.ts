// Proves the tab's claim on its stored login: a copy of a tab whose page still uses the login
// forgets it (and only it) and takes a new id; a reload, or a copy made while no page used the
// login, keeps it, and then the page that comes back later forgets it instead; a page hidden
// in the back/forward cache lets the lock go and reloads when shown; and a browser without Web
// Locks, refusing them, or refusing storage leaves the app working as before.
import { describe, expect, test, vi } from 'vitest';

import { claimTabStorage, kTabIdKey, type TabLocks, type TabWindow } from './tab';
import { memoryStorage } from './testing';

const kLogin = 'bank.session';
const kWaitMs = 50;

type Listener = (event: { persisted?: boolean }) => void;

/**
 * Web Locks shared by the pages of one origin, as the spec has them: a callback runs later, not
 * within request(); a lock is let go when the callback's promise settles, or when its page dies;
 * ifAvailable calls back with null when the lock is held; an abort while waiting rejects with
 * the signal's reason.
 */
function lockManager() {
    const holders = new Map<string, object>();
    const waiters = new Map<string, (() => void)[]>();
    const letGo = (name: string, grant: object) => {
        if (holders.get(name) !== grant) return;
        holders.delete(name);
        waiters.get(name)?.shift()?.();
    };
    const forPage = (): TabLocks & { die(): void } => {
        const mine = new Map<object, string>();
        const grant = (name: string, callback: (lock: unknown) => Promise<void> | void) => {
            const token = {};
            holders.set(name, token);
            mine.set(token, name);
            return new Promise<void>((settled) => {
                setTimeout(() => {
                    void Promise.resolve()
                        .then(() => callback({ name }))
                        .finally(() => {
                            mine.delete(token);
                            letGo(name, token);
                            settled();
                        });
                }, 0);
            });
        };
        return {
            request(name, options, callback) {
                if (!holders.has(name)) return grant(name, callback);
                if (options.ifAvailable === true) {
                    return new Promise((resolve) => setTimeout(() => resolve(callback(null)), 0));
                }
                return new Promise((resolve, reject) => {
                    const queue = waiters.get(name) ?? [];
                    const turn = () => resolve(grant(name, callback));
                    queue.push(turn);
                    waiters.set(name, queue);
                    options.signal?.addEventListener('abort', () => {
                        const at = queue.indexOf(turn);
                        if (at < 0) return; // granted already: an abort changes nothing
                        queue.splice(at, 1);
                        reject(options.signal!.reason);
                    });
                });
            },
            die() {
                for (const [token, name] of mine) letGo(name, token);
                mine.clear();
            },
        };
    };
    return { forPage, held: (name: string) => holders.has(name) };
}

let ids = 0;

/** A page of the app on the given storage; `fire` dispatches pagehide/pageshow to it. */
function page(
    storage: TabWindow['sessionStorage'],
    locks: (TabLocks & { die(): void }) | undefined,
) {
    const listeners: Record<string, Listener[]> = {};
    const reload = vi.fn();
    const win: TabWindow = {
        sessionStorage: storage,
        navigator: { locks },
        crypto: { randomUUID: () => `tab-${++ids}` },
        location: { reload },
        addEventListener: (type, listener) => {
            (listeners[type] ??= []).push(listener);
        },
    };
    const fire = (type: 'pagehide' | 'pageshow', persisted: boolean) => {
        for (const listener of listeners[type] ?? []) listener({ persisted });
    };
    return {
        win,
        fire,
        reload,
        claim: (onRelease?: () => void) =>
            claimTabStorage(win, [kLogin], { waitMs: kWaitMs, onRelease }),
        die: () => locks?.die(),
    };
}

/** A copy of a storage's items, as a browser makes for a duplicated tab. */
function copyOf(storage: ReturnType<typeof memoryStorage>) {
    const copy = memoryStorage();
    for (const [key, value] of storage.items) copy.setItem(key, value);
    return copy;
}

/** A tab whose page logged in: its storage holds an id and a login, its page the lock. */
async function loggedInTab(manager: ReturnType<typeof lockManager>) {
    const storage = memoryStorage();
    const first = page(storage, manager.forPage());
    await first.claim();
    storage.setItem(kLogin, 'refresh-1');
    return { storage, page: first };
}

describe('claimTabStorage', () => {
    test('a new tab gets an id of its own and holds its lock', async () => {
        const manager = lockManager();
        const storage = memoryStorage();
        expect(await page(storage, manager.forPage()).claim()).toBe(storage);
        const id = storage.getItem(kTabIdKey);
        expect(id).toMatch(/^tab-/);
        expect(manager.held(`${kTabIdKey}:${id}`)).toBe(true);
    });

    test('a reload keeps the login: the page before let the lock go when it went', async () => {
        const manager = lockManager();
        const tab = await loggedInTab(manager);
        const id = tab.storage.getItem(kTabIdKey);
        tab.page.die();
        await page(tab.storage, manager.forPage()).claim();
        expect(tab.storage.getItem(kLogin)).toBe('refresh-1');
        expect(tab.storage.getItem(kTabIdKey)).toBe(id);
        expect(manager.held(`${kTabIdKey}:${id}`)).toBe(true);
    });

    test('a reload whose page before lets go within the wait keeps the login', async () => {
        const manager = lockManager();
        const tab = await loggedInTab(manager);
        const claimed = page(tab.storage, manager.forPage()).claim();
        setTimeout(() => tab.page.die(), kWaitMs / 5);
        await claimed;
        expect(tab.storage.getItem(kLogin)).toBe('refresh-1');
    });

    test('a copy of a tab whose page uses the login forgets the login, and only it', async () => {
        const manager = lockManager();
        const tab = await loggedInTab(manager);
        tab.storage.setItem('other', 'kept');
        const id = tab.storage.getItem(kTabIdKey);

        const copy = copyOf(tab.storage);
        expect(await page(copy, manager.forPage()).claim()).toBe(copy);
        expect(copy.getItem(kLogin)).toBeNull();
        expect(copy.getItem('other')).toBe('kept');
        const copyId = copy.getItem(kTabIdKey);
        expect(copyId).not.toBe(id);
        expect(manager.held(`${kTabIdKey}:${copyId}`)).toBe(true);
        // The original keeps its login and its lock.
        expect(tab.storage.getItem(kLogin)).toBe('refresh-1');
        expect(manager.held(`${kTabIdKey}:${id}`)).toBe(true);
    });

    test('a copy made while no page used the login takes it over', async () => {
        const manager = lockManager();
        const tab = await loggedInTab(manager);
        tab.page.die(); // the person went to another site in that tab
        const copy = copyOf(tab.storage);
        await page(copy, manager.forPage()).claim();
        expect(copy.getItem(kLogin)).toBe('refresh-1');

        await page(tab.storage, manager.forPage()).claim(); // back in the original tab
        expect(tab.storage.getItem(kLogin)).toBeNull();
        expect(tab.storage.getItem(kTabIdKey)).not.toBe(copy.getItem(kTabIdKey));
    });

    test('a page in the back/forward cache lets the lock go and reloads when shown', async () => {
        const manager = lockManager();
        const storage = memoryStorage();
        const cached = page(storage, manager.forPage());
        const suspended = vi.fn();
        await cached.claim(() => {
            // The session stops before another page can take the lock.
            expect(manager.held(lock)).toBe(true);
            suspended();
        });
        const lock = `${kTabIdKey}:${storage.getItem(kTabIdKey)}`;
        cached.fire('pagehide', false); // an ordinary unload: the browser lets the lock go
        expect(suspended).not.toHaveBeenCalled();
        expect(manager.held(lock)).toBe(true);
        cached.fire('pagehide', true);
        expect(suspended).toHaveBeenCalledOnce();
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(manager.held(lock)).toBe(false);
        cached.fire('pageshow', false);
        expect(cached.reload).not.toHaveBeenCalled();
        cached.fire('pageshow', true);
        expect(cached.reload).toHaveBeenCalledOnce();
    });

    test('without AbortSignal.timeout a copy still waits, then forgets the login', async () => {
        const manager = lockManager();
        const tab = await loggedInTab(manager);
        const timeout = vi.spyOn(AbortSignal, 'timeout');
        // As in browsers that have Web Locks but not AbortSignal.timeout.
        (AbortSignal as { timeout?: unknown }).timeout = undefined;
        try {
            const copy = copyOf(tab.storage);
            const started = Date.now();
            await page(copy, manager.forPage()).claim();
            expect(Date.now() - started).toBeGreaterThanOrEqual(kWaitMs - 5);
            expect(copy.getItem(kLogin)).toBeNull();
        } finally {
            timeout.mockRestore();
        }
        expect(typeof AbortSignal.timeout).toBe('function');
    });

    test('without Web Locks the tab keeps its login, copies included', async () => {
        const storage = memoryStorage();
        storage.setItem(kTabIdKey, 'tab-old');
        storage.setItem(kLogin, 'refresh-1');
        expect(await page(storage, undefined).claim()).toBe(storage);
        expect(storage.getItem(kLogin)).toBe('refresh-1');
    });

    test('Web Locks the browser refuses leave the login as it was', async () => {
        const storage = memoryStorage();
        storage.setItem(kTabIdKey, 'tab-old');
        storage.setItem(kLogin, 'refresh-1');
        const refusing: TabLocks & { die(): void } = {
            request: () => Promise.reject(new DOMException('no locks here', 'SecurityError')),
            die: () => undefined,
        };
        expect(await page(storage, refusing).claim()).toBe(storage);
        expect(storage.getItem(kLogin)).toBe('refresh-1');

        const throwing: TabLocks & { die(): void } = {
            request: () => {
                throw new TypeError('not a function');
            },
            die: () => undefined,
        };
        expect(await page(storage, throwing).claim()).toBe(storage);
        expect(storage.getItem(kLogin)).toBe('refresh-1');
    });

    test('storage the browser refuses gives no storage, not an error', async () => {
        const win = page(memoryStorage(), lockManager().forPage()).win;
        const refusing: TabWindow = {
            ...win,
            get sessionStorage(): TabWindow['sessionStorage'] {
                throw new DOMException('storage is disabled', 'SecurityError');
            },
        };
        expect(await claimTabStorage(refusing, [kLogin], { waitMs: kWaitMs })).toBeNull();
    });

    test('a storage that refuses writes or a removal still loses what it can', async () => {
        const manager = lockManager();
        const tab = await loggedInTab(manager);
        tab.storage.setItem('bank.other-login', 'x');
        const copy = copyOf(tab.storage);
        const stubborn = {
            getItem: copy.getItem,
            setItem: () => {
                throw new DOMException('full', 'QuotaExceededError');
            },
            removeItem: (key: string) => {
                if (key === kLogin) throw new DOMException('refused', 'SecurityError');
                copy.removeItem(key);
            },
        };
        const claimed = page(stubborn, manager.forPage()).win;
        expect(
            await claimTabStorage(claimed, [kLogin, 'bank.other-login'], { waitMs: kWaitMs }),
        ).toBe(stubborn);
        expect(copy.getItem('bank.other-login')).toBeNull();
    });
});
