#!/usr/bin/env bash
# Runs the stack in the foreground: scripts/up.sh, then waits until Ctrl-C or SIGTERM, or until
# a process of the stack dies, and then stops everything with scripts/down.sh.
set -euo pipefail
export BANK_SCRIPT_NAME=run
scripts_dir=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$scripts_dir/lib.sh"

bank_load_config
# up.sh exits 0 without starting anything if the stack already runs; that stack belongs to
# whoever started it, so run.sh must not stop it on exit.
if bank_component_running nginx || bank_component_running redis; then
    bank_die "a stack already runs from $BANK_DATA_DIR; stop it with make down, or set BANK_DATA_DIR"
fi

stopping=false
stop() {
    [[ "$stopping" == true ]] && return
    stopping=true
    echo >&2
    "$scripts_dir/down.sh" || true
}
trap stop EXIT
# Being asked to stop is the normal end of a run: exit 0 once the stack is down.
trap 'exit 0' INT TERM

"$scripts_dir/up.sh"
bank_log "press Ctrl-C to stop"
# sleep in the background plus wait, so a signal interrupts the wait at once.
while true; do
    for name in redis "${BANK_SERVICES[@]}" nginx; do
        if [[ -f "$(bank_pid_file "$name")" ]] && ! bank_component_running "$name"; then
            bank_log "error: $name stopped unexpectedly; see $BANK_LOGS_DIR"
            exit 1
        fi
    done
    sleep 2 &
    wait $! || true
done
