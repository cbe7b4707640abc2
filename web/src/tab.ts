// Which login a tab may use: the one its sessionStorage holds, unless another page uses it.
//
// A browser gives a tab made from another tab a copy of that tab's sessionStorage ("Duplicate
// tab"; a page opened with window.open), and the copy holds the other tab's refresh token.
// Refresh tokens rotate, and the server revokes the whole login when one is presented twice
// (RFC 9700, section 4.14.2: it cannot tell a thief from the owner). Two pages renewing with
// one token would therefore log both out within minutes.
//
// So the storage names its tab (a random id), and the page that uses its login holds a Web Lock
// named after that id for as long as it lives; the browser releases a lock when its page goes,
// however it goes (closed, reloaded, crashed, killed by the phone's OS). A page that finds its
// tab's lock held by another page for a second is a copy: it forgets the copied login, takes a
// new id, and the person logs in again there. It never revokes the copy's token, which is still
// the other page's. A page that finds the lock free takes the login over, so at most one page
// at a time uses it.
//
// What this cannot see: a copy that took the login over while no page of the original tab used
// it (that tab was on another site) rotates the token; if the copy's page is gone by the time
// the original tab comes back to the app, the original finds the lock free and renews with the
// token the copy rotated. The server then revokes the login, and that tab asks for a login as
// it would have anyway; the copy, if it comes back, too.
//
// A page the browser keeps in its back/forward cache stops using the login and gives the lock
// up as it is hidden (onRelease), and reloads when shown again, so that it takes the lock anew
// rather than go on with a login another page may have taken over meanwhile.
//
// Without Web Locks (an old browser; an origin that is not secure, such as plain HTTP to
// another host than localhost) the tab keeps its login as before, copies included.

/** What this module uses of `navigator.locks` (a test passes its own). */
export interface TabLocks {
    request(
        name: string,
        options: { ifAvailable?: boolean; signal?: AbortSignal },
        callback: (lock: unknown) => Promise<void> | void,
    ): Promise<unknown>;
}

/** The parts of `window` this module uses (a test passes its own). */
export interface TabWindow {
    readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
    readonly navigator: { readonly locks?: TabLocks };
    readonly crypto: { randomUUID(): string };
    readonly location: { reload(): void };
    addEventListener(
        type: 'pagehide' | 'pageshow',
        listener: (event: { readonly persisted?: boolean }) => void,
    ): void;
}

/** The storage key of the tab's id. */
export const kTabIdKey = 'bank.tab';
/** How long a page waits for its tab's lock: a reloaded page's predecessor may still hold it. */
export const kTabLockWaitMs = 1000;

type Release = () => void;

/** A signal that aborts after `ms` (AbortSignal.timeout is missing in some browsers with locks). */
function timeoutSignal(ms: number): AbortSignal {
    if (typeof AbortSignal.timeout === 'function') return AbortSignal.timeout(ms);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), ms);
    return controller.signal;
}

/**
 * Holds the lock `name` until the answered function is called; null if another page held it
 * for `waitMs` (0: not at all), undefined if the browser refused the request itself.
 */
function hold(locks: TabLocks, name: string, waitMs: number): Promise<Release | null | undefined> {
    return new Promise((resolve) => {
        // A lock granted after this promise settled (it cannot be, by the spec: an aborted
        // request never calls back) is let go at once rather than held for the page's life.
        let settled = false;
        const settle = (value: Release | null | undefined) => {
            settled = true;
            resolve(value);
        };
        try {
            const options = waitMs > 0 ? { signal: timeoutSignal(waitMs) } : { ifAvailable: true };
            locks
                .request(name, options, (lock) => {
                    if (lock === null || settled) {
                        if (!settled) settle(null);
                        return;
                    }
                    return new Promise<void>((release) => settle(release));
                })
                .catch((error: unknown) => {
                    if (settled) return;
                    const busy =
                        error instanceof DOMException &&
                        (error.name === 'TimeoutError' || error.name === 'AbortError');
                    settle(busy ? null : undefined);
                });
        } catch {
            settle(undefined);
        }
    });
}

function read(storage: TabWindow['sessionStorage'], key: string): string | null {
    try {
        return storage.getItem(key);
    } catch {
        return null;
    }
}

function forget(storage: TabWindow['sessionStorage'], keys: readonly string[]): void {
    for (const key of keys) {
        try {
            storage.removeItem(key);
        } catch {
            // Storage refused: the next key may still go.
        }
    }
}

export interface ClaimOptions {
    /** How long to wait for the tab's lock (kTabLockWaitMs). */
    waitMs?: number;
    /**
     * Called when the page goes into the back/forward cache and gives the lock up: the page
     * must stop using the login in memory (Session.suspend), or a renewal timer that fires as
     * it is shown again, before the reload, would send a token another page may have rotated.
     */
    onRelease?: () => void;
}

/**
 * Claims the tab's sessionStorage for this page before the session reads it: when another page
 * uses the tab's login, removes `loginKeys` (and only those) and gives the tab a new id.
 * Answers the storage, or null when the browser refuses access to it (the login then lasts
 * until the page reloads). Never rejects: when locks fail in any other way than being held,
 * the storage is left as it was.
 */
export async function claimTabStorage(
    win: TabWindow,
    loginKeys: readonly string[],
    { waitMs = kTabLockWaitMs, onRelease }: ClaimOptions = {},
): Promise<TabWindow['sessionStorage'] | null> {
    let storage: TabWindow['sessionStorage'];
    try {
        storage = win.sessionStorage; // throws when storage is disabled (SecurityError)
    } catch {
        return null;
    }
    const locks = win.navigator.locks;
    if (locks === undefined) return storage;

    const id = read(storage, kTabIdKey);
    let release = id === null ? null : await hold(locks, `${kTabIdKey}:${id}`, waitMs);
    if (release === undefined) return storage; // locks do not work here: as without them
    if (release === null) {
        // A new tab, or a copy of a page that still uses the login.
        if (id !== null) forget(storage, loginKeys);
        let fresh: string;
        try {
            fresh = win.crypto.randomUUID();
            storage.setItem(kTabIdKey, fresh);
        } catch {
            // No id kept (storage full or refused, no randomUUID): the next load of this tab
            // counts as a new tab, and this page holds no lock.
            return storage;
        }
        release = (await hold(locks, `${kTabIdKey}:${fresh}`, 0)) ?? null;
    }

    let held: Release | null = release;
    win.addEventListener('pagehide', (event) => {
        if (event.persisted !== true || held === null) return;
        onRelease?.();
        held();
        held = null;
    });
    win.addEventListener('pageshow', (event) => {
        if (event.persisted === true) win.location.reload();
    });
    return storage;
}
