import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { Api } from './api';
import { App } from './App';
import { BankContext } from './context';
import { kSessionStorageKey, Session } from './session';
import { claimTabStorage } from './tab';

const fetchImpl = window.fetch.bind(window);
let session: Session | null = null;

// The tab's claim on its stored login comes before the session reads it: a tab copied from one
// that still uses the login forgets the copy (tab.ts). That takes at most a second.
void claimTabStorage(window, [kSessionStorageKey], { onRelease: () => session?.suspend() }).then(
    (storage) => {
        session = new Session({ fetch: fetchImpl, storage });
        const api = new Api({ fetch: fetchImpl, session });
        createRoot(document.getElementById('root')!).render(
            <StrictMode>
                <BankContext.Provider value={{ api, session }}>
                    <App />
                </BankContext.Provider>
            </StrictMode>,
        );
    },
);
