// The bank's API as the pages use it: one function per operation, on top of the session.
import { ApiError, type Fetch, NetworkError, send } from './http';
import type { Session } from './session';
import type { Account, Receiver, SignUpRequest, TransactionPage, TransactionResult } from './types';

export interface ApiOptions {
    fetch: Fetch;
    session: Session;
    /** Waits between retries of a money movement; replaced in tests. */
    sleep?: (delayMs: number) => Promise<void>;
}

/**
 * Pauses before each retry of a money movement whose outcome is unknown. Three tries in all,
 * always with the same Idempotency-Key, so at most one of them moves money.
 */
const kRetryDelaysMs = [500, 1500];

export class Api {
    private readonly fetch: Fetch;
    private readonly session: Session;
    private readonly sleep: (delayMs: number) => Promise<void>;

    constructor(options: ApiOptions) {
        this.fetch = options.fetch;
        this.session = options.session;
        this.sleep =
            options.sleep ?? ((delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs)));
    }

    signUp(request: SignUpRequest): Promise<Account> {
        return send<Account>(this.fetch, 'POST', '/api/accounts', { json: request });
    }

    myAccount(): Promise<Account> {
        return this.session.authorized<Account>('GET', '/api/accounts/me');
    }

    history(limit: number, cursor?: string): Promise<TransactionPage> {
        const query = new URLSearchParams({ limit: String(limit) });
        if (cursor !== undefined) query.set('cursor', cursor);
        return this.session.authorized<TransactionPage>(
            'GET',
            `/api/transactions/history?${query}`,
        );
    }

    deposit(amount: string, idempotencyKey: string): Promise<TransactionResult> {
        return this.moveMoney('/api/transactions/deposit', { amount }, idempotencyKey);
    }

    withdraw(amount: string, idempotencyKey: string): Promise<TransactionResult> {
        return this.moveMoney('/api/transactions/withdraw', { amount }, idempotencyKey);
    }

    transfer(
        amount: string,
        receiver: Receiver,
        idempotencyKey: string,
    ): Promise<TransactionResult> {
        return this.moveMoney(
            '/api/transactions/transfer',
            { ...receiver, amount },
            idempotencyKey,
        );
    }

    /**
     * Posts a money movement. When the outcome is unknown (no answer, a gateway error, or the
     * same key still in progress) the request is repeated with the same key: the server answers
     * a repeat with the first answer, so money moves at most once.
     */
    private async moveMoney(
        path: string,
        body: object,
        idempotencyKey: string,
    ): Promise<TransactionResult> {
        for (let attempt = 0; ; attempt++) {
            try {
                return await this.session.authorized<TransactionResult>('POST', path, {
                    json: body,
                    idempotencyKey,
                });
            } catch (error) {
                if (attempt >= kRetryDelaysMs.length || !outcomeUnknown(error)) throw error;
                await this.sleep(kRetryDelaysMs[attempt]);
            }
        }
    }
}

/** True when a money movement may or may not have happened, so repeating it is the way to know. */
export function outcomeUnknown(error: unknown): boolean {
    if (error instanceof NetworkError) return true;
    if (!(error instanceof ApiError)) return false;
    return error.code === 'request_in_progress' || [502, 503, 504].includes(error.status);
}
