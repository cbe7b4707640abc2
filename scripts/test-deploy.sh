#!/usr/bin/env bash
# The deployment checks (make test-deploy, and CI): all offline, no cluster and no container.
#
#   1. yamllint on compose.yaml and deploy/ (settings in deploy/yamllint.yaml)
#   2. shellcheck on the container and deployment scripts
#   3. the checker's own tests: each broken fixture in deploy/check/fixtures/ must be caught
#   4. compose.yaml against Containerfile, and every image tag is the project's version
#   5. each overlay in deploy/k8s/overlays/ rendered with `kubectl kustomize`, together with the
#      Secrets deploy/secrets.sh would create, and checked: every object against the Kubernetes
#      API schemas (kubernetes-models, unknown fields rejected), then the cross-object rules of
#      deploy/check/rules.mjs; prod must run at least two replicas of everything.
#      Without kubectl this step is skipped, and said so; every other step still runs.
#
# Every step runs even when an earlier one fails; the exit status is non-zero if any failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'test-deploy: %s\n' "$*" >&2; }
passed=0
failed=0
failures=()
run_step() {
    local name=$1
    shift
    log "$name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$name")
        log "FAILED: $name"
    fi
}

work=$(mktemp -d /tmp/bank-test-deploy.XXXXXX)
trap 'rm -rf "$work"' EXIT

for tool in yamllint node npm; do
    command -v "$tool" >/dev/null || { log "error: $tool is missing (scripts/install-deps.sh)"; exit 1; }
done

# The checker's packages (kubernetes-models and yaml, pinned in package-lock.json), installed
# again only when the lock file changed.
checker=deploy/check
if [[ ! -f $checker/node_modules/.package-lock.json ||
    $checker/package-lock.json -nt $checker/node_modules/.package-lock.json ]]; then
    log "installing the checker's packages (npm ci in $checker)"
    (cd "$checker" && npm ci --no-audit --no-fund --loglevel=error)
fi

run_step "yamllint" yamllint --strict -c deploy/yamllint.yaml compose.yaml deploy/

shell_scripts=(deploy/*.sh deploy/container/*.sh scripts/test-deploy.sh scripts/test-containers.sh)
if command -v shellcheck >/dev/null; then
    run_step "shellcheck" shellcheck -x -P SCRIPTDIR "${shell_scripts[@]}"
else
    log "shellcheck is not installed: SKIPPED the shellcheck step"
fi

run_step "the checker catches every broken fixture" node --test "$checker/test/"

run_step "compose.yaml" node "$checker/check.mjs" --compose compose.yaml Containerfile

# Every image reference is pinned to the project's version (CMakeLists.txt), the tag
# deploy/build-images.sh gives the images: a version bump must move them all.
tags_match_version() {
    local version stale
    version=$(sed -n 's/^project(bank VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)
    stale=$(grep -n -E '^ *(newTag:|image: bank-)' compose.yaml deploy/k8s/*/kustomization.yaml \
        deploy/k8s/overlays/*/kustomization.yaml | grep -v -E "(newTag: |:)$version\$" || true)
    if [[ -n "$stale" ]]; then
        log "image tags other than the project's version $version:"
        printf '%s\n' "$stale" >&2
        return 1
    fi
}
run_step "image tags are the project's version" tags_match_version

check_overlay() {
    local overlay=$1 min_replicas=$2 namespace rendered
    namespace=$(sed -n 's/^namespace: *//p' "deploy/k8s/overlays/$overlay/kustomization.yaml")
    [[ -n "$namespace" ]] || { log "overlay $overlay sets no namespace"; return 1; }
    rendered=$work/$overlay.yaml
    kubectl kustomize "deploy/k8s/overlays/$overlay" >"$rendered" || return 1
    {
        echo ---
        deploy/secrets.sh kubernetes "$namespace" --dry-run 2>/dev/null
    } >>"$rendered" || return 1
    node "$checker/check.mjs" --min-replicas "$min_replicas" "$rendered"
}

if command -v kubectl >/dev/null; then
    run_step "overlay dev" check_overlay dev 1
    run_step "overlay prod" check_overlay prod 2
else
    log "kubectl is not installed: SKIPPED rendering and checking the overlays (dev, prod);"
    log "install kubectl to run that step (every other step ran)"
fi

if ((failed > 0)); then
    log "failed steps: ${failures[*]}"
fi
echo "test-deploy: $passed passed, $failed failed"
((failed == 0))
