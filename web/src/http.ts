// One HTTP exchange with the gateway: builds the request, reads the answer, and turns every
// failure into one of two errors the pages can show. The API answers errors as RFC 9457 problem
// JSON ({code, detail, errors: [{field, message}]}), except the OAuth endpoints, which answer
// RFC 6749 JSON ({error, error_description}); both become an ApiError.

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** The server answered with an error status. */
export class ApiError extends Error {
    readonly status: number;
    /** The problem's `code` (or the OAuth `error`), e.g. "insufficient_funds". */
    readonly code: string;
    /** Messages for individual request fields, by field name ("amount" -> "must be ..."). */
    readonly fields: Readonly<Record<string, string>>;
    readonly requestId: string | undefined;

    constructor(
        status: number,
        code: string,
        detail: string,
        fields: Record<string, string> = {},
        requestId?: string,
    ) {
        super(detail);
        this.name = 'ApiError';
        this.status = status;
        this.code = code;
        this.fields = fields;
        this.requestId = requestId;
    }
}

/** No answer at all (offline, connection reset, gateway unreachable): the outcome is unknown. */
export class NetworkError extends Error {
    constructor(cause: unknown) {
        super('The bank could not be reached. Check your connection and try again.');
        this.name = 'NetworkError';
        this.cause = cause;
    }
}

export interface RequestOptions {
    /** A JSON body. */
    json?: unknown;
    /** A form body (application/x-www-form-urlencoded), as the OAuth endpoints expect. */
    form?: Record<string, string>;
    /** An access token, sent as Authorization: Bearer. */
    token?: string;
    /** Sent as the Idempotency-Key header: a repeat with the same key moves no money again. */
    idempotencyKey?: string;
}

/** Sends one request and answers the parsed JSON body, or throws ApiError / NetworkError. */
export async function send<T>(
    fetchImpl: Fetch,
    method: string,
    path: string,
    options: RequestOptions = {},
): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | undefined;
    if (options.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(options.form).toString();
    }
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    if (options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;

    let response: Response;
    let text: string;
    try {
        // no-store: a balance or a statement must never come from the browser's cache.
        response = await fetchImpl(path, {
            method,
            headers,
            body,
            cache: 'no-store',
            credentials: 'same-origin',
        });
        text = await response.text();
    } catch (error) {
        throw new NetworkError(error);
    }
    const parsed = parseJson(text);
    if (response.ok) return parsed as T;
    throw problemToError(response.status, parsed);
}

function parseJson(text: string): unknown {
    if (text === '') return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

const kStatusMessages: Record<number, string> = {
    429: 'Too many attempts. Wait a moment and try again.',
    502: 'The bank is not available right now. Try again in a moment.',
    503: 'The bank is not available right now. Try again in a moment.',
    504: 'The bank took too long to answer. Try again in a moment.',
};

function problemToError(status: number, body: unknown): ApiError {
    const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<
        string,
        unknown
    >;
    const code =
        typeof problem.code === 'string'
            ? problem.code
            : typeof problem.error === 'string'
              ? problem.error
              : `http_${status}`;
    const detail =
        kStatusMessages[status] ??
        (typeof problem.detail === 'string'
            ? problem.detail
            : typeof problem.error_description === 'string'
              ? problem.error_description
              : `The request failed (HTTP ${status}).`);
    const fields: Record<string, string> = {};
    if (Array.isArray(problem.errors)) {
        for (const entry of problem.errors as unknown[]) {
            const { field, message } = (entry ?? {}) as { field?: unknown; message?: unknown };
            // The first message of a field is shown; an empty field names the body as a whole.
            if (
                typeof field === 'string' &&
                field !== '' &&
                typeof message === 'string' &&
                !(field in fields)
            ) {
                fields[field] = message;
            }
        }
    }
    const requestId = typeof problem.request_id === 'string' ? problem.request_id : undefined;
    return new ApiError(status, code, detail, fields, requestId);
}

/**
 * A fresh Idempotency-Key (a random UUID v4). crypto.getRandomValues rather than randomUUID,
 * which browsers offer only on https and localhost pages.
 */
export function newIdempotencyKey(): string {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
