#!/bin/bash
# Entry point of the gateway image: renders gateway/nginx.conf.template from the environment with
# the run scripts' own code (scripts/lib.sh: the same settings, defaults and checks as `make run`),
# then replaces itself with NGINX in the foreground, so NGINX is PID 1 and SIGTERM stops it.
#
# Beyond lib.sh's settings (BANK_HTTP_PORT, BANK_LOGIN_RATE, BANK_TLS_CERT, ...), the upstreams
# come from BANK_AUTH_UPSTREAM, BANK_ACCOUNTS_UPSTREAM and BANK_TRANSACTIONS_UPSTREAM (host:port;
# NGINX resolves names once, at start), and BANK_TRUSTED_PROXIES lists the addresses or CIDR
# ranges of reverse proxies in front (an Ingress controller) whose X-Forwarded-For names the
# client. Logs go to stdout (access, JSON) and stderr (errors).
set -euo pipefail
export BANK_SCRIPT_NAME=gateway
# shellcheck source=../../scripts/lib.sh
source /usr/local/lib/bank/scripts/lib.sh

bank_load_config
for name in BANK_AUTH_UPSTREAM BANK_ACCOUNTS_UPSTREAM BANK_TRANSACTIONS_UPSTREAM; do
    [[ "${!name:-}" =~ ^[A-Za-z0-9.:_-]+:[0-9]+$ ]] ||
        bank_die "$name must be host:port, got '${!name:-}'"
done
mkdir -p "$BANK_NGINX_DIR/conf.d" "$BANK_LOGS_DIR" "$BANK_TLS_DIR"
rm -f "$BANK_NGINX_DIR/conf.d/real-ip.conf"
if [[ -n "${BANK_TRUSTED_PROXIES:-}" ]]; then
    {
        for proxy in $BANK_TRUSTED_PROXIES; do
            [[ "$proxy" =~ ^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$ ]] ||
                bank_die "BANK_TRUSTED_PROXIES: '$proxy' is not an address or CIDR range"
            echo "set_real_ip_from $proxy;"
        done
        echo "real_ip_header X-Forwarded-For;"
        # The rightmost address not of a trusted proxy: what a client writes itself is ignored.
        echo "real_ip_recursive on;"
    } >"$BANK_NGINX_DIR/conf.d/real-ip.conf"
fi
chmod 0700 "$BANK_TLS_DIR"
ln -sf /dev/stdout "$BANK_LOGS_DIR/nginx-access.log"
ln -sf /dev/stderr "$BANK_LOGS_DIR/nginx-error.log"
bank_ensure_tls

config=$BANK_NGINX_DIR/nginx.conf
bank_render_gateway_config "$config" "" "$BANK_AUTH_UPSTREAM" "$BANK_ACCOUNTS_UPSTREAM" \
    "$BANK_TRANSACTIONS_UPSTREAM"
exec nginx -p "$BANK_NGINX_DIR/" -e /dev/stderr -c "$config" -g 'daemon off;'
