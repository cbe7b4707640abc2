#!/usr/bin/env bash
# Runs libFuzzer targets from a fuzz build for a set time each, one after the other.
#
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]     (default: every target with a corpus)
#
# Each target starts from a copy of its seed corpus (fuzz/corpus/<target>/) in a temporary
# directory, plus its past crashes (fuzz/regressions/<target>/), so the committed corpus only
# changes when someone adds a seed on purpose. A crash, a leak, a timeout (10 s for one input)
# or running out of memory fails the run: the input is kept under BUILD_DIR/fuzz/artifacts/
# <target>/ and the log under BUILD_DIR/fuzz/logs/. Exit status 1 if any target failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $# -lt 2 ]]; then
    echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
    exit 2
fi
build_dir=$1
seconds=$2
shift 2
if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=()
    for corpus in fuzz/corpus/*/; do
        targets+=("$(basename "$corpus")")
    done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bank-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$build_dir/fuzz/logs"

status=0
for target in "${targets[@]}"; do
    binary="$build_dir/fuzz/bank_fuzz_$target"
    log="$build_dir/fuzz/logs/$target.log"
    artifacts="$build_dir/fuzz/artifacts/$target"
    if [[ ! -x $binary ]]; then
        echo "fuzz: $target: $binary is missing (build the fuzz preset)" >&2
        status=1
        continue
    fi
    mkdir -p "$work/$target" "$artifacts"
    cp -R "fuzz/corpus/$target/." "$work/$target/"
    corpora=("$work/$target")
    if [[ -d fuzz/regressions/$target ]]; then
        corpora+=("fuzz/regressions/$target")
    fi
    options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
    if [[ -f fuzz/dicts/$target.dict ]]; then
        options+=(-dict="fuzz/dicts/$target.dict")
    fi
    seeds=$(find "$work/$target" -type f | wc -l)
    if "$binary" "${options[@]}" "${corpora[@]}" >"$log" 2>&1; then
        # "#123456 DONE cov: 1076 ft: 2855 corp: 705/39Kb lim: 1070 exec/s: 57584 rss: 492Mb"
        done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
        echo "fuzz: $target: ok in ${seconds}s from $seeds seeds: ${done_line:-no DONE line}"
    else
        status=1
        echo "fuzz: $target: FAILED (log: $log)" >&2
        grep -E 'ERROR|SUMMARY|invariant violated|runtime error|Test unit written' "$log" |
            head -n 20 >&2 || true
        echo "fuzz: $target: reproduce with $binary <input>; once fixed, add the input to" \
            "fuzz/regressions/$target/" >&2
    fi
done
exit $status
