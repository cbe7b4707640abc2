#!/usr/bin/env bash
# The container smoke test (make test-containers, and CI): builds every image with podman
# (deploy/build-images.sh; the base image is made from Debian's packages when missing), starts
# the whole bank from them on free loopback ports, walks through the API via the containerised
# gateway (two customers sign up, log in, one deposits and pays the other, both balances are
# right), checks what every image promises (an unprivileged user, no compiler, a working
# HEALTHCHECK, a clean exit on SIGTERM, Redis's append-only file on its volume), and removes
# everything it started.
#
# The containers share the host's network namespace (--network host), so every address is on
# loopback and nothing else is needed (no bridge, no DNS plugin, no pause image). Everything the
# test makes is named bank-smoke-<random>-*, and only those names are ever removed, on success,
# failure or interrupt. Images and the base image stay cached for the next run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/deploy/containers.conf}
log() { printf 'test-containers: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

for tool in podman curl jq node openssl; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"
done
[[ $(id -u) -eq 0 ]] || die "run as root: the base image is made with debootstrap, and podman runs rootful"

started_at=$SECONDS
version=$(sed -n 's/^project(bank VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)
tag=${BANK_IMAGE_TAG:-$version}

build_started=$SECONDS
deploy/build-images.sh
build_seconds=$((SECONDS - build_started))

run_id=bank-smoke-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
work=$(mktemp -d "/tmp/$run_id.XXXXXX")
containers=()
volume=""

# Removes exactly what this run made: its containers, its volume, its temp dir.
cleanup() {
    local status=$?
    local container
    for container in "${containers[@]}"; do
        podman rm --force --time 0 "$container" >/dev/null 2>&1 || true
    done
    if [[ -n "$volume" ]]; then
        podman volume rm --force "$volume" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
check() {
    local description=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        log "ok: $description"
    else
        failed=$((failed + 1))
        log "FAILED: $description"
    fi
}

# Free loopback ports, distinct from each other, picked by the kernel.
free_ports() {
    node -e '
        const net = require("node:net");
        const count = Number(process.argv[1]);
        const servers = [];
        const next = () => {
            if (servers.length === count) {
                console.log(servers.map((s) => s.address().port).join(" "));
                servers.forEach((s) => s.close());
                return;
            }
            const server = net.createServer().listen(0, "127.0.0.1", next);
            servers.push(server);
        };
        next();' "$1"
}
read -r redis_port auth_port accounts_port transactions_port http_port https_port < <(free_ports 6)
log "run $run_id: Redis $redis_port, auth $auth_port, accounts $accounts_port, \
transactions $transactions_port, gateway $http_port (HTTPS $https_port)"

deploy/secrets.sh files "$work/secrets" "127.0.0.1:$redis_port" 2>/dev/null
keys=$work/secrets/keys
secret() { echo "--volume=$keys/$1:/run/secrets/$1:ro"; }

volume=$run_id-redis-data
podman volume create "$volume" >/dev/null

# Starts container $1 (name suffix) from image $2 with the remaining podman options, hardened the
# way compose.yaml and the Kubernetes manifests run them. Health checks run only when asked
# (there is no systemd here to time them).
start() {
    local name=$run_id-$1 image=$2
    shift 2
    containers+=("$name")
    # podman 4.3 still complains that it cannot reach systemd for health check timers; its
    # output is shown only when the start fails.
    if ! podman run --detach --name "$name" --network host --read-only --tmpfs /tmp \
        --cap-drop ALL --security-opt no-new-privileges --health-interval disable \
        "$@" "bank-$image:$tag" >/dev/null 2>"$work/$1.podman-run.log"; then
        cat "$work/$1.podman-run.log" >&2
        return 1
    fi
}

# Waits until container $1's HEALTHCHECK passes; shows its log if it exits or never does.
wait_healthy() {
    local name=$run_id-$1 deadline=$((SECONDS + 90))
    while ! podman healthcheck run "$name" >/dev/null 2>&1; do
        if [[ "$(podman inspect --format '{{.State.Running}}' "$name")" != true ]] ||
            ((SECONDS >= deadline)); then
            log "$1 did not become healthy; its log:"
            podman logs --tail 40 "$name" >&2 || true
            return 1
        fi
        sleep 0.5
    done
}

start_started=$SECONDS
start redis redis --volume "$volume:/data" \
    --env BANK_REDIS_PORT="$redis_port" --env BANK_REDIS_BIND=127.0.0.1 \
    --env BANK_REDIS_PASSWORD_FILE=/run/secrets/redis-password \
    --env BANK_REDIS_ACL_FILE=/run/secrets/redis-users.acl \
    "$(secret redis-password)" "$(secret redis-users.acl)"
wait_healthy redis

service_options=(--env BANK_LISTEN_ADDRESS=127.0.0.1)
start auth auth "${service_options[@]}" --env BANK_PORT="$auth_port" \
    --env BANK_REDIS_URL_FILE=/run/secrets/redis-url-auth \
    --env BANK_JWT_PRIVATE_KEY_PATH=/run/secrets/jwt-private.pem \
    --env BANK_INTERNAL_TOKEN_PATH=/run/secrets/internal-token \
    "$(secret redis-url-auth)" "$(secret jwt-private.pem)" "$(secret internal-token)"
start accounts accounts "${service_options[@]}" --env BANK_PORT="$accounts_port" \
    --env BANK_REDIS_URL_FILE=/run/secrets/redis-url-accounts \
    --env BANK_JWT_PUBLIC_KEY_PATH=/run/secrets/jwt-public.pem \
    --env BANK_INTERNAL_TOKEN_PATH=/run/secrets/internal-token \
    --env BANK_AUTH_URL="http://127.0.0.1:$auth_port" \
    "$(secret redis-url-accounts)" "$(secret jwt-public.pem)" "$(secret internal-token)"
start transactions transactions "${service_options[@]}" --env BANK_PORT="$transactions_port" \
    --env BANK_REDIS_URL_FILE=/run/secrets/redis-url-transactions \
    --env BANK_JWT_PUBLIC_KEY_PATH=/run/secrets/jwt-public.pem \
    "$(secret redis-url-transactions)" "$(secret jwt-public.pem)"
for service in auth accounts transactions; do
    wait_healthy "$service"
done

start gateway gateway --env BANK_GATEWAY_LISTEN_ADDRESS=127.0.0.1 \
    --env BANK_HTTP_PORT="$http_port" --env BANK_HTTPS_PORT="$https_port" \
    --env BANK_AUTH_UPSTREAM="127.0.0.1:$auth_port" \
    --env BANK_ACCOUNTS_UPSTREAM="127.0.0.1:$accounts_port" \
    --env BANK_TRANSACTIONS_UPSTREAM="127.0.0.1:$transactions_port" \
    --env BANK_TRUSTED_PROXIES=127.0.0.1/32
wait_healthy gateway
start_seconds=$((SECONDS - start_started))
log "the bank is up from its images in ${start_seconds}s"

# --- The API walk-through, through the gateway only.
gateway=http://127.0.0.1:$http_port
# Prints the body; fails unless the status is $1.
call() {
    local expected=$1 body status
    shift
    body=$(curl --silent --show-error --max-time 10 --write-out '\n%{http_code}' "$@") || return 1
    status=${body##*$'\n'}
    body=${body%$'\n'*}
    if [[ "$status" != "$expected" ]]; then
        log "expected $expected, got $status from curl $*: $body"
        return 1
    fi
    printf '%s' "$body"
}

sign_up() {
    call 201 -X POST "$gateway/api/accounts" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$2\",\"email\":\"$1@example.com\",\"first_name\":\"${1^}\",\"last_name\":\"Smoke\"}" \
        >/dev/null
}

# Prints an access token for user $1 with password $2.
log_in() {
    call 200 "$gateway/api/auth/token" -d grant_type=password -d "username=$1" \
        --data-urlencode "password=$2" | jq -er .access_token
}

balance_of() {
    call 200 "$gateway/api/transactions/balance" -H "Authorization: Bearer $1" | jq -er .balance
}

walk_through() {
    sign_up alice 'correct horse' || return 1
    sign_up bob 'battery staple' || return 1
    local alice bob
    alice=$(log_in alice 'correct horse') || return 1
    bob=$(log_in bob 'battery staple') || return 1
    call 200 "$gateway/api/transactions/deposit" -H "Authorization: Bearer $alice" \
        -H 'Content-Type: application/json' -H "Idempotency-Key: $run_id-deposit" \
        -d '{"amount":"200.00"}' >/dev/null || return 1
    call 200 "$gateway/api/transactions/transfer" -H "Authorization: Bearer $alice" \
        -H 'Content-Type: application/json' -H "Idempotency-Key: $run_id-transfer" \
        -d '{"receiver_username":"bob","amount":"20.00"}' >/dev/null || return 1
    local alice_balance bob_balance
    alice_balance=$(balance_of "$alice") || return 1
    bob_balance=$(balance_of "$bob") || return 1
    log "balances: alice $alice_balance, bob $bob_balance"
    [[ "$alice_balance" == 180.00 && "$bob_balance" == 20.00 ]]
}

walk_started=$SECONDS
check "API walk-through via the gateway: sign up x2, log in, deposit, transfer, balances" walk_through
walk_seconds=$((SECONDS - walk_started))

serves_page() {
    local headers
    headers=$(curl --silent --fail --max-time 5 --dump-header - --output /dev/null "$gateway$1") || return 1
    grep -qi "^content-type: $2" <<<"$headers"
}
check "the gateway serves the web app (/)" serves_page / text/html
check "the gateway serves the API docs (/docs/)" serves_page /docs/ text/html
check "the gateway serves the OpenAPI document" serves_page /api/openapi.json application/json
check "the gateway answers over TLS" curl --silent --fail --insecure --max-time 5 --output /dev/null \
    "https://127.0.0.1:$https_port/healthz"
check "the gateway is ready (/readyz)" curl --silent --fail --max-time 5 --output /dev/null \
    "$gateway/readyz"

# Behind a trusted proxy (here: curl on loopback, like an Ingress controller), the client's
# address comes from X-Forwarded-For: the access log (JSON on stdout) shows it.
takes_client_address_from_proxy() {
    curl --silent --fail --max-time 5 --output /dev/null -H 'X-Forwarded-For: 203.0.113.7' \
        "$gateway/healthz" || return 1
    sleep 0.5
    podman logs "$run_id-gateway" 2>/dev/null | grep -q '"remote":"203.0.113.7"'
}
check "the gateway takes the client's address from a trusted proxy" takes_client_address_from_proxy

runs_unprivileged() {
    local uid
    uid=$(podman exec "$run_id-$1" sh -c 'id -u') || return 1
    [[ "$uid" == 10001 ]]
}
has_no_compiler() {
    ! podman run --rm --network none --entrypoint sh "bank-$1:$tag" -c \
        'command -v cc || command -v gcc || command -v g++ || command -v c++ || command -v clang' \
        >/dev/null 2>&1
}
for name in redis auth accounts transactions gateway; do
    check "$name runs as uid 10001" runs_unprivileged "$name"
    check "the $name image holds no compiler" has_no_compiler "$name"
done
check "Redis writes its append-only file to the volume" \
    podman exec "$run_id-redis" sh -c 'ls /data/appendonlydir/*.aof >/dev/null'

# A clean stop: SIGTERM (podman stop), and the program, PID 1, exits 0 well before SIGKILL.
stops_cleanly() {
    local name=$run_id-$1 code
    podman stop --time 20 "$name" >/dev/null 2>"$work/$1.podman-stop.log" || {
        cat "$work/$1.podman-stop.log" >&2
        return 1
    }
    code=$(podman inspect --format '{{.State.ExitCode}}' "$name") || return 1
    [[ "$code" == 0 ]] || { log "$1 exited with $code on SIGTERM"; podman logs --tail 20 "$name" >&2; return 1; }
}
stop_started=$SECONDS
for name in gateway transactions accounts auth redis; do
    check "$name exits 0 on SIGTERM" stops_cleanly "$name"
done
stop_seconds=$((SECONDS - stop_started))

log "times: build ${build_seconds}s, start ${start_seconds}s, walk-through ${walk_seconds}s, \
stop ${stop_seconds}s, total $((SECONDS - started_at))s"
echo "test-containers: $passed passed, $failed failed"
((failed == 0))
