// One money form's submissions. The Idempotency-Key is made when a request is first submitted
// and kept until its outcome is known, so a double click, a second click after a lost answer, or
// an automatic retry all carry the same key, and the server moves the money at most once. The key
// belongs to the request's content, not to the state of the form: editing the amount and typing
// the same amount back after a lost answer still sends the old key (the person most likely means
// "try that again"), while a request with other content gets a new key. A new key is also made
// after a definite answer (success or refusal).
import { outcomeUnknown } from './api';
import { newIdempotencyKey } from './http';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class IdempotentSubmission {
    private key: string | null = null;
    private keyFor: string | null = null;
    private inFlight = false;

    constructor(private readonly makeKey: () => string = newIdempotencyKey) {}

    get busy(): boolean {
        return this.inFlight;
    }

    /**
     * Runs action with the key of `request` (a canonical description of what is sent, e.g. its
     * JSON body and target). Answers null, and runs nothing, while an earlier submission is still
     * in flight.
     */
    async run<T>(
        request: string,
        action: (idempotencyKey: string) => Promise<T>,
    ): Promise<Outcome<T> | null> {
        if (this.inFlight) return null;
        this.inFlight = true;
        if (this.key === null || this.keyFor !== request) {
            this.key = this.makeKey();
            this.keyFor = request;
        }
        try {
            const value = await action(this.key);
            this.key = null;
            return { ok: true, value };
        } catch (error) {
            // Unknown outcome: keep the key, so trying again cannot move the money twice.
            if (!outcomeUnknown(error)) this.key = null;
            return { ok: false, error };
        } finally {
            this.inFlight = false;
        }
    }
}
