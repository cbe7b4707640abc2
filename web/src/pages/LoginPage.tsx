import { type FormEvent, useState } from 'react';

import { Alert, errorMessage, PageHeading, TextField } from '../components';
import { useBank } from '../context';
import { ApiError } from '../http';
import { Link, navigate, safeNext, useLocation } from '../router';

export function LoginPage() {
    const { session } = useBank();
    const { query } = useLocation();
    const next = safeNext(query.get('next'));
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState<string | null>(null);
    const [busy, setBusy] = useState(false);

    const notice = query.get('expired')
        ? 'Your session has ended. Log in again to continue.'
        : query.get('loggedout')
          ? 'You have logged out.'
          : query.get('next')
            ? 'Log in to continue.'
            : null;

    async function submit(event: FormEvent) {
        event.preventDefault();
        if (busy) return;
        if (username.trim() === '' || password === '') {
            setError('Enter your username and password.');
            return;
        }
        setBusy(true);
        setError(null);
        try {
            await session.login(username.trim(), password);
            navigate(next, { replace: true });
        } catch (caught) {
            setBusy(false);
            setError(
                caught instanceof ApiError && caught.code === 'invalid_grant'
                    ? 'Incorrect username or password.'
                    : errorMessage(caught),
            );
        }
    }

    return (
        <section className="card narrow">
            <PageHeading>Log in</PageHeading>
            {notice && !error && <Alert kind="info">{notice}</Alert>}
            {error && <Alert>{error}</Alert>}
            <form onSubmit={submit} noValidate>
                <TextField
                    name="username"
                    label="Username"
                    value={username}
                    onChange={setUsername}
                    autoComplete="username"
                    autoCapitalize="none"
                    spellCheck={false}
                    required
                />
                <TextField
                    name="password"
                    label="Password"
                    type="password"
                    value={password}
                    onChange={setPassword}
                    autoComplete="current-password"
                    required
                />
                <button type="submit" className="primary" disabled={busy}>
                    {busy ? 'Logging in…' : 'Log in'}
                </button>
            </form>
            <p>
                New here? <Link to="/signup">Open an account</Link>
            </p>
        </section>
    );
}
