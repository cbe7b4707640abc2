// Transfer: who and how much, then a confirmation step that shows both before any money moves.
import { type FormEvent, useRef, useState } from 'react';

import {
    AmountField,
    BackToAccount,
    amountProblem,
    errorMessage,
    focusFirstError,
    MoneyFormStatus,
    PageHeading,
    sentence,
    TextField,
} from '../components';
import { useBank, useUser } from '../context';
import { ApiError } from '../http';
import { formatMoney, parseAmount } from '../money';
import type { Receiver } from '../types';
import { useLoad } from '../useLoad';
import { useSubmission } from '../useSubmission';
import { checkReceiver } from '../validation';

type ReceiverKind = 'username' | 'account';
type Errors = { receiver?: string | null; amount?: string | null };

const kReceiverCodes = new Set(['receiver_not_found', 'self_transfer']);

export function TransferPage() {
    const { api } = useBank();
    const user = useUser();
    const [account, reloadAccount] = useLoad(() => api.myAccount(), [api]);
    const [kind, setKind] = useState<ReceiverKind>('username');
    const [receiver, setReceiver] = useState('');
    const [amount, setAmount] = useState('');
    const [errors, setErrors] = useState<Errors>({});
    const [formError, setFormError] = useState<string | null>(null);
    const [done, setDone] = useState<string | null>(null);
    const [confirming, setConfirming] = useState<{
        amount: string;
        receiver: Receiver;
        label: string;
    } | null>(null);
    const submission = useSubmission();
    const confirmButton = useRef<HTMLButtonElement>(null);

    function edited() {
        setErrors({});
    }

    function review(event: FormEvent) {
        event.preventDefault();
        setFormError(null);
        setDone(null);
        const checkedAmount = parseAmount(amount);
        const problems: Errors = {
            receiver: checkReceiver(kind, receiver, user?.username ?? ''),
            amount: checkedAmount.ok ? null : checkedAmount.error,
        };
        setErrors(problems);
        if (problems.receiver || !checkedAmount.ok) {
            focusFirstError(['receiver', 'amount'], problems);
            return;
        }
        const name = receiver.trim();
        setConfirming({
            amount: checkedAmount.amount,
            receiver:
                kind === 'username' ? { receiver_username: name } : { to_account_number: name },
            label: kind === 'username' ? name : `account ${name}`,
        });
        // The confirmation replaces the form; the focus goes to its main button.
        requestAnimationFrame(() => confirmButton.current?.focus());
    }

    async function send() {
        if (confirming === null) return;
        setFormError(null);
        const request = JSON.stringify([confirming.amount, confirming.receiver]);
        const outcome = await submission.run(request, (key) =>
            api.transfer(confirming.amount, confirming.receiver, key),
        );
        if (outcome === null) return;
        if (outcome.ok) {
            const result = outcome.value;
            setDone(
                `Sent ${formatMoney(result.amount)} to ${result.receiver_username ?? confirming.label}. ` +
                    `Your balance is now ${formatMoney(result.balance)}.`,
            );
            setConfirming(null);
            setReceiver('');
            setAmount('');
            reloadAccount();
            return;
        }
        const error = outcome.error;
        const problems: Errors = { amount: amountProblem(error), receiver: receiverProblem(error) };
        if (problems.amount || problems.receiver) {
            // Back to the form, with the problem next to the field it is about.
            setConfirming(null);
            setErrors(problems);
            requestAnimationFrame(() => focusFirstError(['receiver', 'amount'], problems));
        } else {
            setFormError(errorMessage(error));
        }
    }

    return (
        <section className="card narrow">
            <PageHeading>Transfer</PageHeading>
            <MoneyFormStatus account={account} done={done} error={formError} />
            {confirming ? (
                <div className="confirm" role="group" aria-labelledby="confirm-title">
                    <h2 id="confirm-title">Confirm the transfer</h2>
                    <dl>
                        <div>
                            <dt>Amount</dt>
                            <dd data-testid="confirm-amount">{formatMoney(confirming.amount)}</dd>
                        </div>
                        <div>
                            <dt>To</dt>
                            <dd data-testid="confirm-receiver">{confirming.label}</dd>
                        </div>
                    </dl>
                    <div className="actions">
                        <button
                            type="button"
                            className="primary"
                            ref={confirmButton}
                            onClick={send}
                            disabled={submission.busy}
                        >
                            {submission.busy
                                ? 'Sending…'
                                : `Send ${formatMoney(confirming.amount)}`}
                        </button>
                        <button
                            type="button"
                            onClick={() => setConfirming(null)}
                            disabled={submission.busy}
                        >
                            Change
                        </button>
                    </div>
                </div>
            ) : (
                <form onSubmit={review} noValidate>
                    <fieldset className="choice">
                        <legend>Send to</legend>
                        {(['username', 'account'] as const).map((option) => (
                            <label key={option}>
                                <input
                                    type="radio"
                                    name="receiver-kind"
                                    value={option}
                                    checked={kind === option}
                                    onChange={() => {
                                        setKind(option);
                                        edited();
                                    }}
                                />
                                {option === 'username' ? 'A username' : 'An account number'}
                            </label>
                        ))}
                    </fieldset>
                    <TextField
                        name="receiver"
                        label={
                            kind === 'username'
                                ? "Receiver's username"
                                : "Receiver's account number"
                        }
                        value={receiver}
                        onChange={(value) => {
                            setReceiver(value);
                            edited();
                        }}
                        error={errors.receiver}
                        autoComplete="off"
                        autoCapitalize="none"
                        spellCheck={false}
                        inputMode={kind === 'account' ? 'numeric' : 'text'}
                        required
                    />
                    <AmountField
                        value={amount}
                        onChange={(value) => {
                            setAmount(value);
                            edited();
                        }}
                        error={errors.amount}
                    />
                    <button type="submit" className="primary">
                        Review transfer
                    </button>
                </form>
            )}
            <BackToAccount />
        </section>
    );
}

function receiverProblem(error: unknown): string | null {
    if (!(error instanceof ApiError)) return null;
    const field = error.fields.receiver_username ?? error.fields.to_account_number;
    if (field) return sentence(`The receiver ${field}`);
    if (error.code === 'receiver_not_found')
        return 'No account has that username or account number.';
    return kReceiverCodes.has(error.code) ? sentence(error.message) : null;
}
