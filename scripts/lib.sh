# Shared by up.sh, down.sh and run.sh: configuration from the environment, the data dir layout,
# key and certificate generation, and starting, probing and stopping one process.
#
# Everything the stack writes lives under one data dir (BANK_DATA_DIR, default <repo>/var), but
# for two things the scripts make as root: the hash workers' cgroup (bank_make_hash_cgroup), and
# a public copy of a web root that NGINX's workers could not read (bank_make_web_copy):
#   keys/   JWT signing key pair, Redis passwords (one per     tls/    gateway certificate and key
#           Redis user), the internal token                   logs/   one log per process
#   redis/  Redis config, ACL file, append-only file
#   pids/   one pid file per process we started, and the      nginx/  rendered config, temp dirs
#           paths of those two (hash-cgroup, web-copy)
# Only pids recorded in pids/ are ever signalled, and only while they still run the program we
# started: a pid the kernel has since handed to someone else is left alone.
# shellcheck shell=bash

BANK_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Start order; stop order is the reverse, so the gateway stops first and Redis last.
BANK_SERVICES=(auth accounts transactions)
# The Redis users of redis/users.acl.template besides default: one per service (each connects as
# its own, limited to its own keys and commands) and bank-audit's read-only one.
BANK_REDIS_USERS=(auth accounts transactions audit)

bank_log() { printf '%s: %s\n' "${BANK_SCRIPT_NAME:-bank}" "$*" >&2; }
bank_die() {
    bank_log "error: $*"
    exit 1
}

# Reads the configuration. Every setting has a default fit for `make run` on a developer machine.
bank_load_config() {
    BANK_DATA_DIR=${BANK_DATA_DIR:-$BANK_REPO_ROOT/var}
    [[ "$BANK_DATA_DIR" == /* ]] || BANK_DATA_DIR=$PWD/$BANK_DATA_DIR
    BANK_BUILD_DIR=${BANK_BUILD_DIR:-build/release}
    [[ "$BANK_BUILD_DIR" == /* ]] || BANK_BUILD_DIR=$BANK_REPO_ROOT/$BANK_BUILD_DIR

    BANK_HTTP_PORT=${BANK_HTTP_PORT:-8080}
    BANK_HTTPS_PORT=${BANK_HTTPS_PORT:-8443}
    BANK_REDIS_PORT=${BANK_REDIS_PORT:-6390}
    BANK_AUTH_PORT=${BANK_AUTH_PORT:-8081}
    BANK_ACCOUNTS_PORT=${BANK_ACCOUNTS_PORT:-8082}
    BANK_TRANSACTIONS_PORT=${BANK_TRANSACTIONS_PORT:-8083}
    BANK_GATEWAY_LISTEN_ADDRESS=${BANK_GATEWAY_LISTEN_ADDRESS:-127.0.0.1}
    BANK_GATEWAY_WORKERS=${BANK_GATEWAY_WORKERS:-auto}
    BANK_LOGIN_RATE=${BANK_LOGIN_RATE:-10r/s}
    BANK_LOGIN_BURST=${BANK_LOGIN_BURST:-20}
    # Sign-ups cost an argon2id hash each and share the hash workers with logins.
    BANK_SIGNUP_RATE=${BANK_SIGNUP_RATE:-5r/s}
    BANK_SIGNUP_BURST=${BANK_SIGNUP_BURST:-10}
    # How long the gateway waits for a client's header or body, or for it to take an answer.
    BANK_GATEWAY_CLIENT_TIMEOUT_S=${BANK_GATEWAY_CLIENT_TIMEOUT_S:-10}
    # Two years, as Mozilla recommends.
    BANK_HSTS_MAX_AGE=${BANK_HSTS_MAX_AGE:-63072000}
    # The built web app (make web), or a page that says how to build it.
    if [[ -z "${BANK_WEB_ROOT:-}" ]]; then
        BANK_WEB_ROOT=$BANK_REPO_ROOT/gateway/www
        [[ -f "$BANK_REPO_ROOT/web/dist/index.html" ]] && BANK_WEB_ROOT=$BANK_REPO_ROOT/web/dist
    fi
    BANK_REDIS_APPENDFSYNC=${BANK_REDIS_APPENDFSYNC:-always}
    BANK_START_TIMEOUT_S=${BANK_START_TIMEOUT_S:-60}
    # Longer than the services' default drain (BANK_SHUTDOWN_GRACE_MS, 10 s), so a clean stop is
    # never cut short by SIGKILL.
    BANK_STOP_TIMEOUT_S=${BANK_STOP_TIMEOUT_S:-15}
    BANK_TLS_CERT=${BANK_TLS_CERT:-}
    BANK_TLS_KEY=${BANK_TLS_KEY:-}
    # Which services to start (those of them that are built); tests narrow it down.
    BANK_STACK_SERVICES=${BANK_STACK_SERVICES:-${BANK_SERVICES[*]}}

    local name
    for name in BANK_HTTP_PORT BANK_HTTPS_PORT BANK_REDIS_PORT BANK_AUTH_PORT \
        BANK_ACCOUNTS_PORT BANK_TRANSACTIONS_PORT; do
        if [[ ! "${!name}" =~ ^[1-9][0-9]*$ ]] || ((${!name} < 1 || ${!name} > 65535)); then
            bank_die "$name must be a port number (1-65535), got '${!name}'"
        fi
    done
    for name in BANK_START_TIMEOUT_S BANK_STOP_TIMEOUT_S BANK_LOGIN_BURST BANK_SIGNUP_BURST \
        BANK_HSTS_MAX_AGE BANK_GATEWAY_CLIENT_TIMEOUT_S; do
        [[ "${!name}" =~ ^[0-9]+$ ]] || bank_die "$name must be a whole number, got '${!name}'"
    done
    ((BANK_GATEWAY_CLIENT_TIMEOUT_S >= 1)) ||
        bank_die "BANK_GATEWAY_CLIENT_TIMEOUT_S must be at least 1"
    [[ "$BANK_LOGIN_RATE" =~ ^[1-9][0-9]*r/[sm]$ ]] ||
        bank_die "BANK_LOGIN_RATE must look like 10r/s or 30r/m, got '$BANK_LOGIN_RATE'"
    [[ "$BANK_SIGNUP_RATE" =~ ^[1-9][0-9]*r/[sm]$ ]] ||
        bank_die "BANK_SIGNUP_RATE must look like 5r/s or 30r/m, got '$BANK_SIGNUP_RATE'"
    [[ "$BANK_GATEWAY_WORKERS" =~ ^(auto|[0-9]+)$ ]] ||
        bank_die "BANK_GATEWAY_WORKERS must be 'auto' or a number, got '$BANK_GATEWAY_WORKERS'"
    local service
    for service in ${BANK_STACK_SERVICES//,/ }; do
        [[ " ${BANK_SERVICES[*]} " == *" $service "* ]] ||
            bank_die "BANK_STACK_SERVICES: unknown service '$service' (known: ${BANK_SERVICES[*]})"
    done
    case "$BANK_REDIS_APPENDFSYNC" in
        always | everysec | no) ;;
        *) bank_die "BANK_REDIS_APPENDFSYNC must be always, everysec or no" ;;
    esac
    for name in BANK_DATA_DIR BANK_WEB_ROOT BANK_TLS_CERT BANK_TLS_KEY; do
        bank_check_quotable_path "$name" "${!name}"
    done
    # nginx.conf includes "<data dir>/nginx/conf.d/*.conf" as a glob pattern: a *, ? or [ in the
    # data dir would make it match other files, or none.
    [[ "$BANK_DATA_DIR" != *[*?[]* ]] ||
        bank_die "BANK_DATA_DIR must not contain *, ? or [, got '$BANK_DATA_DIR'"

    BANK_KEYS_DIR=$BANK_DATA_DIR/keys
    BANK_TLS_DIR=$BANK_DATA_DIR/tls
    BANK_REDIS_DIR=$BANK_DATA_DIR/redis
    BANK_LOGS_DIR=$BANK_DATA_DIR/logs
    BANK_PIDS_DIR=$BANK_DATA_DIR/pids
    BANK_NGINX_DIR=$BANK_DATA_DIR/nginx
    BANK_JWT_PRIVATE_KEY=$BANK_KEYS_DIR/jwt-private.pem
    BANK_JWT_PUBLIC_KEY=$BANK_KEYS_DIR/jwt-public.pem
    BANK_REDIS_PASSWORD_FILE=$BANK_KEYS_DIR/redis-password
    BANK_REDIS_ACL_TEMPLATE=$BANK_REPO_ROOT/redis/users.acl.template
    BANK_INTERNAL_TOKEN_FILE=$BANK_KEYS_DIR/internal-token
}

# Paths are written into redis.conf and nginx.conf between double quotes, so spaces are fine; a
# quote, a backslash or a dollar sign (an NGINX variable) would change their meaning there, and a
# newline would end the directive.
bank_check_quotable_path() {
    local name=$1 value=$2
    [[ "$value" != *[\\\"\$]* && "$value" != *$'\n'* ]] ||
        bank_die "$name must not contain a double quote, backslash, dollar sign or newline, got '$value'"
}

bank_service_port() {
    case "$1" in
        auth) echo "$BANK_AUTH_PORT" ;;
        accounts) echo "$BANK_ACCOUNTS_PORT" ;;
        transactions) echo "$BANK_TRANSACTIONS_PORT" ;;
        *) bank_die "unknown service '$1'" ;;
    esac
}

bank_service_binary() { echo "$BANK_BUILD_DIR/services/$1/bank-$1"; }

# The program each pid file must still be running for the pid to count as ours.
bank_program_of() {
    case "$1" in
        redis) echo redis-server ;;
        nginx) echo nginx ;;
        *) echo "bank-$1" ;;
    esac
}

bank_pid_file() { echo "$BANK_PIDS_DIR/$1.pid"; }

# True when pid is a live process (zombies count as gone: an orphan whose new parent does not
# reap it stays a zombie, and kill -0 would still succeed on it).
bank_pid_alive() {
    local pid=$1 state
    [[ -r /proc/$pid/stat ]] || return 1
    state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# True when pid is alive and still the program we started under that name.
bank_pid_is_ours() {
    local pid=$1 name=$2 program command_line
    bank_pid_alive "$pid" || return 1
    program=$(bank_program_of "$name")
    command_line=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ "$command_line" == *"$program"* ]]
}

# Prints the recorded pid of a component if the pid file exists and holds a number.
bank_read_pid() {
    local file
    file=$(bank_pid_file "$1")
    [[ -f "$file" ]] || return 1
    local pid
    pid=$(<"$file")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    echo "$pid"
}

bank_component_running() {
    local pid
    pid=$(bank_read_pid "$1") || return 1
    bank_pid_is_ours "$pid" "$1"
}

# Something already accepts connections on 127.0.0.1:port.
bank_port_in_use() {
    timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

bank_require_port_free() {
    local variable=$1
    if bank_port_in_use "${!variable}"; then
        bank_die "port ${!variable} is already in use by another program; set $variable to a free port"
    fi
}

bank_require_tool() {
    command -v "$1" >/dev/null ||
        bank_die "'$1' is not installed; run scripts/install-deps.sh"
}

bank_make_dirs() {
    mkdir -p "$BANK_DATA_DIR" "$BANK_KEYS_DIR" "$BANK_TLS_DIR" "$BANK_REDIS_DIR" "$BANK_LOGS_DIR" \
        "$BANK_PIDS_DIR" "$BANK_NGINX_DIR"
    chmod 0700 "$BANK_KEYS_DIR" "$BANK_TLS_DIR" "$BANK_REDIS_DIR"
    if [[ $(id -u) -eq 0 ]]; then
        # A root master runs its workers as nobody; they must be able to reach the temp dirs
        # NGINX creates (and hands to them) under nginx/. Search permission only: nothing here
        # becomes listable or readable, and keys/ and tls/ stay 0700.
        chmod o+x "$BANK_DATA_DIR" "$BANK_NGINX_DIR"
    fi
}

# The JWT key pair: RSA 2048, private key as PKCS#8 PEM (mode 0600), public key as
# SubjectPublicKeyInfo PEM. Kept across runs so issued tokens stay valid after a restart.
bank_ensure_jwt_keys() {
    if [[ ! -s "$BANK_JWT_PRIVATE_KEY" ]]; then
        bank_log "generating the JWT signing key in $BANK_KEYS_DIR"
        (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
            -out "$BANK_JWT_PRIVATE_KEY.tmp" 2>/dev/null) ||
            bank_die "openssl could not generate the JWT key"
        mv "$BANK_JWT_PRIVATE_KEY.tmp" "$BANK_JWT_PRIVATE_KEY"
        rm -f "$BANK_JWT_PUBLIC_KEY"
    fi
    chmod 0600 "$BANK_JWT_PRIVATE_KEY"
    if [[ ! -s "$BANK_JWT_PUBLIC_KEY" ]]; then
        openssl pkey -in "$BANK_JWT_PRIVATE_KEY" -pubout -out "$BANK_JWT_PUBLIC_KEY" ||
            bank_die "openssl could not derive the JWT public key"
        chmod 0644 "$BANK_JWT_PUBLIC_KEY"
    fi
}

# A random secret of `bytes` bytes as hex in `file` (mode 0600), made once and kept across runs.
bank_ensure_secret() {
    local file=$1 bytes=$2 what=$3
    if [[ ! -s "$file" ]]; then
        (umask 077 && openssl rand -hex "$bytes" >"$file.tmp") ||
            bank_die "openssl could not generate $what"
        mv "$file.tmp" "$file"
    fi
    chmod 0600 "$file"
}

# The shared secret that auth's internal routes (/register, DELETE /users/{id}) require in
# X-Internal-Token: any local user can reach a loopback port, so "not routed by the gateway" is
# not enough. Only auth and accounts are given it. 256 random bits, mode 0600, kept across runs.
bank_ensure_internal_token() {
    bank_ensure_secret "$BANK_INTERNAL_TOKEN_FILE" 32 "the internal token"
}

# The gateway's certificate: the one given in BANK_TLS_CERT/BANK_TLS_KEY, else a self-signed
# P-256 certificate for localhost and 127.0.0.1, made once and kept so browsers that were told
# to trust it keep trusting it.
bank_ensure_tls() {
    if [[ -n "$BANK_TLS_CERT" || -n "$BANK_TLS_KEY" ]]; then
        [[ -r "$BANK_TLS_CERT" ]] || bank_die "BANK_TLS_CERT '$BANK_TLS_CERT' is not a readable file"
        [[ -r "$BANK_TLS_KEY" ]] || bank_die "BANK_TLS_KEY '$BANK_TLS_KEY' is not a readable file"
        BANK_TLS_CERT=$(cd "$(dirname "$BANK_TLS_CERT")" && pwd)/$(basename "$BANK_TLS_CERT")
        BANK_TLS_KEY=$(cd "$(dirname "$BANK_TLS_KEY")" && pwd)/$(basename "$BANK_TLS_KEY")
        return
    fi
    BANK_TLS_CERT=$BANK_TLS_DIR/gateway.crt
    BANK_TLS_KEY=$BANK_TLS_DIR/gateway.key
    if [[ -s "$BANK_TLS_CERT" && -s "$BANK_TLS_KEY" ]]; then
        return
    fi
    bank_log "generating a self-signed TLS certificate in $BANK_TLS_DIR"
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -days 825 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
        -addext "extendedKeyUsage=serverAuth" \
        -keyout "$BANK_TLS_KEY" -out "$BANK_TLS_CERT" 2>/dev/null) ||
        bank_die "openssl could not create the TLS certificate"
    chmod 0600 "$BANK_TLS_KEY"
    chmod 0644 "$BANK_TLS_CERT"
}

bank_tls_fingerprint() {
    openssl x509 -in "$BANK_TLS_CERT" -noout -fingerprint -sha256 | sed 's/^.*=//'
}

# Redis listens on loopback only, and still asks for a password: any local user can reach a
# loopback port. Every Redis user has its own password, made once and kept in keys/: the default
# (operator) user's in redis-password, each other's in redis-<user>-password.
bank_redis_password_file() {
    if [[ "$1" == default ]]; then
        echo "$BANK_REDIS_PASSWORD_FILE"
    else
        echo "$BANK_KEYS_DIR/redis-$1-password"
    fi
}

bank_ensure_redis_password() {
    local user
    for user in default "${BANK_REDIS_USERS[@]}"; do
        bank_ensure_secret "$(bank_redis_password_file "$user")" 24 "the Redis password of $user"
    done
    BANK_REDIS_PASSWORD=$(<"$BANK_REDIS_PASSWORD_FILE")
}

# Renders redis/users.acl.template into `output` (mode 0600): each @<USER>_PASSWORD_SHA256@
# becomes the SHA-256 of that user's password, and the comment and blank lines are dropped
# (Redis's ACL file format has none).
bank_render_redis_acl() {
    local output=$1 user digest pairs=()
    for user in default "${BANK_REDIS_USERS[@]}"; do
        digest=$(tr -d '\n' <"$(bank_redis_password_file "$user")" | sha256sum) ||
            bank_die "could not hash the Redis password of $user"
        pairs+=("${user^^}_PASSWORD_SHA256=${digest%% *}")
    done
    (
        umask 077
        bank_render_template "$BANK_REDIS_ACL_TEMPLATE" "$output.full" "${pairs[@]}"
        sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$output.full" >"$output.tmp"
        rm -f "$output.full"
        mv "$output.tmp" "$output"
    )
}

# Starts "$@" in its own session, detached from the terminal (so a Ctrl-C or a closed terminal
# reaches only run.sh, which then stops everything in order), output to a log, and records the
# pid. A background job of a non-interactive shell is never a process group leader, so setsid
# does not fork again and $! is the program's own pid once setsid has exec'd it.
bank_spawn() {
    local name=$1 log=$2
    shift 2
    setsid "$@" >>"$log" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$(bank_pid_file "$name")"
    BANK_STARTED+=("$name")
}

# Reports a failure with the end of each given log that exists.
bank_fail_with_log() {
    local message=$1 log
    shift
    bank_log "error: $message"
    for log in "$@"; do
        if [[ -s "$log" ]]; then
            bank_log "last lines of $log:"
            tail -n 30 "$log" >&2
        fi
    done
    return 1
}

# Polls a probe command until it succeeds, the process dies, or BANK_START_TIMEOUT_S passes.
# Usage: bank_wait_ready NAME DESCRIPTION LOG... -- PROBE [ARG...]
bank_wait_ready() {
    local name=$1 description=$2 logs=()
    shift 2
    while [[ $# -gt 0 && "$1" != "--" ]]; do
        logs+=("$1")
        shift
    done
    shift
    local pid deadline=$((SECONDS + BANK_START_TIMEOUT_S))
    pid=$(bank_read_pid "$name")
    while ! "$@" >/dev/null 2>&1; do
        if ! bank_pid_alive "$pid"; then
            bank_fail_with_log "$name exited before $description" "${logs[@]}"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            bank_fail_with_log "$name was not $description within ${BANK_START_TIMEOUT_S}s \
(raise BANK_START_TIMEOUT_S if the machine is just slow)" "${logs[@]}"
            return 1
        fi
        sleep 0.1
    done
    bank_log "$name is up (pid $pid)"
}

bank_redis_ping() {
    [[ "$(REDISCLI_AUTH=$BANK_REDIS_PASSWORD redis-cli --no-auth-warning -h 127.0.0.1 \
        -p "$BANK_REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

bank_http_ok() {
    curl --silent --fail --max-time 2 --output /dev/null "$1"
}

bank_start_redis() {
    local config=$BANK_REDIS_DIR/redis.conf acl=$BANK_REDIS_DIR/users.acl
    local log=$BANK_LOGS_DIR/redis.log
    bank_render_redis_acl "$acl"
    # No logfile directive: Redis logs to stdout, which bank_spawn sends to logs/redis.log.
    # Users and their password hashes come from the ACL file (redis/users.acl.template), so no
    # password shows in `ps` or in this file.
    (
        umask 077
        cat >"$config" <<EOF
# Written by scripts/up.sh on every start; edit scripts/lib.sh instead.
port $BANK_REDIS_PORT
bind 127.0.0.1
protected-mode yes
aclfile "$acl"
dir "$BANK_REDIS_DIR"
daemonize no
appendonly yes
appendfsync $BANK_REDIS_APPENDFSYNC
# The append-only file is the durable copy; periodic RDB snapshots would only add fork pauses.
save ""
# Compaction of the append-only file: once it reaches 1 GB and three times its size after the
# last rewrite, not at Redis's default 64 MB and twice (docs/ledger.md explains why).
auto-aof-rewrite-min-size 1gb
auto-aof-rewrite-percentage 200
# A journal record (ledger:tx:*) has one value up to 171 bytes (its entries JSON); at Redis's
# default of 64 every record became a hash table of 11 separate entries, about 900 bytes, where
# a listpack takes about 500 and is written faster (docs/ledger.md).
hash-max-listpack-value 192
EOF
    )
    bank_spawn redis "$log" redis-server "$config"
    bank_wait_ready redis "answering PING on port $BANK_REDIS_PORT" "$log" -- bank_redis_ping
}

# The URL a Redis user connects with (hex passwords need no percent-encoding).
bank_redis_url() {
    local user=$1
    echo "redis://$user:$(<"$(bank_redis_password_file "$user")")@127.0.0.1:$BANK_REDIS_PORT/0"
}

bank_start_service() {
    local name=$1 port binary log
    port=$(bank_service_port "$name")
    binary=$(bank_service_binary "$name")
    log=$BANK_LOGS_DIR/$name.log
    local settings=(
        BANK_LISTEN_ADDRESS=127.0.0.1
        BANK_PORT="$port"
        BANK_REDIS_URL="$(bank_redis_url "$name")"
    )
    case "$name" in
        auth)
            settings+=(BANK_JWT_PRIVATE_KEY_PATH="$BANK_JWT_PRIVATE_KEY"
                BANK_INTERNAL_TOKEN_PATH="$BANK_INTERNAL_TOKEN_FILE")
            # Unless the caller chose one (BANK_HASH_CGROUP; empty for none).
            local cgroup
            if [[ -z "${BANK_HASH_CGROUP+set}" ]] && cgroup=$(bank_make_hash_cgroup); then
                settings+=(BANK_HASH_CGROUP="$cgroup")
            fi
            ;;
        accounts)
            settings+=(BANK_JWT_PUBLIC_KEY_PATH="$BANK_JWT_PUBLIC_KEY"
                BANK_AUTH_URL="http://127.0.0.1:$BANK_AUTH_PORT"
                BANK_INTERNAL_TOKEN_PATH="$BANK_INTERNAL_TOKEN_FILE")
            ;;
        transactions)
            settings+=(BANK_JWT_PUBLIC_KEY_PATH="$BANK_JWT_PUBLIC_KEY")
            ;;
    esac
    # Other BANK_* settings (BANK_IO_THREADS, BANK_LOG_REQUESTS, BANK_ARGON2_*, ...) pass through
    # from the caller's environment unchanged.
    bank_spawn "$name" "$log" env "${settings[@]}" "$binary"
    bank_wait_ready "$name" "answering GET /readyz on port $port" "$log" -- \
        bank_http_ok "http://127.0.0.1:$port/readyz"
}

# The hash workers' cgroup (BANK_HASH_CGROUP for auth): one with cpu.idle set, where hashing
# gets only CPU time that no other task wants. SCHED_IDLE, which the workers set themselves,
# yields only to the tasks of their own autogroup or cgroup; docs/benchmarks.md has the
# measurements. Made where this shell may: as root, with the cpu controller (cgroup v1's cpu
# hierarchy, or v2 with cpu enabled where this shell's cgroup sits) and cpu.idle in the kernel
# (5.15+); elsewhere the workers stay in auth's cgroup. It sits inside this shell's cgroup (v1),
# or beside it (v2, where only leaves hold processes), so that CPU limits above it (v1: on the
# shell's cgroup; v2: on its parent) still cover the workers. Named after the data dir, so that
# stacks side by side have one each. Its path is recorded in pids/hash-cgroup, and bank_stop_all
# removes it.
bank_hash_cgroup_path() {
    local id relative parent
    id=$(printf '%s' "$BANK_DATA_DIR" | cksum | cut -d' ' -f1)
    if [[ -f /sys/fs/cgroup/cpu/cpu.shares ]]; then
        relative=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { sub(/^[^:]*:[^:]*:/, ""); print; exit }' \
            "/proc/$$/cgroup")
        [[ "$relative" == /* ]] || return 1
        parent=/sys/fs/cgroup/cpu${relative%/}
    elif [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
        relative=$(awk -F: '$1 == "0" { sub(/^0::/, ""); print; exit }' "/proc/$$/cgroup")
        [[ "$relative" == /* ]] || return 1
        parent=/sys/fs/cgroup${relative%/*}
        grep -qw cpu "$parent/cgroup.subtree_control" 2>/dev/null || return 1
    else
        return 1
    fi
    # Where the mount shows another root than /proc says (a container without its own cgroup
    # namespace), the parent is not there: make nothing rather than a tree of our own.
    [[ -f "$parent/cgroup.procs" ]] || return 1
    echo "$parent/bank-hash-$id"
}

# Prints the cgroup's path when it exists with cpu.idle set; fails quietly otherwise.
bank_make_hash_cgroup() {
    local dir
    ((EUID == 0)) || return 1
    dir=$(bank_hash_cgroup_path 2>/dev/null) || return 1
    mkdir "$dir" 2>/dev/null || [[ -d "$dir" ]] || return 1
    if ! echo 1 2>/dev/null >"$dir/cpu.idle"; then
        rmdir "$dir" 2>/dev/null || true
        return 1
    fi
    if ! echo "$dir" >"$BANK_PIDS_DIR/hash-cgroup"; then
        rmdir "$dir" 2>/dev/null || true
        return 1
    fi
    echo "$dir"
}

# Removes the cgroup recorded in pids/hash-cgroup, and only a bank-hash-* directory there: the
# workers die with auth (PR_SET_PDEATHSIG), a moment after it. The record stays when the
# directory cannot be removed, so the next stop tries again.
bank_remove_hash_cgroup() {
    local record=$BANK_PIDS_DIR/hash-cgroup dir deadline=$((SECONDS + 5))
    [[ -f "$record" ]] || return 0
    dir=$(<"$record")
    if [[ "$dir" == /sys/fs/cgroup/* && "$dir" != *..* && "${dir##*/}" == bank-hash-* ]]; then
        while [[ -d "$dir" ]] && ! rmdir "$dir" 2>/dev/null; do
            if ((SECONDS >= deadline)); then
                bank_log "warning: could not remove the hash workers' cgroup $dir"
                return 0
            fi
            sleep 0.1
        done
    fi
    rm -f "$record"
}

# Replaces @NAME@ placeholders. Values are escaped for sed; newlines are refused.
bank_render_template() {
    local template=$1 output=$2
    shift 2
    local expressions=() pair key value
    for pair in "$@"; do
        key=${pair%%=*}
        value=${pair#*=}
        [[ "$value" != *$'\n'* ]] || bank_die "template value for $key contains a newline"
        value=$(printf '%s' "$value" | sed -e 's/[\\|&]/\\&/g')
        expressions+=(-e "s|@${key}@|${value}|g")
    done
    sed "${expressions[@]}" "$template" >"$output.tmp"
    if grep -n -E '@[A-Z_]+@' "$output.tmp" >&2; then
        bank_die "unfilled placeholders left in $output (above)"
    fi
    mv "$output.tmp" "$output"
}

# The upstream server of a service; BANK_RUNNING_SERVICES lists those up.sh started.
bank_upstream() {
    local name=$1 port
    port=$(bank_service_port "$name")
    if [[ " ${BANK_RUNNING_SERVICES[*]} " == *" $name "* ]]; then
        echo "127.0.0.1:$port"
    else
        # Not started (not built, or left out): marked down, so NGINX answers 502 problem JSON
        # without ever connecting to whatever else might listen on that port.
        echo "127.0.0.1:$port down"
    fi
}

# Whole seconds, rounded up, between two requests at an NGINX rate: the Retry-After of the
# gateway's 429. NGINX keeps a rate as whole requests per 1000 s, so 20r/m is 333 of them and one
# request comes free every 3.003 s: 4, not 3 ("10r/s" -> 1, "30r/m" -> 2, "7r/m" -> 9).
bank_rate_interval_s() {
    local count=${1%%r/*} unit=${1##*/} per_1000_s
    if [[ $unit == m ]]; then per_1000_s=$((count * 1000 / 60)); else per_1000_s=$((count * 1000)); fi
    echo $(((1000 + per_1000_s - 1) / per_1000_s))
}

# Renders gateway/nginx.conf.template into `output` from the loaded configuration. The one list
# of its placeholders: the container image's entry point calls this too.
# Usage: bank_render_gateway_config OUTPUT USER_DIRECTIVE AUTH_UPSTREAM ACCOUNTS_UPSTREAM \
#            TRANSACTIONS_UPSTREAM
bank_render_gateway_config() {
    # bank_ensure_tls made these absolute; check what is written.
    bank_check_quotable_path BANK_TLS_CERT "$BANK_TLS_CERT"
    bank_check_quotable_path BANK_TLS_KEY "$BANK_TLS_KEY"
    bank_render_template "$BANK_REPO_ROOT/gateway/nginx.conf.template" "$1" \
        "USER_DIRECTIVE=$2" \
        "WORKER_PROCESSES=$BANK_GATEWAY_WORKERS" \
        "DATA_DIR=$BANK_DATA_DIR" \
        "LISTEN_ADDRESS=$BANK_GATEWAY_LISTEN_ADDRESS" \
        "HTTP_PORT=$BANK_HTTP_PORT" \
        "HTTPS_PORT=$BANK_HTTPS_PORT" \
        "TLS_CERT=$BANK_TLS_CERT" \
        "TLS_KEY=$BANK_TLS_KEY" \
        "AUTH_UPSTREAM=$3" \
        "ACCOUNTS_UPSTREAM=$4" \
        "TRANSACTIONS_UPSTREAM=$5" \
        "LOGIN_RATE=$BANK_LOGIN_RATE" \
        "LOGIN_BURST=$BANK_LOGIN_BURST" \
        "SIGNUP_RATE=$BANK_SIGNUP_RATE" \
        "SIGNUP_BURST=$BANK_SIGNUP_BURST" \
        "LOGIN_RETRY_AFTER=$(bank_rate_interval_s "$BANK_LOGIN_RATE")" \
        "SIGNUP_RETRY_AFTER=$(bank_rate_interval_s "$BANK_SIGNUP_RATE")" \
        "HSTS_MAX_AGE=$BANK_HSTS_MAX_AGE" \
        "CLIENT_TIMEOUT=$BANK_GATEWAY_CLIENT_TIMEOUT_S" \
        "WEB_ROOT=$BANK_WEB_ROOT"
}

# True when the user nobody (in `group`) may read `file`.
bank_nobody_can_read() {
    setpriv --reuid nobody --regid "$1" --clear-groups test -r "$2"
}

# A copy of the web root that everyone may read, in a new directory under /tmp (mktemp: nobody
# else can have made it), recorded in pids/web-copy for bank_remove_web_copy. It is a snapshot:
# a web build made later is served after NGINX's next start. (Debian 12 does not age files out
# of /tmp; systems whose tmpfiles rules do, after 10 days or so, could remove files of a copy a
# stack has served that long: a restart makes a new one.) Prints its path; fails, leaving
# nothing behind, when it cannot be made.
bank_make_web_copy() {
    local dir
    bank_remove_web_copy
    dir=$(mktemp -d /tmp/bank-web.XXXXXX) || return 1
    if ! cp -R "$BANK_WEB_ROOT/." "$dir/" || ! chmod -R u=rwX,go=rX "$dir" ||
        ! echo "$dir" >"$BANK_PIDS_DIR/web-copy"; then
        rm -rf -- "$dir"
        return 1
    fi
    echo "$dir"
}

# Removes the copy recorded in pids/web-copy: only a directory of ours that mktemp named in /tmp
# (the record could have been written by whoever owns the data dir). The record stays when the
# directory cannot be removed, so the next stop tries again.
bank_remove_web_copy() {
    local record=$BANK_PIDS_DIR/web-copy dir
    [[ -f "$record" ]] || return 0
    dir=$(<"$record")
    if [[ "$dir" =~ ^/tmp/bank-web\.[A-Za-z0-9]{6}$ && -d "$dir" && ! -L "$dir" && -O "$dir" ]]; then
        if ! rm -rf -- "$dir"; then
            bank_log "warning: could not remove the web root's copy $dir"
            return 0
        fi
    fi
    rm -f "$record"
}

bank_start_nginx() {
    local config=$BANK_NGINX_DIR/nginx.conf log=$BANK_LOGS_DIR/nginx-error.log user_directive=""
    local web_root=$BANK_WEB_ROOT
    if [[ $(id -u) -eq 0 ]]; then
        local group copy
        group=$(id -gn nobody 2>/dev/null || echo nogroup)
        user_directive="user nobody $group;"
        # A checkout inside a private directory (mktemp -d makes 0700 ones; root's home) cannot
        # be read by nobody, and the workers would answer 404 for every file of the web app.
        # They serve a copy that everyone may read instead: the files are public anyway, and
        # the workers keep nobody's rights. Only when no such copy can be made do they run as
        # root, and the log says why.
        if ! bank_nobody_can_read "$group" "$BANK_WEB_ROOT/index.html"; then
            if copy=$(bank_make_web_copy) && bank_nobody_can_read "$group" "$copy/index.html"; then
                bank_log "nobody cannot read $BANK_WEB_ROOT (a private parent directory?);" \
                    "NGINX serves a copy of it from $copy (a snapshot: restart the stack to" \
                    "serve a new build)"
                web_root=$copy
            else
                bank_remove_web_copy
                bank_log "warning: nobody cannot read $BANK_WEB_ROOT, and no copy it can read" \
                    "could be made in /tmp; NGINX's workers run as root"
                user_directive="user root root;"
            fi
        fi
    fi
    BANK_WEB_ROOT=$web_root bank_render_gateway_config "$config" "$user_directive" \
        "$(bank_upstream auth)" "$(bank_upstream accounts)" "$(bank_upstream transactions)"
    local nginx_args=(-p "$BANK_NGINX_DIR/" -e "$log" -c "$config")
    if ! nginx "${nginx_args[@]}" -t -q >>"$BANK_LOGS_DIR/nginx.out" 2>&1; then
        bank_fail_with_log "nginx rejected $config" "$BANK_LOGS_DIR/nginx.out"
        return 1
    fi
    bank_spawn nginx "$BANK_LOGS_DIR/nginx.out" nginx "${nginx_args[@]}" -g "daemon off;"
    bank_wait_ready nginx "answering GET /healthz on port $BANK_HTTP_PORT" \
        "$log" "$BANK_LOGS_DIR/nginx.out" -- bank_http_ok "http://127.0.0.1:$BANK_HTTP_PORT/healthz"
}

# SIGTERM, a bounded wait, then SIGKILL; removes the pid file. Leaves alone a pid that no longer
# runs the program we started.
bank_stop_component() {
    local name=$1 file pid
    file=$(bank_pid_file "$name")
    [[ -f "$file" ]] || return 0
    if ! pid=$(bank_read_pid "$name"); then
        bank_log "warning: $file does not hold a pid; removing it"
        rm -f "$file"
        return 0
    fi
    if ! bank_pid_alive "$pid"; then
        rm -f "$file"
        return 0
    fi
    if ! bank_pid_is_ours "$pid" "$name"; then
        bank_log "warning: pid $pid from $file now runs another program; not signalling it"
        rm -f "$file"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + BANK_STOP_TIMEOUT_S))
    while bank_pid_alive "$pid" && ((SECONDS < deadline)); do
        sleep 0.1
    done
    if bank_pid_alive "$pid"; then
        bank_log "warning: $name (pid $pid) still runs after ${BANK_STOP_TIMEOUT_S}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 5))
        while bank_pid_alive "$pid" && ((SECONDS < deadline)); do
            sleep 0.1
        done
    fi
    rm -f "$file"
    bank_log "stopped $name (pid $pid)"
}

bank_stop_all() {
    local index
    bank_stop_component nginx
    bank_remove_web_copy
    for ((index = ${#BANK_SERVICES[@]} - 1; index >= 0; index--)); do
        bank_stop_component "${BANK_SERVICES[index]}"
    done
    bank_remove_hash_cgroup
    bank_stop_component redis
}
