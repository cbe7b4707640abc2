#!/bin/bash
# Entry point of the auth, accounts and transactions images: `bank-entrypoint PROGRAM`.
#
# The Redis URL holds a password, so Compose and Kubernetes hand it over as a secret file:
# BANK_REDIS_URL_FILE names that file, and its content becomes BANK_REDIS_URL. (Key files and the
# internal token are read by the services themselves, from BANK_*_PATH.) Then the program replaces
# this shell, so it is PID 1 and receives SIGTERM itself.
set -euo pipefail

if [[ -n "${BANK_REDIS_URL_FILE:-}" ]]; then
    if [[ ! -r "$BANK_REDIS_URL_FILE" ]]; then
        echo "bank-entrypoint: BANK_REDIS_URL_FILE: cannot read '$BANK_REDIS_URL_FILE'" >&2
        exit 2
    fi
    BANK_REDIS_URL=$(<"$BANK_REDIS_URL_FILE")
    export BANK_REDIS_URL
    unset BANK_REDIS_URL_FILE
fi
exec "$@"
