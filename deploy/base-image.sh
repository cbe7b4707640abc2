#!/usr/bin/env bash
# Makes the base image every stage of the Containerfile starts from, debian:bookworm-slim, out of
# Debian's own packages: there is no container registry to pull it from. debootstrap builds a
# minimal bookworm root file system, which is trimmed like Debian's slim images (no manuals,
# documentation or translations) and imported into podman under that tag. An image that already
# exists under the tag is reused as it is, so this costs nothing after the first run.
#
#   deploy/base-image.sh [TAG]      (default debian:bookworm-slim; needs root, podman, debootstrap)
#
# BANK_DEBIAN_MIRROR chooses the mirror (default http://deb.debian.org/debian).
set -euo pipefail

tag=${1:-debian:bookworm-slim}
mirror=${BANK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
log() { printf 'base-image: %s\n' "$*" >&2; }

if podman image exists "$tag"; then
    log "reusing $tag"
    exit 0
fi
[[ $(id -u) -eq 0 ]] || { log "error: debootstrap needs root"; exit 1; }
command -v debootstrap >/dev/null || { log "error: debootstrap is missing (scripts/install-deps.sh)"; exit 1; }

root=$(mktemp -d /tmp/bank-base-image.XXXXXX)
cleanup() { rm -rf "$root"; }
trap cleanup EXIT

log "building $tag with debootstrap --variant=minbase bookworm from $mirror"
started=$SECONDS
if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1; then
    tail -n 30 "$root.log" >&2
    rm -f "$root.log"
    log "error: debootstrap failed"
    exit 1
fi
rm -f "$root.log"

# The same trimming as Debian's official slim images: dpkg leaves out manuals, documentation and
# translations from every package installed later too, and apt keeps no package lists or archives
# in layers. Security updates are part of the sources so images built on it get them.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Install-Recommends "false";
EOF
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/cache/apt/* \
    "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/log/apt/*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

tar --numeric-owner --xattrs -C "$root" -c . |
    podman import --quiet --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
log "imported $tag in $((SECONDS - started))s ($(podman image inspect --format '{{.Size}}' "$tag") bytes)"
