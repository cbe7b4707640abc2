import { useCallback, useRef, useState } from 'react';

import { IdempotentSubmission, type Outcome } from './submission';

/** IdempotentSubmission for a component, with `busy` as state so the button re-renders. */
export function useSubmission() {
    const submission = useRef(new IdempotentSubmission()).current;
    const [busy, setBusy] = useState(false);
    const run = useCallback(
        async <T>(
            request: string,
            action: (key: string) => Promise<T>,
        ): Promise<Outcome<T> | null> => {
            if (submission.busy) return null;
            setBusy(true);
            try {
                return await submission.run(request, action);
            } finally {
                setBusy(false);
            }
        },
        [submission],
    );
    return { run, busy };
}
