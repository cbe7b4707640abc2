#!/usr/bin/env bash
# Starts the stack in the background: Redis, the services whose binaries exist in
# BANK_BUILD_DIR (auth, accounts, transactions), then the NGINX gateway. Waits until each one
# answers, and on any failure stops what it started and exits non-zero. Builds nothing: the
# Makefile does that. All state lives in BANK_DATA_DIR (see scripts/lib.sh); scripts/down.sh stops
# the stack again.
set -euo pipefail
export BANK_SCRIPT_NAME=up
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bank_load_config
mkdir -p "$BANK_PIDS_DIR"

# A second `make up` must not start a second stack or touch the first.
running=()
stale=()
for name in redis "${BANK_SERVICES[@]}" nginx; do
    if bank_component_running "$name"; then
        running+=("$name (pid $(bank_read_pid "$name"))")
    elif [[ -f "$(bank_pid_file "$name")" ]]; then
        stale+=("$name")
    fi
done
if ((${#running[@]} > 0)); then
    if ((${#stale[@]} == 0)) && bank_component_running redis && bank_component_running nginx; then
        bank_log "the stack in $BANK_DATA_DIR is already running: ${running[*]}"
        bank_log "nothing to do; scripts/down.sh (make down) stops it"
        exit 0
    fi
    bank_die "the stack in $BANK_DATA_DIR is partly running (${running[*]}); \
run scripts/down.sh (make down) first"
fi
for name in "${stale[@]}"; do
    bank_log "removing the stale pid file of $name (its process is gone)"
    rm -f "$(bank_pid_file "$name")"
done

for tool in redis-server redis-cli nginx openssl curl setsid timeout; do
    bank_require_tool "$tool"
done

services=()
for name in "${BANK_SERVICES[@]}"; do
    [[ " ${BANK_STACK_SERVICES//,/ } " == *" $name "* ]] || continue
    binary=$(bank_service_binary "$name")
    if [[ -x "$binary" ]]; then
        services+=("$name")
    else
        bank_log "warning: $binary is missing; starting without the $name service \
(its routes answer 502)"
    fi
done
BANK_RUNNING_SERVICES=("${services[@]}")
((${#services[@]} > 0)) ||
    bank_die "no service binaries in $BANK_BUILD_DIR; build first (make build) or set BANK_BUILD_DIR"

# Every port must be free and distinct before anything starts.
port_variables=(BANK_REDIS_PORT BANK_HTTP_PORT BANK_HTTPS_PORT)
for name in "${services[@]}"; do
    port_variables+=("BANK_${name^^}_PORT")
done
declare -A port_owner=()
for variable in "${port_variables[@]}"; do
    port=${!variable}
    if [[ -n "${port_owner[$port]:-}" ]]; then
        bank_die "$variable and ${port_owner[$port]} are both $port; give each its own port"
    fi
    port_owner[$port]=$variable
    bank_require_port_free "$variable"
done

bank_make_dirs
bank_ensure_jwt_keys
bank_ensure_internal_token
bank_ensure_tls
bank_ensure_redis_password

BANK_STARTED=()
started_ok=false
stop_on_failure() {
    if [[ "$started_ok" != true ]] && ((${#BANK_STARTED[@]} > 0)); then
        bank_log "start-up failed; stopping what was started"
        bank_stop_all
    fi
}
trap stop_on_failure EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bank_start_redis
for name in "${services[@]}"; do
    bank_start_service "$name"
done
bank_start_nginx
started_ok=true

display_host=$BANK_GATEWAY_LISTEN_ADDRESS
[[ "$display_host" == 0.0.0.0 ]] && display_host=127.0.0.1
cat <<EOF

The bank is running (data in $BANK_DATA_DIR, logs in $BANK_LOGS_DIR):
  web app   http://$display_host:$BANK_HTTP_PORT/
            https://$display_host:$BANK_HTTPS_PORT/
  API base  http://$display_host:$BANK_HTTP_PORT/api
  API docs  http://$display_host:$BANK_HTTP_PORT/docs
  services  ${services[*]}
  TLS certificate SHA-256 fingerprint (self-signed unless BANK_TLS_CERT is set):
            $(bank_tls_fingerprint)
Stop it with: make down   (or BANK_DATA_DIR=$BANK_DATA_DIR scripts/down.sh)
EOF
