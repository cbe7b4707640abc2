#!/usr/bin/env bash
# Installs, from Debian 12's own archive, everything the build, the run scripts and the tests need.
# Idempotent: it asks dpkg first and calls apt-get only for what is missing, so a second run is a
# no-op that takes well under a second. Boost comes from the 1.81 packages because libboost-dev is
# 1.74 and conflicts with them.
set -euo pipefail

packages=(
    build-essential cmake pkg-config ninja-build clang clang-format
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    libhiredis-dev libssl-dev libsodium-dev libspdlog-dev libfmt-dev
    libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
    redis-server redis-tools nginx curl wrk openssl ca-certificates procps jq
    # Browser tests (playwright-core drives Debian's chromium; nothing is downloaded).
    chromium fonts-dejavu-core
    # Container images and manifests: podman with runc, a debootstrap-made base image, yamllint.
    podman runc containernetworking-plugins debootstrap yamllint shellcheck
    # libFuzzer and the sanitizer runtimes for clang 14.
    libclang-rt-14-dev
)
# The integration tests run on node (18 or later, for node:test). A node already installed
# (nvm, NodeSource, ...) is used as it is; Debian's nodejs (18) only fills the gap.
if ! command -v node >/dev/null; then
    packages+=(nodejs)
fi

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Debian starts the packaged redis-server and nginx as system services on install. The project
# runs its own instances on its own ports, so the system ones are stopped to leave the ports and
# the CPU free; they are not ours to keep running.
for unit in redis-server nginx; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$unit" 2>/dev/null; then
        "${sudo_cmd[@]}" systemctl stop "$unit" || true
    fi
done
