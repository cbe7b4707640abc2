#!/usr/bin/env bash
# Builds every image of Containerfile with podman: bank-auth, bank-accounts, bank-transactions,
# bank-gateway and bank-redis, tagged with the project's version (CMakeLists.txt) unless
# BANK_IMAGE_TAG says otherwise. The base image (debian:bookworm-slim) is made first from Debian's
# packages when it is missing (deploy/base-image.sh). Layers are cached, so the C++ code compiles
# once for the three services, and a second run with no change takes seconds.
#
#   deploy/build-images.sh [TARGET...]     (default: all five)
#
# Uses the project's podman settings (deploy/containers.conf) unless CONTAINERS_CONF is set.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/deploy/containers.conf}
log() { printf 'build-images: %s\n' "$*" >&2; }

version=$(sed -n 's/^project(bank VERSION \([0-9][0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
tag=${BANK_IMAGE_TAG:-$version}
[[ -n "$tag" ]] || { log "error: no version in CMakeLists.txt and no BANK_IMAGE_TAG"; exit 1; }
jobs=${JOBS:-2}

# Registries are reached through whatever the host trusts: on a machine behind a TLS-inspecting
# proxy, the web stage's npm needs the host's certificate bundle (a public file, no secret).
ca_options=()
host_bundle=/etc/ssl/certs/ca-certificates.crt
if [[ -r "$host_bundle" ]]; then
    ca_options=(--volume "$host_bundle:/run/host-ca.crt:ro"
        --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca.crt)
fi

targets=("$@")
((${#targets[@]} > 0)) || targets=(auth accounts transactions gateway redis)

"$repo/deploy/base-image.sh" debian:bookworm-slim

for target in "${targets[@]}"; do
    case "$target" in
        auth | accounts | transactions | gateway | redis) ;;
        *) log "error: unknown target '$target'"; exit 2 ;;
    esac
    started=$SECONDS
    log_file=$(mktemp /tmp/bank-build-"$target".XXXXXX)
    # --format docker keeps the HEALTHCHECK; the OCI format drops it.
    if ! podman build --format docker --layers --target "$target" \
        --build-arg BASE_IMAGE=debian:bookworm-slim --build-arg "BUILD_JOBS=$jobs" "${ca_options[@]}" \
        --tag "bank-$target:$tag" --file "$repo/Containerfile" "$repo" >"$log_file" 2>&1; then
        tail -n 40 "$log_file" >&2
        rm -f "$log_file"
        log "error: building bank-$target failed"
        exit 1
    fi
    rm -f "$log_file"
    log "bank-$target:$tag built in $((SECONDS - started))s"
done
