import { useCallback, useEffect, useRef, useState } from 'react';

export type Load<T> =
    { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: unknown };

/**
 * Runs load() when the page opens, when a dependency changes, and on reload(); a result that
 * arrives after the page closed, or after a newer load started, is dropped. A reload keeps
 * showing the old value until the new one arrives; changed dependencies show 'loading'.
 */
export function useLoad<T>(
    load: () => Promise<T>,
    dependencies: readonly unknown[],
): [Load<T>, () => void] {
    const [result, setResult] = useState<Load<T>>({ state: 'loading' });
    const [generation, setGeneration] = useState(0);
    // load is a new closure on every render; it counts as changed only when a dependency does.
    const run = useCallback(load, dependencies);
    const lastRun = useRef(run);
    useEffect(() => {
        let current = true;
        const sameQuery = lastRun.current === run;
        lastRun.current = run;
        setResult((previous) =>
            sameQuery && previous.state === 'ready' ? previous : { state: 'loading' },
        );
        run().then(
            (value) => current && setResult({ state: 'ready', value }),
            (error: unknown) => current && setResult({ state: 'failed', error }),
        );
        return () => {
            current = false;
        };
    }, [run, generation]);
    return [result, useCallback(() => setGeneration((value) => value + 1), [])];
}
