#!/usr/bin/env bash
# Drift check for one environment, with the read-only plan role's AWS credentials.
#
# Usage: scripts/drift-check.sh ENV
#   1. plan -refresh-only: what changed outside Terraform (drift)
#   2. a full plan of the same code: what the next deploy would do, so the report can tell
#      code that is merged but not applied apart from drift
#   3. the drift report, the issue body and the verdict (drift | clean)
# Writes reports/drift/ENV/: drift-report.md/.json, issue-body.md, verdict and redacted plans.
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
out="$root/reports/drift/$environment"
rm -rf "$out"
mkdir -p "$out"
# The raw plan JSON holds sensitive values in clear text: removed however the script ends.
trap 'rm -f "$out/drift.plan.json" "$out/full.plan.json"' EXIT

run_url=""
if [ -n "${GITHUB_RUN_ID:-}" ]; then
  run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}"
fi

ensure_python_env "$root"
dir=$(synth_stack "$root" "$environment")
terraform_init "$dir"
terraform_says=$(terraform_plan "$dir" drift.tfplan -refresh-only)
terraform_show_json "$dir" drift.tfplan "$out/drift.plan.json"
terraform_plan "$dir" full.tfplan >/dev/null
terraform_show_json "$dir" full.tfplan "$out/full.plan.json"

cd "$root"
plans=("$out/drift.plan.json" --full-plan "$out/full.plan.json")
status=0
pipenv run pipeline drift-report "${plans[@]}" --title "Drift in $environment" \
  >"$out/drift-report.md" || status=$?
case "$status" in
  0) verdict=clean ;;
  3) verdict=drift ;;
  *)
    echo "error: drift-report failed (exit code $status)" >&2
    exit 1
    ;;
esac
status=0
pipenv run pipeline drift-report "${plans[@]}" --format json >"$out/drift-report.json" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
  echo "error: drift-report --format json failed (exit code $status)" >&2
  exit 1
fi
pipenv run pipeline issue-body --env "$environment" "${plans[@]}" \
  ${run_url:+--run-url "$run_url"} >"$out/issue-body.md"
pipenv run pipeline redact-plan "$out/drift.plan.json" --output "$out/drift.plan.redacted.json"
pipenv run pipeline redact-plan "$out/full.plan.json" --output "$out/full.plan.redacted.json"

if [ "$terraform_says" = changes ] && [ "$verdict" = clean ]; then
  # e.g. only output values would change in the state; worth a look, not an issue.
  echo "::warning::$environment: the refresh-only plan would update the state, but no resource drifted"
fi
printf '%s\n' "$verdict" >"$out/verdict"
append_summary "$out/drift-report.md"
set_output drift "$([ "$verdict" = drift ] && echo true || echo false)"
echo "$environment: $verdict" >&2
