#!/usr/bin/env bash
# Converts ledger histories written by the earlier layout (a sorted set of transaction ids
# scored by ledger:seq per user) into lists in the same order, oldest first, which the ledger
# now appends to (docs/ledger.md). The ledger script refuses to post for a user whose history is
# still a sorted set (LEDGER_INVARIANT, nothing written), and history pages for that user fail,
# so run this once after upgrading, before the transactions service takes traffic.
#
# Each key is converted by one Lua script, so atomically; a key that is already a list is left
# alone, so the script can be run again (or after an interruption).
#
#   scripts/migrate-histories.sh          the stack the scripts run (BANK_DATA_DIR, default var/;
#                                         BANK_REDIS_PORT, default 6390), as its operator user
#   REDISCLI_AUTH=<password> scripts/migrate-histories.sh -h HOST -p PORT
#                                         any Redis, as its default (operator) user
set -euo pipefail
export BANK_SCRIPT_NAME=migrate-histories

if [[ $# -eq 0 ]]; then
    # shellcheck source=lib.sh
    source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
    bank_load_config
    [[ -r "$BANK_REDIS_PASSWORD_FILE" ]] || bank_die "cannot read $BANK_REDIS_PASSWORD_FILE"
    REDISCLI_AUTH=$(<"$BANK_REDIS_PASSWORD_FILE")
    export REDISCLI_AUTH
    set -- -h 127.0.0.1 -p "$BANK_REDIS_PORT"
fi

# ZRANGE by rank is ascending score, that is ascending ledger:seq: the order postings were made.
readonly convert='
if redis.call("TYPE", KEYS[1]).ok ~= "zset" then return -1 end
local ids = redis.call("ZRANGE", KEYS[1], 0, -1)
redis.call("DEL", KEYS[1])
for first = 1, #ids, 1000 do
  redis.call("RPUSH", KEYS[1], unpack(ids, first, math.min(first + 999, #ids)))
end
return #ids'

converted=0
entries=0
while IFS= read -r key; do
    [[ -n "$key" ]] || continue
    count=$(redis-cli --no-auth-warning "$@" EVAL "$convert" 1 "$key")
    [[ "$count" =~ ^-?[0-9]+$ ]] || { echo "migrate-histories: $key: $count" >&2 && exit 1; }
    if ((count >= 0)); then
        converted=$((converted + 1))
        entries=$((entries + count))
    fi
done < <(redis-cli --no-auth-warning "$@" --scan --pattern 'ledger:history:*')
echo "migrate-histories: converted $converted histories ($entries entries) to lists"
