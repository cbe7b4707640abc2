#!/bin/bash
# Container health check: `bank-http-check PATH` succeeds when GET PATH on this container's own
# port (BANK_PORT for a service, BANK_HTTP_PORT for the gateway) answers 200. Plain bash over
# /dev/tcp, so the images need no HTTP client.
set -uo pipefail

path=${1:-/healthz}
port=${BANK_PORT:-${BANK_HTTP_PORT:-8080}}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status_line <&3 || exit 1
[[ "$status_line" =~ ^HTTP/1\.[01]\ 200\  ]]
