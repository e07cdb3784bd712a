#!/usr/bin/env bash
# Drift check for one environment, with the read-only plan role's AWS credentials.
#
# Usage: scripts/drift-check.sh ENV
#   1. plan -refresh-only: what changed outside Terraform (drift)
#   2. a full plan of the same code: what the next deploy would do, so the report can tell
#      code that is merged but not applied apart from drift
#   3. one `pipeline drift-check` call: drift report, issue body, verdict (drift | clean),
#      redacted plans, and which commit the environment runs and how far it is behind main
#      ("pending promotion", from catalog-api/ENV/deployment.json and git; not drift)
# Both plans run with -lock=false: a drift check never takes or touches the state lock.
# Writes ${REPORTS_DIR:-reports}/drift/ENV/: drift-report.md/.json, issue-body.md, verdict and
# the redacted plans.
# Exit: 0 when the check ran (drift or not), 1 when Terraform or the report failed, 2 usage.
# A failed plan never produces a verdict, so it can never be reported as "no drift".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/python-env.sh
source "$root/scripts/lib/python-env.sh"
# shellcheck source=lib/terraform.sh
source "$root/scripts/lib/terraform.sh"

if [ "$#" -ne 1 ]; then
  echo "usage: scripts/drift-check.sh ENV" >&2
  exit 2
fi
environment="$1"
out="${REPORTS_DIR:-$root/reports}/drift/$environment"
rm -rf "$out"
mkdir -p "$out"
# The raw plan JSON holds sensitive values in clear text: removed however the script ends.
trap 'rm -f "$out/drift.plan.json" "$out/full.plan.json"' EXIT

ensure_python_env "$root"
dir=$(synth_stack "$root" "$environment" "$out")
terraform_init "$dir"
terraform_says=$(terraform_plan "$dir" drift.tfplan -refresh-only)
terraform_show_json "$dir" drift.tfplan "$out/drift.plan.json"
terraform_plan "$dir" full.tfplan >/dev/null
terraform_show_json "$dir" full.tfplan "$out/full.plan.json"

run_pipeline drift-check --env "$environment" --drift-plan "$out/drift.plan.json" \
  --full-plan "$out/full.plan.json" --out "$out" || {
  echo "error: the drift report for $environment failed" >&2
  exit 1
}
verdict=$(cat "$out/verdict")
if [ "$terraform_says" = changes ] && [ "$verdict" = clean ]; then
  # e.g. only output values would change in the state; worth a look, not an issue.
  echo "::warning::$environment: the refresh-only plan would update the state, but no resource drifted"
fi
append_summary "$out/drift-report.md"
set_output drift "$([ "$verdict" = drift ] && echo true || echo false)"
