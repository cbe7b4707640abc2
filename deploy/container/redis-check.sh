#!/bin/bash
# Health check of the Redis image: PING, authenticated as the default user with the password from
# BANK_REDIS_PASSWORD_FILE, answers PONG (not LOADING while the append-only file is replayed).
set -uo pipefail

[[ -r "${BANK_REDIS_PASSWORD_FILE:-}" ]] || exit 1
reply=$(REDISCLI_AUTH=$(<"$BANK_REDIS_PASSWORD_FILE") timeout 3 redis-cli --no-auth-warning \
    -h 127.0.0.1 -p "${BANK_REDIS_PORT:-6379}" ping 2>&1)
[[ "$reply" == PONG ]]
