#!/usr/bin/env bash
# The PR gate: synth, policies, checkov, pytest, terraform, tflint -> one verdict.
# The same on a laptop and in CI (.github/workflows/pr.yml calls it). See --help and docs/gate.md.
# This wrapper only makes the Python environment exist (fresh clones included); the steps live
# in gate/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/python-env.sh
source "$root/scripts/lib/python-env.sh"
ensure_python_env "$root" || exit 2
cd "$root"
exec "$root/.venv/bin/python" -m gate "$@"
