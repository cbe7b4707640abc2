import { Alert, errorMessage, PageHeading, TransactionTable } from '../components';
import { useBank } from '../context';
import { formatMoney } from '../money';
import { Link, useLocation } from '../router';
import { useLoad } from '../useLoad';

const kRecent = 5;

export function DashboardPage() {
    const { api } = useBank();
    const { query } = useLocation();
    const [data, reload] = useLoad(async () => {
        const [account, recent] = await Promise.all([api.myAccount(), api.history(kRecent)]);
        return { account, recent };
    }, [api]);

    if (data.state === 'loading') return <p aria-busy="true">Loading your account…</p>;
    if (data.state === 'failed') {
        return (
            <section>
                <PageHeading>Your account</PageHeading>
                <Alert>{errorMessage(data.error)}</Alert>
                <button type="button" onClick={reload}>
                    Try again
                </button>
            </section>
        );
    }
    const { account, recent } = data.value;
    return (
        <section>
            <PageHeading>
                Hello, {account.first_name} {account.last_name}
            </PageHeading>
            {query.get('welcome') && (
                <Alert kind="success">Your account is open. Welcome to the bank!</Alert>
            )}
            <div className="card summary">
                <dl>
                    <div>
                        <dt>Account number</dt>
                        <dd data-testid="account-number">{account.account_number}</dd>
                    </div>
                    <div>
                        <dt>Balance</dt>
                        <dd className="balance" data-testid="balance">
                            {formatMoney(account.balance)}
                        </dd>
                    </div>
                </dl>
                <nav aria-label="Money" className="actions">
                    <Link to="/deposit" className="button">
                        Deposit
                    </Link>
                    <Link to="/withdraw" className="button">
                        Withdraw
                    </Link>
                    <Link to="/transfer" className="button primary">
                        Transfer
                    </Link>
                </nav>
            </div>
            <div className="card">
                <h2>Recent transactions</h2>
                <TransactionTable items={recent.items} caption="Your most recent transactions" />
                {recent.items.length > 0 && (
                    <p>
                        <Link to="/history">See all transactions</Link>
                    </p>
                )}
            </div>
        </section>
    );
}
