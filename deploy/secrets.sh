#!/usr/bin/env bash
# Makes the bank's secrets for containers, with the run scripts' own code (scripts/lib.sh), so
# keys and passwords have the same form as under `make run`. Nothing made here is ever committed.
#
#   deploy/secrets.sh files DIR [REDIS_HOST:PORT]
#       Makes, once, the secret files under DIR/keys/ (kept on later runs, so tokens and data stay
#       valid): jwt-private.pem, jwt-public.pem, internal-token, one Redis password per Redis
#       user (redis-password for the operator's default user, redis-<user>-password), the Redis
#       ACL file (redis-users.acl, password hashes only) and one Redis URL per service
#       (redis-url-<service>, pointing at REDIS_HOST:PORT, default redis:6379).
#       compose.yaml reads them from deploy/secrets/keys/: `deploy/secrets.sh files deploy/secrets`.
#       DIR is made mode 0700 and the files in it readable by all, because Compose mounts them
#       as they are into containers that run as uid 10001.
#
#   deploy/secrets.sh kubernetes NAMESPACE [--dry-run]
#       Creates the Secrets the manifests in deploy/k8s/ use, in NAMESPACE, with fresh values:
#       bank-jwt (private.pem, public.pem), bank-internal-token (token) and bank-redis (password,
#       users.acl, <service>-url). A Secret that already exists is left as it is (delete it first
#       to rotate). --dry-run prints them as YAML instead and needs no cluster.
set -euo pipefail
export BANK_SCRIPT_NAME=secrets
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() {
    sed -n '5,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
}

# Makes the secret files under $1/keys/ with Redis URLs for host:port $2.
make_files() {
    local dir=$1 redis_address=$2 user
    [[ "$redis_address" =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] ||
        bank_die "the Redis address must be host:port, got '$redis_address'"
    mkdir -p "$dir"
    chmod 0700 "$dir"
    BANK_DATA_DIR=$(cd "$dir" && pwd)
    bank_load_config
    mkdir -p "$BANK_KEYS_DIR"
    bank_ensure_jwt_keys
    bank_ensure_internal_token
    bank_ensure_redis_password
    bank_render_redis_acl "$BANK_KEYS_DIR/redis-users.acl"
    for user in "${BANK_REDIS_USERS[@]}"; do
        # No newline at the end: Kubernetes passes a Secret's bytes to an environment variable
        # as they are.
        (umask 077 && printf 'redis://%s:%s@%s/0' "$user" \
            "$(<"$(bank_redis_password_file "$user")")" "$redis_address" \
            >"$BANK_KEYS_DIR/redis-url-$user")
    done
    chmod 0700 "$BANK_KEYS_DIR"
    chmod 0644 "$BANK_KEYS_DIR"/*
}

# Prints the Secret named $1 in namespace $2 from the files `key=path...` as YAML.
secret_yaml() {
    local name=$1 namespace=$2 pair
    shift 2
    local sources=()
    for pair in "$@"; do
        sources+=("--from-file=$pair")
    done
    kubectl create secret generic "$name" --namespace "$namespace" "${sources[@]}" \
        --dry-run=client --output yaml
}

create_in_cluster() {
    local namespace=$1 dry_run=$2
    [[ "$namespace" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] ||
        bank_die "'$namespace' is not a namespace name"
    command -v kubectl >/dev/null || bank_die "kubectl is not installed"
    local work
    work=$(mktemp -d /tmp/bank-secrets.XXXXXX)
    # shellcheck disable=SC2064 # expand now: the directory to remove is this one
    trap "rm -rf '$work'" EXIT
    make_files "$work" redis:6379 >/dev/null
    local keys=$work/keys
    local redis_sources=("password=$keys/redis-password" "users.acl=$keys/redis-users.acl")
    local user
    for user in "${BANK_REDIS_USERS[@]}"; do
        redis_sources+=("$user-url=$keys/redis-url-$user")
    done
    declare -A secrets=(
        [bank-jwt]="private.pem=$keys/jwt-private.pem public.pem=$keys/jwt-public.pem"
        [bank-internal-token]="token=$keys/internal-token"
        [bank-redis]="${redis_sources[*]}"
    )
    local name first=true
    for name in bank-jwt bank-internal-token bank-redis; do
        # shellcheck disable=SC2206 # the pairs hold no spaces (paths under mktemp's directory)
        local pairs=(${secrets[$name]})
        if [[ "$dry_run" == true ]]; then
            [[ "$first" == true ]] || echo ---
            first=false
            secret_yaml "$name" "$namespace" "${pairs[@]}"
        elif kubectl get secret "$name" --namespace "$namespace" >/dev/null 2>&1; then
            bank_log "Secret $name already exists in $namespace; kept (delete it first to rotate)"
        else
            secret_yaml "$name" "$namespace" "${pairs[@]}" | kubectl create --filename -
        fi
    done
}

case "${1:-}" in
    files)
        [[ $# -ge 2 && $# -le 3 ]] || usage
        make_files "$2" "${3:-redis:6379}"
        ;;
    kubernetes)
        [[ $# -ge 2 && $# -le 3 ]] || usage
        [[ $# -eq 2 || "$3" == --dry-run ]] || usage
        create_in_cluster "$2" "$([[ "${3:-}" == --dry-run ]] && echo true || echo false)"
        ;;
    *) usage ;;
esac
