import { type FormEvent, useState } from 'react';

import { Alert, errorMessage, focusFirstError, PageHeading, TextField } from '../components';
import { useBank } from '../context';
import { ApiError } from '../http';
import { Link, navigate } from '../router';
import { checkSignUp, checkSignUpField, type SignUpField, type SignUpValues } from '../validation';

type Errors = Partial<Record<SignUpField, string | null>>;

const kFields: readonly SignUpField[] = [
    'first_name',
    'last_name',
    'username',
    'email',
    'phone',
    'password',
];
const kEmpty: SignUpValues = {
    username: '',
    password: '',
    email: '',
    first_name: '',
    last_name: '',
    phone: '',
};

export function SignUpPage() {
    const { api, session } = useBank();
    const [values, setValues] = useState<SignUpValues>(kEmpty);
    const [errors, setErrors] = useState<Errors>({});
    const [formError, setFormError] = useState<string | null>(null);
    const [busy, setBusy] = useState(false);

    const change = (field: SignUpField) => (value: string) => {
        setValues((current) => ({ ...current, [field]: value }));
        // A field that showed a problem is checked again as it is corrected.
        if (errors[field])
            setErrors((current) => ({ ...current, [field]: checkSignUpField(field, value) }));
    };
    const blur = (field: SignUpField) => () => {
        // Checked on leaving a field, but an untouched empty field is not yet an error.
        if (values[field] !== '' || errors[field]) {
            setErrors((current) => ({
                ...current,
                [field]: checkSignUpField(field, values[field]),
            }));
        }
    };

    async function submit(event: FormEvent) {
        event.preventDefault();
        if (busy) return;
        const problems = checkSignUp(values);
        setErrors(problems);
        setFormError(null);
        if (Object.keys(problems).length > 0) {
            focusFirstError(kFields, problems);
            return;
        }
        setBusy(true);
        const phone = values.phone.trim();
        try {
            await api.signUp({
                username: values.username,
                password: values.password,
                email: values.email.trim(),
                first_name: values.first_name,
                last_name: values.last_name,
                ...(phone ? { phone } : {}),
            });
        } catch (caught) {
            setBusy(false);
            const serverErrors: Errors = {};
            if (caught instanceof ApiError) {
                Object.assign(serverErrors, caught.fields);
                if (caught.code === 'username_taken')
                    serverErrors.username = 'That username is taken. Choose another.';
            }
            if (Object.keys(serverErrors).length > 0) {
                setErrors(serverErrors);
                focusFirstError(kFields, serverErrors);
            } else {
                setFormError(errorMessage(caught));
            }
            return;
        }
        try {
            await session.login(values.username, values.password);
            navigate('/?welcome=1', { replace: true });
        } catch {
            // The account exists; only the automatic login failed.
            navigate('/login', { replace: true });
        }
    }

    const field = (name: SignUpField) => ({
        name,
        value: values[name],
        onChange: change(name),
        onBlur: blur(name),
        error: errors[name],
    });

    return (
        <section className="card narrow">
            <PageHeading>Open an account</PageHeading>
            {formError && <Alert>{formError}</Alert>}
            <form onSubmit={submit} noValidate>
                <div className="field-row">
                    <TextField
                        {...field('first_name')}
                        label="First name"
                        autoComplete="given-name"
                        required
                    />
                    <TextField
                        {...field('last_name')}
                        label="Last name"
                        autoComplete="family-name"
                        required
                    />
                </div>
                <TextField
                    {...field('username')}
                    label="Username"
                    autoComplete="username"
                    autoCapitalize="none"
                    spellCheck={false}
                    hint="3 to 32 letters, digits, dots, dashes or underscores."
                    required
                />
                <TextField
                    {...field('email')}
                    label="Email"
                    type="email"
                    autoComplete="email"
                    required
                />
                <TextField
                    {...field('phone')}
                    label="Phone (optional)"
                    type="tel"
                    autoComplete="tel"
                />
                <TextField
                    {...field('password')}
                    label="Password"
                    type="password"
                    autoComplete="new-password"
                    hint="At least 8 characters."
                    required
                />
                <button type="submit" className="primary" disabled={busy}>
                    {busy ? 'Opening your account…' : 'Open account'}
                </button>
            </form>
            <p>
                Already a customer? <Link to="/login">Log in</Link>
            </p>
        </section>
    );
}
