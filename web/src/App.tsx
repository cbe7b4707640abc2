// The app's frame: restores a session after a reload, guards the pages that need a login
// (sending the person to log in and then back to the page they asked for), and draws the
// header and navigation.
import { type ReactNode, useEffect, useState } from 'react';

import { Alert, errorMessage } from './components';
import { useBank, useUser } from './context';
import { DashboardPage } from './pages/DashboardPage';
import { HistoryPage } from './pages/HistoryPage';
import { LoginPage } from './pages/LoginPage';
import { MoneyPage } from './pages/MoneyPage';
import { SignUpPage } from './pages/SignUpPage';
import { TransferPage } from './pages/TransferPage';
import { Link, navigate, safeNext, useLocation } from './router';

const kAccountPages: Record<string, { title: string; page: () => ReactNode }> = {
    '/': { title: 'Your account', page: () => <DashboardPage /> },
    '/deposit': { title: 'Deposit', page: () => <MoneyPage kind="deposit" key="deposit" /> },
    '/withdraw': { title: 'Withdraw', page: () => <MoneyPage kind="withdraw" key="withdraw" /> },
    '/transfer': { title: 'Transfer', page: () => <TransferPage /> },
    '/history': { title: 'History', page: () => <HistoryPage /> },
};
const kPublicPages: Record<string, { title: string; page: () => ReactNode }> = {
    '/login': { title: 'Log in', page: () => <LoginPage /> },
    '/signup': { title: 'Open an account', page: () => <SignUpPage /> },
};

export function App() {
    const { session } = useBank();
    const user = useUser();
    const { path, query, href } = useLocation();
    const [restoring, setRestoring] = useState(session.needsRestore);
    const [restoreError, setRestoreError] = useState<unknown>(null);
    const [restoreAttempt, setRestoreAttempt] = useState(0);

    // After a reload: trade the stored refresh token for an access token before showing a page.
    useEffect(() => {
        if (!restoring) return undefined;
        let current = true;
        session.restore().then(
            () => current && setRestoring(false),
            (error: unknown) => current && setRestoreError(error),
        );
        return () => {
            current = false;
        };
    }, [session, restoring, restoreAttempt]);

    // The server refused to renew the session: log in again, then come back here.
    useEffect(
        () =>
            session.onExpired(() => {
                const here = window.location.pathname + window.location.search;
                navigate(`/login?expired=1&next=${encodeURIComponent(here)}`, { replace: true });
            }),
        [session],
    );

    const accountPage = kAccountPages[path];
    const publicPage = kPublicPages[path];
    const redirect = restoring
        ? null
        : accountPage && user === null
          ? `/login?next=${encodeURIComponent(href)}`
          : publicPage && user !== null
            ? safeNext(query.get('next'))
            : null;
    useEffect(() => {
        if (redirect !== null) navigate(redirect, { replace: true });
    }, [redirect]);

    const title = accountPage?.title ?? publicPage?.title ?? 'Page not found';
    useEffect(() => {
        document.title = `${title} · Bank`;
    }, [title]);

    let content: ReactNode;
    if (restoreError !== null) {
        content = (
            <section className="card narrow">
                <Alert>{errorMessage(restoreError)}</Alert>
                <button
                    type="button"
                    onClick={() => {
                        setRestoreError(null);
                        setRestoreAttempt((n) => n + 1);
                    }}
                >
                    Try again
                </button>
            </section>
        );
    } else if (restoring || redirect !== null) {
        content = <p aria-busy="true">Loading…</p>;
    } else if (accountPage || publicPage) {
        content = (accountPage ?? publicPage).page();
    } else {
        content = (
            <section className="card narrow">
                <h1>Page not found</h1>
                <p>
                    There is no page at this address. <Link to="/">Go to your account</Link>.
                </p>
            </section>
        );
    }

    return (
        <>
            <a className="skip-link" href="#main">
                Skip to content
            </a>
            <Header />
            <main id="main" key={path}>
                {content}
            </main>
            <footer className="site-footer">
                <a href="/docs">API documentation</a>
            </footer>
        </>
    );
}

function Header() {
    const { session } = useBank();
    const user = useUser();
    const { path } = useLocation();

    async function logout() {
        // Leave the account pages first, so the login page does not offer to come back here.
        navigate('/login?loggedout=1', { replace: true });
        await session.logout();
    }

    const item = (to: string, label: string) => (
        <li>
            <Link to={to} aria-current={path === to ? 'page' : undefined}>
                {label}
            </Link>
        </li>
    );
    return (
        <header className="site-header">
            <Link to="/" className="brand">
                Bank
            </Link>
            {user !== null && (
                <nav aria-label="Main">
                    <ul>
                        {item('/', 'Account')}
                        {item('/deposit', 'Deposit')}
                        {item('/withdraw', 'Withdraw')}
                        {item('/transfer', 'Transfer')}
                        {item('/history', 'History')}
                    </ul>
                </nav>
            )}
            {user !== null && (
                <div className="user">
                    <span className="username" data-testid="username">
                        {user.username}
                    </span>
                    <button type="button" onClick={logout}>
                        Log out
                    </button>
                </div>
            )}
        </header>
    );
}
