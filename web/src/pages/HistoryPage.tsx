// The full statement, a page at a time. The API pages forward with an opaque cursor, so the
// cursors of the pages already seen are kept to go back.
import { useState } from 'react';

import { Alert, BackToAccount, errorMessage, PageHeading, TransactionTable } from '../components';
import { useBank } from '../context';
import { useLoad } from '../useLoad';

const kPageSize = 10;

export function HistoryPage() {
    const { api } = useBank();
    // cursors[i] opens page i + 1; the first page has none.
    const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
    const pageNumber = cursors.length;
    const cursor = cursors[cursors.length - 1];
    const [page, reload] = useLoad(() => api.history(kPageSize, cursor), [api, cursor]);

    return (
        <section className="card">
            <PageHeading>Transaction history</PageHeading>
            {page.state === 'failed' && (
                <>
                    <Alert>{errorMessage(page.error)}</Alert>
                    <button type="button" onClick={reload}>
                        Try again
                    </button>
                </>
            )}
            {page.state === 'loading' && <p aria-busy="true">Loading…</p>}
            {page.state === 'ready' && (
                <>
                    <TransactionTable
                        items={page.value.items}
                        caption={`Transactions, page ${pageNumber}`}
                    />
                    <nav className="pager" aria-label="Pages">
                        <button
                            type="button"
                            disabled={pageNumber === 1}
                            onClick={() => setCursors((list) => list.slice(0, -1))}
                        >
                            Newer
                        </button>
                        <span aria-live="polite">Page {pageNumber}</span>
                        <button
                            type="button"
                            disabled={page.value.next_cursor === null}
                            onClick={() =>
                                setCursors((list) => [...list, page.value.next_cursor ?? undefined])
                            }
                        >
                            Older
                        </button>
                    </nav>
                </>
            )}
            <BackToAccount />
        </section>
    );
}
