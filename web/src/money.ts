// Money in the browser, exactly: amounts travel as decimal strings ("12.34"), are checked with
// regular expressions and formatted with string operations, and are compared as BigInt cents.
// Never a JavaScript number, whose binary fractions cannot hold 0.1 exactly.

/** What the API accepts for an amount (openapi Amount): digits, at most two decimals. */
const kAmountPattern = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;
/** What the API answers (openapi DecimalAmount): an optional minus, exactly two decimals. */
const kDecimalPattern = /^(-?)(0|[1-9][0-9]*)\.([0-9]{2})$/;
/** The longest amount string the API reads (openapi Amount maxLength). */
const kMaxAmountLength = 32;

export type AmountCheck =
    { ok: true; amount: string; minor: bigint } | { ok: false; error: string };

/**
 * Checks what a person typed into an amount field. On success `amount` is the exact string to
 * send (only surrounding spaces removed) and `minor` its value in cents.
 */
export function parseAmount(input: string): AmountCheck {
    const amount = input.trim();
    if (amount === '') return { ok: false, error: 'Enter an amount.' };
    if (amount.length > kMaxAmountLength || !kAmountPattern.test(amount)) {
        if (/^[0-9]*\.[0-9]{3,}$/.test(amount)) {
            return { ok: false, error: 'Use at most 2 decimal places, e.g. 12.34.' };
        }
        return {
            ok: false,
            error: 'Enter an amount like 12.34 (digits, a dot, at most 2 decimals).',
        };
    }
    const minor = amountToMinor(amount);
    if (minor <= 0n) return { ok: false, error: 'The amount must be more than 0.00.' };
    return { ok: true, amount, minor };
}

/** Cents of an amount that matches the API's Amount pattern ("12.3" -> 1230n). */
function amountToMinor(amount: string): bigint {
    const [whole, fraction = ''] = amount.split('.');
    return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** Cents of a DecimalAmount the API answered ("-12.30" -> -1230n). */
export function decimalToMinor(decimal: string): bigint {
    const match = kDecimalPattern.exec(decimal);
    if (!match) throw new Error(`not a decimal amount: ${JSON.stringify(decimal)}`);
    const [, sign, whole, fraction] = match;
    const minor = BigInt(whole) * 100n + BigInt(fraction);
    return sign === '-' ? -minor : minor;
}

/** A two-decimal string of a count of cents (-1230n -> "-12.30"). */
export function minorToDecimal(minor: bigint): string {
    const negative = minor < 0n;
    const digits = (negative ? -minor : minor).toString().padStart(3, '0');
    return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Thousands separators on a string of digits ("1234567" -> "1,234,567"). */
function groupThousands(digits: string): string {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * An amount for people: "$1,234.50", or "-$5.00" for a negative one. Takes a DecimalAmount
 * string as the API sends it, an amount as typed ("12.5"), or BigInt cents.
 */
export function formatMoney(value: string | bigint): string {
    const minor =
        typeof value === 'bigint'
            ? value
            : kDecimalPattern.test(value)
              ? decimalToMinor(value)
              : amountToMinor(checked(value));
    const decimal = minorToDecimal(minor < 0n ? -minor : minor);
    const [whole, fraction] = decimal.split('.');
    return `${minor < 0n ? '-' : ''}$${groupThousands(whole)}.${fraction}`;
}

function checked(amount: string): string {
    if (!kAmountPattern.test(amount)) throw new Error(`not an amount: ${JSON.stringify(amount)}`);
    return amount;
}
