// Building blocks shared by the pages: labelled fields with their errors, alerts, headings and
// the statement table.
import { type InputHTMLAttributes, type ReactNode, useEffect, useRef } from 'react';

import { ApiError, NetworkError } from './http';
import { formatMoney } from './money';
import { Link } from './router';
import { SessionExpiredError } from './session';
import type { Account, Transaction } from './types';
import type { Load } from './useLoad';

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> {
    name: string;
    label: string;
    value: string;
    onChange: (value: string) => void;
    error?: string | null;
    hint?: string;
}

/**
 * A labelled input. Its error is tied to it with aria-describedby and aria-invalid, so a screen
 * reader announces the problem with the field.
 */
export function TextField({
    name,
    label,
    value,
    onChange,
    error,
    hint,
    id,
    ...input
}: TextFieldProps) {
    const inputId = id ?? `field-${name}`;
    const hintId = hint ? `${inputId}-hint` : undefined;
    const errorId = error ? `${inputId}-error` : undefined;
    const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
    return (
        <div className={error ? 'field field-invalid' : 'field'}>
            <label htmlFor={inputId}>{label}</label>
            {hint && (
                <p className="field-hint" id={hintId}>
                    {hint}
                </p>
            )}
            <input
                id={inputId}
                name={name}
                value={value}
                aria-invalid={error ? true : undefined}
                aria-describedby={describedBy}
                onChange={(event) => onChange(event.target.value)}
                {...input}
            />
            {error && (
                <p className="field-error" id={errorId}>
                    {error}
                </p>
            )}
        </div>
    );
}

export function Alert({
    children,
    kind = 'error',
}: {
    children: ReactNode;
    kind?: 'error' | 'success' | 'info';
}) {
    // role=alert interrupts a screen reader; a success is announced politely.
    return (
        <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
            {children}
        </div>
    );
}

let firstHeading = true;

/** The way back to the dashboard, at the end of the other account pages. */
export function BackToAccount() {
    return (
        <p>
            <Link to="/">Back to your account</Link>
        </p>
    );
}

/** The amount field of the money forms. */
export function AmountField(props: {
    value: string;
    onChange: (value: string) => void;
    error?: string | null;
}) {
    return (
        <TextField
            name="amount"
            label="Amount (USD)"
            inputMode="decimal"
            autoComplete="off"
            hint="For example 12.34"
            required
            {...props}
        />
    );
}

/** Above a money form: the balance, and the outcome of the last submission. */
export function MoneyFormStatus(props: {
    account: Load<Account>;
    done: string | null;
    error: string | null;
}) {
    const { account, done, error } = props;
    return (
        <>
            {account.state === 'ready' && (
                <p>
                    Balance:{' '}
                    <strong data-testid="balance">{formatMoney(account.value.balance)}</strong>
                </p>
            )}
            {done && <Alert kind="success">{done}</Alert>}
            {error && <Alert>{error}</Alert>}
        </>
    );
}

/**
 * The page's heading. After a navigation inside the app it takes the focus, so keyboard and
 * screen reader users start at the new page rather than at the link they used. The first page
 * loaded leaves the focus where the browser put it (a Tab then reaches "Skip to content").
 */
export function PageHeading({ children }: { children: ReactNode }) {
    const heading = useRef<HTMLHeadingElement>(null);
    useEffect(() => {
        if (firstHeading) {
            firstHeading = false;
            return;
        }
        heading.current?.focus();
    }, []);
    return (
        <h1 ref={heading} tabIndex={-1}>
            {children}
        </h1>
    );
}

/** A sentence for an error a page could not handle itself. */
export function errorMessage(error: unknown): string {
    if (
        error instanceof ApiError ||
        error instanceof NetworkError ||
        error instanceof SessionExpiredError
    ) {
        return error.message;
    }
    return 'Something went wrong. Try again.';
}

/** "insufficient funds" -> "Insufficient funds." */
export function sentence(text: string): string {
    const trimmed = text.trim();
    if (trimmed === '') return trimmed;
    const capitalised = trimmed[0].toUpperCase() + trimmed.slice(1);
    return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** Server codes that are about the amount a person typed. */
const kAmountCodes = new Set(['invalid_amount', 'insufficient_funds']);

/** The server's refusal of an amount, as a message for the amount field; null if it is not one. */
export function amountProblem(error: unknown): string | null {
    if (!(error instanceof ApiError)) return null;
    if (error.fields.amount) return sentence(`The amount ${error.fields.amount}`);
    return kAmountCodes.has(error.code) ? sentence(error.message) : null;
}

/** Moves the focus to the first field that has an error, in the order given. */
export function focusFirstError(
    fields: readonly string[],
    errors: Partial<Record<string, string | null>>,
): void {
    const first = fields.find((field) => errors[field]);
    if (first !== undefined) document.getElementById(`field-${first}`)?.focus();
}

const kDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string): string {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : kDateFormat.format(date);
}

export function describeTransaction(item: Transaction): string {
    switch (item.type) {
        case 'deposit':
            return 'Deposit';
        case 'withdrawal':
            return 'Withdrawal';
        case 'transfer':
            return item.direction === 'debit'
                ? `Transfer to ${item.counterparty_username ?? 'unknown'}`
                : `Transfer from ${item.counterparty_username ?? 'unknown'}`;
    }
}

/** The statement: newest first, money in as +, money out as -. */
export function TransactionTable({ items, caption }: { items: Transaction[]; caption: string }) {
    if (items.length === 0) return <p className="empty">No transactions yet.</p>;
    return (
        <table className="statement">
            <caption className="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Description</th>
                    <th scope="col" className="number">
                        Amount
                    </th>
                    <th scope="col" className="number">
                        Balance
                    </th>
                </tr>
            </thead>
            <tbody>
                {items.map((item) => (
                    <tr key={item.transaction_id} data-testid="transaction">
                        <td data-label="Date">{formatDate(item.created_at)}</td>
                        <td data-label="Description">{describeTransaction(item)}</td>
                        <td data-label="Amount" className={`number amount-${item.direction}`}>
                            {item.direction === 'debit' ? '-' : '+'}
                            {formatMoney(item.amount)}
                        </td>
                        <td data-label="Balance" className="number">
                            {formatMoney(item.balance_after)}
                        </td>
                    </tr>
                ))}
            </tbody>
        </table>
    );
}
