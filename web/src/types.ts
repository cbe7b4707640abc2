// The shapes the API answers (openapi/openapi.json). Amounts are DecimalAmount strings
// ("1234.50"); the *_minor integers are not used, so no amount is ever a JavaScript number.

export interface TokenResponse {
    access_token: string;
    token_type: 'bearer';
    expires_in: number;
    refresh_token: string;
    user_id: string;
    username: string;
}

export interface Account {
    user_id: string;
    username: string;
    email: string;
    first_name: string;
    last_name: string;
    phone: string | null;
    account_number: string;
    currency: string;
    balance: string;
    created_at: string;
}

export interface LoginResponse extends TokenResponse {
    account: Account | null;
}

export interface SignUpRequest {
    username: string;
    password: string;
    email: string;
    first_name: string;
    last_name: string;
    phone?: string;
}

export type TransactionType = 'deposit' | 'withdrawal' | 'transfer';

export interface TransactionResult {
    transaction_id: string;
    type: TransactionType;
    amount: string;
    balance: string;
    created_at: string;
    message: string;
    receiver_username?: string;
}

export interface Transaction {
    transaction_id: string;
    type: TransactionType;
    amount: string;
    direction: 'credit' | 'debit';
    counterparty_username: string | null;
    balance_after: string;
    created_at: string;
}

export interface TransactionPage {
    items: Transaction[];
    next_cursor: string | null;
}

/** A transfer names its receiver by username or by account number, never both. */
export type Receiver = { receiver_username: string } | { to_account_number: string };
