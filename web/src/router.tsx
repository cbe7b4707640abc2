// A small client-side router on the History API: the app has a handful of flat routes, which
// does not justify a routing library. The gateway answers index.html for every such path.
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

const kNavigateEvent = 'bank:navigate';

function subscribe(callback: () => void): () => void {
    window.addEventListener('popstate', callback);
    window.addEventListener(kNavigateEvent, callback);
    return () => {
        window.removeEventListener('popstate', callback);
        window.removeEventListener(kNavigateEvent, callback);
    };
}

function snapshot(): string {
    return window.location.pathname + window.location.search;
}

/** The current path and query ("/history?page=2"); re-renders on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams; href: string } {
    const href = useSyncExternalStore(subscribe, snapshot);
    const url = new URL(href, window.location.origin);
    return { path: url.pathname, query: url.searchParams, href };
}

export function navigate(to: string, { replace = false } = {}): void {
    if (to === snapshot()) return;
    if (replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    window.dispatchEvent(new Event(kNavigateEvent));
}

/**
 * Where to go after logging in: only a path of this app, never another site
 * ("//evil.example" and "https://..." are refused), and never back to the login page.
 */
export function safeNext(next: string | null): string {
    if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
        return '/';
    }
    if (next.startsWith('/login') || next.startsWith('/signup')) return '/';
    return next;
}

/** An <a> that navigates inside the app; modified clicks (new tab, ...) stay the browser's. */
export function Link({
    to,
    onClick,
    ...rest
}: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
    const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(event);
        if (
            event.defaultPrevented ||
            event.button !== 0 ||
            event.metaKey ||
            event.ctrlKey ||
            event.shiftKey ||
            event.altKey
        ) {
            return;
        }
        event.preventDefault();
        navigate(to);
    };
    return <a href={to} onClick={handleClick} {...rest} />;
}
