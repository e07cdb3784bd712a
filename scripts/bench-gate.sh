#!/usr/bin/env bash
# Benchmark of the PR gate and the suite on this machine; prints figures, asserts nothing.
#
# Usage: scripts/bench-gate.sh [FIGURE...]   (default: all of them, in this order)
#   cold       a fresh clone (git clone of HEAD: no .venv, .venv-checkov, node_modules or
#              caches), then the PR's verdict: pre-validate-iac.sh --skip terraform-tier,rehearsal.
#              Environment set-up included; pip's and npm's download caches are the machine's.
#   warm       the same verdict again in that clone, nothing changed
#   tiers      each heavy tier on its own in that clone: --only terraform-tier, --only rehearsal
#   suite      the whole suite in that clone: scripts/run-tests.sh (xdist as it defaults)
# The clone lives in a scratch directory, removed at the end; the checkout is never touched.
# Commit first: the clone is of HEAD, not of uncommitted changes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
figures=("$@")
[ "${#figures[@]}" -eq 0 ] && figures=(cold warm tiers suite)
for figure in "${figures[@]}"; do
  case "$figure" in
    cold | warm | tiers | suite) ;;
    *)
      echo "error: unknown figure '$figure' (cold, warm, tiers, suite)" >&2
      exit 2
      ;;
  esac
done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench-gate.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
clone="$scratch/clone"
git clone --quiet --no-hardlinks "$root" "$clone"
# The clone's own caches and outputs, whatever the caller's environment says.
unset GATE_CACHE_DIR CDKTF_OUTDIR GATE_CHECKOV_VENV PYTHONPYCACHEPREFIX
export PYTHONPYCACHEPREFIX="$scratch/pycache"

# measure LABEL COMMAND...: runs COMMAND in the clone, prints its wall time and exit code and
# the lines of its output that carry figures (the gate's table and tier line, pytest's total).
measure() {
  local label="$1" started ended status=0
  shift
  started=$EPOCHREALTIME
  (cd "$clone" && "$@") >"$scratch/$label.log" 2>&1 || status=$?
  ended=$EPOCHREALTIME
  awk -v label="$label" -v s="$started" -v e="$ended" -v rc="$status" \
    'BEGIN { printf "%-16s %7.1f s  (exit %d)\n", label, e - s, rc }'
  grep -E '^ *(synth|policies|checkov|pytest|terraform|tflint|terraform-tier|rehearsal) |^tiers: |^gate |passed|failed|error' \
    "$scratch/$label.log" | grep -v '^b' | tail -12 | sed 's/^/    /' || true
}

echo "benchmark on $(nproc) CPU(s), $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "clone of $(git -C "$root" rev-parse --short HEAD) in $clone"
verdict=(scripts/pre-validate-iac.sh --skip "terraform-tier,rehearsal")
for figure in "${figures[@]}"; do
  case "$figure" in
    cold) measure cold-verdict "${verdict[@]}" ;;
    warm)
      # A warm run needs the set-up a cold run leaves behind.
      [ -d "$clone/.venv" ] || measure setup-verdict "${verdict[@]}" >/dev/null
      measure warm-verdict "${verdict[@]}"
      ;;
    tiers)
      measure terraform-tier scripts/pre-validate-iac.sh --only terraform-tier
      measure rehearsal scripts/pre-validate-iac.sh --only rehearsal
      ;;
    suite) measure whole-suite scripts/run-tests.sh -q ;;
  esac
done
