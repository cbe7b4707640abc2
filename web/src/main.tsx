import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { Api } from './api';
import { App } from './App';
import { BankContext } from './context';
import { Session } from './session';

const fetchImpl = window.fetch.bind(window);
const session = new Session({ fetch: fetchImpl, storage: window.sessionStorage });
const api = new Api({ fetch: fetchImpl, session });

createRoot(document.getElementById('root')!).render(
    <StrictMode>
        <BankContext.Provider value={{ api, session }}>
            <App />
        </BankContext.Provider>
    </StrictMode>,
);
