// Proves that the sign-up and transfer checks in the browser follow the API's rules.
import { describe, expect, test } from 'vitest';

import { checkReceiver, checkSignUp, checkSignUpField } from './validation';

const good = {
    username: 'alice_1.x-y',
    password: 'correct horse',
    email: 'alice@example.com',
    first_name: 'Alice',
    last_name: 'Smith',
    phone: '',
};

describe('sign-up', () => {
    test('a complete form has no problems', () => {
        expect(checkSignUp(good)).toEqual({});
        expect(checkSignUp({ ...good, phone: '+1 (555) 010-2030' })).toEqual({});
    });

    test('every field is checked', () => {
        const problems = checkSignUp({
            username: 'al',
            password: 'short',
            email: 'nope',
            first_name: ' ',
            last_name: 'x'.repeat(65),
            phone: '12',
        });
        expect(Object.keys(problems).sort()).toEqual([
            'email',
            'first_name',
            'last_name',
            'password',
            'phone',
            'username',
        ]);
    });

    test.each([
        ['username', 'ab', 'Use 3 to 32 characters.'],
        ['username', 'a'.repeat(33), 'Use 3 to 32 characters.'],
        ['username', 'al ice', 'Use only letters, digits, dots, dashes and underscores.'],
        ['password', '1234567', 'Use 8 to 128 characters.'],
        ['email', 'a@b', 'Enter an email address like name@example.com.'],
        ['phone', '123', 'Enter 7 to 15 digits, e.g. +1 555 123 4567, or leave it empty.'],
    ] as const)('%s %j: %s', (field, value, message) => {
        expect(checkSignUpField(field, value)).toBe(message);
    });

    test('lengths count characters, not UTF-16 units', () => {
        // 8 emoji are 16 UTF-16 units but 8 characters: a valid password.
        expect(checkSignUpField('password', '😀'.repeat(8))).toBeNull();
        expect(checkSignUpField('password', '😀'.repeat(7))).toBe('Use 8 to 128 characters.');
    });
});

describe('transfer receiver', () => {
    test('a username or a ten-digit account number', () => {
        expect(checkReceiver('username', 'bob', 'alice')).toBeNull();
        expect(checkReceiver('account', '0123456789', 'alice')).toBeNull();
        expect(checkReceiver('account', '012345678', 'alice')).toBe(
            'An account number has exactly 10 digits.',
        );
        expect(checkReceiver('username', '', 'alice')).toBe(
            'Enter the username of the person to pay.',
        );
        expect(checkReceiver('username', 'a b', 'alice')).toBe('That is not a valid username.');
    });

    test('not yourself, whatever the case', () => {
        expect(checkReceiver('username', 'ALICE', 'alice')).toBe(
            'You cannot send money to yourself.',
        );
    });
});
