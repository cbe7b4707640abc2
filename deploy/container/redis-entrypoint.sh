#!/bin/bash
# Entry point of the Redis image: writes redis.conf under /tmp (mode 0600: it holds the password)
# and replaces itself with redis-server, so Redis is PID 1 and SIGTERM makes it flush the
# append-only file and exit cleanly.
#
#   BANK_REDIS_PASSWORD_FILE   file with the password of the default user (required)
#   BANK_REDIS_ACL_FILE        optional Redis ACL file with one user per service
#   BANK_REDIS_APPENDFSYNC     always (default), everysec or no
#   BANK_REDIS_AOF_REWRITE_MIN_SIZE  size the append-only file must reach before Redis compacts
#                              it (default 1gb; docs/ledger.md): at most a third of the volume
#   BANK_REDIS_PORT            6379          BANK_REDIS_BIND   "* -::*" (every interface)
# Data (the append-only file) lives in /data: mount a volume there.
set -euo pipefail

die() {
    echo "bank-redis: $*" >&2
    exit 2
}

port=${BANK_REDIS_PORT:-6379}
bind=${BANK_REDIS_BIND:-* -::*}
appendfsync=${BANK_REDIS_APPENDFSYNC:-always}
rewrite_min_size=${BANK_REDIS_AOF_REWRITE_MIN_SIZE:-1gb}
config_dir=/tmp/redis
if [[ ! "$port" =~ ^[1-9][0-9]*$ ]] || ((port > 65535)); then
    die "BANK_REDIS_PORT must be a port number, got '$port'"
fi
[[ "$bind" =~ ^[0-9A-Fa-f.:*\ -]+$ ]] || die "BANK_REDIS_BIND must list addresses, got '$bind'"
case "$appendfsync" in
    always | everysec | no) ;;
    *) die "BANK_REDIS_APPENDFSYNC must be always, everysec or no, got '$appendfsync'" ;;
esac
[[ "$rewrite_min_size" =~ ^[1-9][0-9]*(kb|mb|gb)$ ]] ||
    die "BANK_REDIS_AOF_REWRITE_MIN_SIZE must be a size like 256mb or 1gb, got '$rewrite_min_size'"
[[ -r "${BANK_REDIS_PASSWORD_FILE:-}" ]] ||
    die "BANK_REDIS_PASSWORD_FILE must name a readable file, got '${BANK_REDIS_PASSWORD_FILE:-}'"
password=$(<"$BANK_REDIS_PASSWORD_FILE")
# The password also travels inside redis:// URLs, so only URL-safe characters are accepted.
[[ "$password" =~ ^[A-Za-z0-9._~-]{16,}$ ]] ||
    die "the password in $BANK_REDIS_PASSWORD_FILE must be 16 or more of [A-Za-z0-9._~-]"

mkdir -p "$config_dir"
chmod 0700 "$config_dir"
umask 077
{
    echo "# Written by bank-redis at start (deploy/container/redis-entrypoint.sh)."
    echo "port $port"
    echo "bind $bind"
    # Every client must authenticate, so the protection against an open default user is moot.
    echo "protected-mode no"
    echo "dir /data"
    echo "daemonize no"
    echo "appendonly yes"
    echo "appendfsync $appendfsync"
    # The append-only file is the durable copy; RDB snapshots would only add fork pauses.
    echo 'save ""'
    # Compaction of the append-only file, as scripts/lib.sh sets it (docs/ledger.md).
    echo "auto-aof-rewrite-min-size $rewrite_min_size"
    echo "auto-aof-rewrite-percentage 200"
    # Journal records stay compact listpacks, as scripts/lib.sh sets it (docs/ledger.md).
    echo "hash-max-listpack-value 192"
    if [[ -n "${BANK_REDIS_ACL_FILE:-}" ]]; then
        [[ -r "$BANK_REDIS_ACL_FILE" ]] || die "BANK_REDIS_ACL_FILE: cannot read '$BANK_REDIS_ACL_FILE'"
        # Quoted for Redis's config parser, so a path with a space works.
        [[ "$BANK_REDIS_ACL_FILE" != *[\\\"]* ]] ||
            die "BANK_REDIS_ACL_FILE must not contain a double quote or backslash"
        echo "aclfile \"$BANK_REDIS_ACL_FILE\""
    else
        echo "requirepass $password"
    fi
} >"$config_dir/redis.conf"
exec redis-server "$config_dir/redis.conf"
