#!/usr/bin/env bash
# Benchmark of the PR gate on this machine; prints figures, asserts nothing.
#   cold: synth and checkov without caches (--no-cache); environments already installed
#   warm: a second run with nothing changed (synth skipped, checkov scan reused)
# Both use --fast (no pytest), as the targets do: cold < 90 s, warm < 15 s.
# Extra arguments go to both runs, e.g. scripts/bench-gate.sh --env dev
# Uses a scratch cache, stacks and reports directory, so the developer's caches stay as they are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench-gate.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export GATE_CACHE_DIR="$scratch/cache" CDKTF_OUTDIR="$scratch/cdktf.out"

# Setup (pipenv sync, .venv-checkov) is not what is measured: do it first.
"$root/scripts/pre-validate-iac.sh" --only checkov --stacks-dir "$root/tests/gate/fixtures/checkov-scan" \
  --reports-dir "$scratch/setup" >/dev/null 2>&1 || true

run() {
  local label="$1" started ended status=0
  shift
  started=$EPOCHREALTIME
  "$root/scripts/pre-validate-iac.sh" --fast --reports-dir "$scratch/reports-$label" "$@" \
    >"$scratch/$label.log" 2>&1 || status=$?
  ended=$EPOCHREALTIME
  awk -v label="$label" -v s="$started" -v e="$ended" -v rc="$status" \
    'BEGIN { printf "%-5s %6.1f s  (exit %d)\n", label, e - s, rc }'
  sed -n '/^step /,/^gate /p' "$scratch/$label.log" | sed 's/^/      /'
}

echo "gate benchmark on $(nproc) CPU(s), $(uname -m); targets: cold < 90 s, warm < 15 s"
run cold --no-cache "$@"
run warm "$@"
