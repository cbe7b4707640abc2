// Deposit and withdraw: one amount, one button.
import { type FormEvent, useState } from 'react';

import {
    AmountField,
    BackToAccount,
    amountProblem,
    errorMessage,
    MoneyFormStatus,
    PageHeading,
} from '../components';
import { useBank } from '../context';
import { formatMoney, parseAmount } from '../money';
import { useLoad } from '../useLoad';
import { useSubmission } from '../useSubmission';

const kText = {
    deposit: { title: 'Deposit', button: 'Deposit', busy: 'Depositing…', done: 'Deposited' },
    withdraw: { title: 'Withdraw', button: 'Withdraw', busy: 'Withdrawing…', done: 'Withdrew' },
} as const;

export function MoneyPage({ kind }: { kind: 'deposit' | 'withdraw' }) {
    const { api } = useBank();
    const text = kText[kind];
    const [account, reloadAccount] = useLoad(() => api.myAccount(), [api]);
    const [amount, setAmount] = useState('');
    const [amountError, setAmountError] = useState<string | null>(null);
    const [formError, setFormError] = useState<string | null>(null);
    const [done, setDone] = useState<string | null>(null);
    const submission = useSubmission();

    function change(value: string) {
        setAmount(value);
        setAmountError(null);
    }

    async function submit(event: FormEvent) {
        event.preventDefault();
        const checked = parseAmount(amount);
        setFormError(null);
        setDone(null);
        if (!checked.ok) {
            setAmountError(checked.error);
            document.getElementById('field-amount')?.focus();
            return;
        }
        const request = JSON.stringify([kind, checked.amount]);
        const outcome = await submission.run(request, (key) =>
            kind === 'deposit'
                ? api.deposit(checked.amount, key)
                : api.withdraw(checked.amount, key),
        );
        if (outcome === null) return;
        if (outcome.ok) {
            setAmount('');
            setDone(
                `${text.done} ${formatMoney(outcome.value.amount)}. Your balance is now ` +
                    `${formatMoney(outcome.value.balance)}.`,
            );
            reloadAccount();
            return;
        }
        const error = outcome.error;
        const problem = amountProblem(error);
        if (problem !== null) {
            setAmountError(problem);
            document.getElementById('field-amount')?.focus();
        } else {
            setFormError(errorMessage(error));
        }
    }

    return (
        <section className="card narrow">
            <PageHeading>{text.title}</PageHeading>
            <MoneyFormStatus account={account} done={done} error={formError} />
            <form onSubmit={submit} noValidate>
                <AmountField value={amount} onChange={change} error={amountError} />
                <button type="submit" className="primary" disabled={submission.busy}>
                    {submission.busy ? text.busy : text.button}
                </button>
            </form>
            <BackToAccount />
        </section>
    );
}
