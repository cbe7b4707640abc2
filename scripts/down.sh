#!/usr/bin/env bash
# Stops the stack that scripts/up.sh started in BANK_DATA_DIR: exactly the pids recorded under
# pids/, gateway first and Redis last, each with SIGTERM, a bounded wait (BANK_STOP_TIMEOUT_S),
# then SIGKILL. Touches no other process, and no other file than those pid files and what is
# recorded beside them, which it removes: the hash workers' cgroup (pids/hash-cgroup) and a
# public copy of the web root (pids/web-copy).
set -euo pipefail
export BANK_SCRIPT_NAME=down
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bank_load_config
if [[ ! -d "$BANK_PIDS_DIR" ]] || [[ -z "$(ls -A "$BANK_PIDS_DIR")" ]]; then
    bank_log "nothing is running from $BANK_DATA_DIR"
    exit 0
fi
# A Ctrl-C while stopping would leave half a stack; finish the job instead.
trap '' INT
bank_stop_all
