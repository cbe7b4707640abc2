// The sign-up rules of the accounts service (openapi CreateAccountRequest), checked in the
// browser so a person sees a problem as soon as they leave the field. The server checks again;
// its messages are shown the same way.

export type SignUpField = 'username' | 'password' | 'email' | 'first_name' | 'last_name' | 'phone';
export type SignUpValues = Record<SignUpField, string>;

/** Length in Unicode code points, as the server counts. */
function length(value: string): number {
    return [...value].length;
}

const kControlCharacters = /[\u0000-\u001f\u007f]/;

const kRules: Record<SignUpField, (value: string) => string | null> = {
    username: (value) => {
        if (length(value) < 3 || length(value) > 32) return 'Use 3 to 32 characters.';
        if (!/^[A-Za-z0-9_.-]+$/.test(value)) {
            return 'Use only letters, digits, dots, dashes and underscores.';
        }
        return null;
    },
    password: (value) => {
        if (length(value) < 8 || length(value) > 128) return 'Use 8 to 128 characters.';
        if (kControlCharacters.test(value)) return 'Control characters are not allowed.';
        return null;
    },
    email: (value) => {
        if (value.trim() === '') return 'Enter your email address.';
        if (length(value) > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
            return 'Enter an email address like name@example.com.';
        }
        return null;
    },
    first_name: (value) => nameProblem(value, 'first name'),
    last_name: (value) => nameProblem(value, 'last name'),
    phone: (value) => {
        if (value.trim() === '') return null;
        if (length(value) > 24 || !/^\+?[ ()-]*(?:[0-9][ ()-]*){7,15}$/.test(value)) {
            return 'Enter 7 to 15 digits, e.g. +1 555 123 4567, or leave it empty.';
        }
        return null;
    },
};

function nameProblem(value: string, what: string): string | null {
    if (value.trim() === '') return `Enter your ${what}.`;
    if (length(value) > 64) return 'Use at most 64 characters.';
    if (kControlCharacters.test(value)) return 'Control characters are not allowed.';
    return null;
}

export function checkSignUpField(field: SignUpField, value: string): string | null {
    return kRules[field](value);
}

/** Every problem of a sign-up form, by field. */
export function checkSignUp(values: SignUpValues): Partial<Record<SignUpField, string>> {
    const problems: Partial<Record<SignUpField, string>> = {};
    for (const field of Object.keys(kRules) as SignUpField[]) {
        const problem = kRules[field](values[field]);
        if (problem !== null) problems[field] = problem;
    }
    return problems;
}

/** A transfer receiver: a username or a ten-digit account number. */
export function checkReceiver(
    kind: 'username' | 'account',
    value: string,
    ownUsername: string,
): string | null {
    const receiver = value.trim();
    if (kind === 'account') {
        return /^[0-9]{10}$/.test(receiver) ? null : 'An account number has exactly 10 digits.';
    }
    if (receiver === '') return 'Enter the username of the person to pay.';
    if (kRules.username(receiver) !== null) return 'That is not a valid username.';
    if (receiver.toLowerCase() === ownUsername.toLowerCase())
        return 'You cannot send money to yourself.';
    return null;
}
