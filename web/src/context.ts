// The API client and session the pages share, handed down by <App>.
import { createContext, useContext, useSyncExternalStore } from 'react';

import type { Api } from './api';
import type { Session, User } from './session';

export interface Bank {
    api: Api;
    session: Session;
}

export const BankContext = createContext<Bank | null>(null);

export function useBank(): Bank {
    const bank = useContext(BankContext);
    if (bank === null) throw new Error('useBank() outside <BankContext.Provider>');
    return bank;
}

/** The logged-in person; re-renders when they log in or out. */
export function useUser(): User | null {
    const { session } = useBank();
    return useSyncExternalStore(
        (callback) => session.subscribe(callback),
        () => session.user,
    );
}
