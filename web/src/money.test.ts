// Proves that amounts are read and shown exactly: typed amounts are checked against the API's
// rules and sent as typed, and answers are formatted with separators and two decimals without
// ever passing through a binary floating point number.
import { describe, expect, test } from 'vitest';

import { decimalToMinor, formatMoney, minorToDecimal, parseAmount } from './money';

describe('parseAmount', () => {
    test.each([
        ['12.34', '12.34', 1234n],
        ['12.3', '12.3', 1230n],
        ['12', '12', 1200n],
        ['0.01', '0.01', 1n],
        ['  7.50 ', '7.50', 750n],
        ['1000000.00', '1000000.00', 100000000n],
        // Far beyond 2^53 cents: still exact.
        ['90071992547409.93', '90071992547409.93', 9007199254740993n],
    ])('accepts %j and sends %j exactly', (input, amount, minor) => {
        expect(parseAmount(input)).toEqual({ ok: true, amount, minor });
    });

    test.each([
        ['', 'Enter an amount.'],
        ['   ', 'Enter an amount.'],
        ['12.345', 'Use at most 2 decimal places, e.g. 12.34.'],
        ['0', 'The amount must be more than 0.00.'],
        ['0.00', 'The amount must be more than 0.00.'],
    ])('refuses %j with %j', (input, error) => {
        expect(parseAmount(input)).toEqual({ ok: false, error });
    });

    test.each([
        '-5',
        '+5',
        '1e3',
        '007',
        '12.',
        '.5',
        '1,000.00',
        '12,34',
        'abc',
        '12.3.4',
        '0x10',
        'Infinity',
        'NaN',
        '１２',
        `1${'0'.repeat(40)}`,
    ])('refuses %j as not an amount', (input) => {
        const result = parseAmount(input);
        expect(result.ok).toBe(false);
    });
});

describe('formatMoney', () => {
    test.each([
        ['0.00', '$0.00'],
        ['0.05', '$0.05'],
        ['12.34', '$12.34'],
        ['999.99', '$999.99'],
        ['1000.00', '$1,000.00'],
        ['1234567.89', '$1,234,567.89'],
        ['-1234.50', '-$1,234.50'],
        ['90071992547409.93', '$90,071,992,547,409.93'],
    ])('formats the API decimal %j as %j', (decimal, shown) => {
        expect(formatMoney(decimal)).toBe(shown);
    });

    test('formats typed amounts with two decimals', () => {
        expect(formatMoney('12')).toBe('$12.00');
        expect(formatMoney('1234.5')).toBe('$1,234.50');
    });

    test('formats BigInt cents', () => {
        expect(formatMoney(0n)).toBe('$0.00');
        expect(formatMoney(7n)).toBe('$0.07');
        expect(formatMoney(123456789n)).toBe('$1,234,567.89');
        expect(formatMoney(-5n)).toBe('-$0.05');
    });

    test('refuses what is not an amount rather than guessing', () => {
        expect(() => formatMoney('12.345')).toThrow();
        expect(() => formatMoney('abc')).toThrow();
    });
});

describe('decimal and cents', () => {
    test('round-trip', () => {
        for (const decimal of ['0.00', '0.01', '-0.99', '10.10', '-123456789012345.67']) {
            expect(minorToDecimal(decimalToMinor(decimal))).toBe(decimal);
        }
    });

    test('0.1 + 0.2 is 0.3 in cents', () => {
        expect(minorToDecimal(decimalToMinor('0.10') + decimalToMinor('0.20'))).toBe('0.30');
    });

    test('decimalToMinor refuses other shapes', () => {
        for (const bad of ['12', '12.3', '1,000.00', '--1.00', '']) {
            expect(() => decimalToMinor(bad)).toThrow();
        }
    });
});
