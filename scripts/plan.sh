#!/usr/bin/env bash
# Plan one environment against its real state, as the PR workflow does, and render the sticky
# PR comment. Needs AWS credentials for the environment's read-only plan role and terraform.
#
#   scripts/plan.sh --env dev [--stacks-dir DIR]
#
# --stacks-dir DIR: plan DIR/stacks/<stack>/cdk.tf.json (the PR's artifact, from `pipeline
# pr-stack`) instead of synthesizing: checked against the PR-plan boundary again, terraform and
# provider blocks rebuilt by this branch, the provider only from the lock file's vetted set
# (PIPELINE_TF_LOCK_FILE, default infra/.terraform.lock.hcl) and Terraform run with a minimal
# environment (docs/trust-model.md). Always -lock=false: a PR plan never
# takes or touches the state lock. Writes ${REPORTS_DIR:-reports}/plan/<env>/: plan.json (raw:
# may hold sensitive values, never upload it), plan.redacted.json, summary.md,
# policies.{md,sarif,json}, plan.log, comment.md.
# Exit codes: 0 plan ready, 1 plan failed or blocking policy findings, 2 usage error.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
env_name="" stacks_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --env) [ $# -ge 2 ] || { echo "error: --env needs a value (see --help)" >&2; exit 2; }
      env_name="$2"; shift 2 ;;
    --env=*) env_name="${1#--env=}"; shift ;;
    --stacks-dir) [ $# -ge 2 ] || { echo "error: --stacks-dir needs a value (see --help)" >&2; exit 2; }
      stacks_dir="$2"; shift 2 ;;
    --stacks-dir=*) stacks_dir="${1#--stacks-dir=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$env_name" ] || { echo "error: --env NAME is required (see --help)" >&2; exit 2; }
command -v terraform >/dev/null || { echo "error: terraform is not installed" >&2; exit 2; }

# shellcheck source=lib/python-env.sh
source "$root/scripts/lib/python-env.sh"
# shellcheck source=lib/terraform.sh
source "$root/scripts/lib/terraform.sh"
ensure_python_env "$root" || exit 2
cd "$root"
python=("$root/.venv/bin/python")

out="${REPORTS_DIR:-$root/reports}/plan/$env_name"
mkdir -p "$out"
if [ -n "$stacks_dir" ]; then
  [ -d "$stacks_dir" ] || { echo "error: --stacks-dir $stacks_dir is not a directory" >&2; exit 2; }
  stack=$(describe_environment "$env_name" stack) || exit 2
  stack_dir="$(cd "$stacks_dir" && pwd)/stacks/$stack"
  [ -f "$stack_dir/cdk.tf.json" ] ||
    { echo "error: $stacks_dir has no stacks/$stack/cdk.tf.json" >&2; exit 2; }
  run_pipeline pr-recheck --env "$env_name" "$stack_dir/cdk.tf.json" || exit 2
  sandbox=$(mktemp -d)
  trap 'rm -rf "$sandbox"' EXIT
  pr_provider_plugins "$root" "$sandbox" "${PIPELINE_TF_LOCK_FILE:-$root/infra/.terraform.lock.hcl}" ||
    exit $?
  pr_terraform_command "$sandbox"
else
  # Synthesize this environment only (cached when infra/ is unchanged); validates --env too.
  "$root/scripts/pre-validate-iac.sh" --only synth --env "$env_name" \
    --reports-dir "$out/gate" || exit $?
  stack=$(describe_environment "$env_name" stack) || exit 2
  # Where the gate synthesized (it honours CDKTF_OUTDIR too).
  stack_dir="${CDKTF_OUTDIR:-$root/cdktf.out}/stacks/$stack"
fi
# The log is quoted in the PR comment, where colour codes would be noise.
export TF_IN_AUTOMATION=1 TF_INPUT=0 TF_CLI_ARGS="-no-color"

echo "==> terraform init + plan ($stack)"
# -lock=false (terraform_plan): PR code never takes, holds or deletes the state lock. A state an
# apply is halfway through is at worst read as it was; the apply has its own saved plan.
set +e
{
  terraform_init "$stack_dir" && terraform_plan "$stack_dir" tfplan >/dev/null
} 2>"$out/plan.log"
plan_exit=$?
set -e
tail -n 40 "$out/plan.log"

policies_exit_arg=()
if [ "$plan_exit" -eq 0 ]; then
  terraform_show_json "$stack_dir" tfplan "$out/plan.json"
  echo "==> policies on the plan"
  set +e
  "${python[@]}" -m policies check "$out/plan.json" --env "$env_name" \
    --synth "$stack_dir/cdk.tf.json" \
    --format markdown --output "$out/policies.md" \
    --format sarif --output "$out/policies.sarif" \
    --format json --output "$out/policies.json" \
    --format text
  policies_exit=$?
  set -e
  policies_exit_arg=(--policies-exit "$policies_exit")
  # After the policies: plan-time findings (PLAN...) go beside the replacement they concern.
  # --promotion-env: the comment also says which commit the environment runs (deployment record).
  run_pipeline plan-report "$out/plan.json" --title "Terraform plan: $env_name" \
    --markdown "$out/summary.md" --redacted "$out/plan.redacted.json" --promotion-env "$env_name" \
    --findings "$out/policies.json"
fi

"${python[@]}" -m pipeline plan-comment --env "$env_name" --stack "$stack" \
  --summary "$out/summary.md" --findings "$out/policies.md" --plan-log "$out/plan.log" \
  --plan-exit "$plan_exit" "${policies_exit_arg[@]}" --output "$out/comment.md"

if [ "$plan_exit" -ne 0 ]; then
  echo "error: terraform plan failed for $env_name (see $out/plan.log)" >&2
  exit 1
fi
if [ "${policies_exit:-0}" -ne 0 ]; then
  echo "error: the policy check on the $env_name plan failed (exit $policies_exit)" >&2
  exit 1
fi
