#!/usr/bin/env bash
# Instructions per request of one service under one workload, with valgrind's callgrind: a
# count that does not move when other programs share the CPU, unlike wall-clock profiles.
#
#   bench/profile.sh [workload] [service] [seconds]
#     workload  transfer (default) | deposit | account | history | healthz
#     service   transactions (default) | accounts | auth
#
# Starts the stack from BANK_BUILD_DIR (default build/release) on free ports in a temp dir,
# seeds 1,000 users (50 of them log in for tokens), restarts the chosen service under callgrind,
# warms up for 3 s, zeroes the counters, drives `seconds` (default 20) of wrk load through the
# gateway, and dumps. Prints the instructions per request and leaves callgrind.out.1 in the
# printed directory for callgrind_annotate. Stops exactly what it started.
set -euo pipefail

workload=${1:-transfer}
service=${2:-transactions}
seconds=${3:-20}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BANK_BUILD_DIR:-build/release}
[[ "$build" == /* ]] || build=$repo/$build

case "$workload" in
    transfer) script=transfer.lua path=/api/transactions/transfer ;;
    deposit) script=deposit.lua path=/api/transactions/deposit ;;
    account) script=get.lua path=/api/accounts/me ;;
    history) script=get.lua path=/api/transactions/history ;;
    healthz) script=healthz.lua path=/healthz ;;
    *) echo "profile.sh: unknown workload '$workload'" >&2 && exit 2 ;;
esac
case "$service" in
    auth | accounts | transactions) ;;
    *) echo "profile.sh: unknown service '$service'" >&2 && exit 2 ;;
esac
for tool in valgrind callgrind_control callgrind_annotate wrk redis-cli curl jq; do
    command -v "$tool" >/dev/null || { echo "profile.sh: $tool is missing" >&2 && exit 2; }
done

# Free ports: bound by nobody now and distinct (another program may still take one before
# up.sh binds it; up.sh then refuses to start rather than share a port).
used_ports=()
for variable in BANK_HTTP_PORT BANK_HTTPS_PORT BANK_REDIS_PORT BANK_AUTH_PORT \
    BANK_ACCOUNTS_PORT BANK_TRANSACTIONS_PORT; do
    while true; do
        port=$((20000 + RANDOM % 20000))
        [[ " ${used_ports[*]:-} " == *" $port "* ]] && continue
        timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && continue
        used_ports+=("$port")
        printf -v "$variable" '%s' "$port"
        export "${variable?}"
        break
    done
done
data=$(mktemp -d /tmp/bank-profile-XXXXXX)
export BANK_DATA_DIR=$data BANK_BUILD_DIR=$build
# Cheap hashing: the logins only fetch tokens here; argon2id is not what is being profiled.
export BANK_ARGON2_OPSLIMIT=1 BANK_ARGON2_MEMLIMIT_KIB=8192
export BANK_LOGIN_RATE=100000r/s BANK_LOGIN_BURST=100000

valgrind_pid=
cleanup() {
    if [[ -n "$valgrind_pid" ]] && kill -0 "$valgrind_pid" 2>/dev/null; then
        kill "$valgrind_pid" 2>/dev/null || true
        wait "$valgrind_pid" 2>/dev/null || true
    fi
    "$repo/scripts/down.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$repo/scripts/up.sh" >/dev/null
password=$(<"$data/keys/redis-password")
"$build/bench/bank-bench-seed" users --from 0 --to 1000 --funded 50 --opslimit 1 \
    --memlimit-kib 8192 --password bench-password-0 |
    REDISCLI_AUTH=$password redis-cli --no-auth-warning -p "$BANK_REDIS_PORT" --pipe >/dev/null
tokens=$data/tokens.txt
for index in $(seq 0 49); do
    curl -sf "http://127.0.0.1:$BANK_HTTP_PORT/api/auth/token" -d grant_type=password \
        -d "username=bench$index" -d password=bench-password-0 | jq -r .access_token >>"$tokens"
done

# The same service, with the environment up.sh gave it, under callgrind.
pid=$(<"$data/pids/$service.pid")
mapfile -t settings < <(tr '\0' '\n' <"/proc/$pid/environ" | grep '^BANK_')
kill "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
rm -f "$data/pids/$service.pid"
env "${settings[@]}" valgrind --tool=callgrind --callgrind-out-file="$data/callgrind.out" \
    "$build/services/$service/bank-$service" >"$data/logs/callgrind-$service.log" 2>&1 &
valgrind_pid=$!
port_variable=BANK_${service^^}_PORT
service_url=http://127.0.0.1:${!port_variable}
for _ in $(seq 1 300); do
    curl -sf "$service_url/readyz" >/dev/null && break
    sleep 0.2
done

export BENCH_USERS=1000 BENCH_TOKENS_FILE=$tokens BENCH_PASSWORD=bench-password-0 BENCH_PATH=$path
gateway=http://127.0.0.1:$BANK_HTTP_PORT
# Through the gateway, except /healthz, which NGINX answers itself.
[[ "$workload" == healthz ]] && gateway=$service_url
answered() {
    curl -sf "$service_url/metrics" | awk '/^bank_http_requests_total/ && $0 !~ /route="\/(metrics|readyz)"/ \
        { total += $NF } END { print total + 0 }'
}
wrk -t1 -c16 -d3s -s "$repo/bench/wrk/$script" "$gateway$path" >/dev/null
callgrind_control --zero "$valgrind_pid" >/dev/null 2>&1
before=$(answered)
wrk -t1 -c16 -d"${seconds}s" -s "$repo/bench/wrk/$script" "$gateway$path" | grep -E 'Requests/sec|Non-2xx' || true
after=$(answered)
callgrind_control --dump "$valgrind_pid" >/dev/null 2>&1
sleep 1
requests=$((after - before))
total=$(callgrind_annotate "$data/callgrind.out.1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "$service, $workload: $requests requests, $total instructions, $((total / requests)) per request"
echo "profile: callgrind_annotate --inclusive=yes $data/callgrind.out.1"
