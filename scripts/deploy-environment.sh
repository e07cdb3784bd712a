#!/usr/bin/env bash
# One step of deploying one environment; deploy-environment.yml runs the steps in this order,
# each as its own workflow step so the job summary can name the one that failed.
#
# Usage: scripts/deploy-environment.sh STEP ENV
#   describe      write the environment's stack, region and role names to $GITHUB_OUTPUT
#   synth         synthesize the environment's stack
#   check-config  policies on the synthesized configuration
#   plan          terraform init + plan -out=tfplan + show -json, plan summary (needs AWS)
#   check-plan    policies on the plan (destructive changes to stateful resources block)
#   apply         terraform apply tfplan: exactly the reviewed plan, never a fresh one
#   outputs       terraform outputs, sensitive ones masked, to the job summary
#   report-failure  name the failed step in the job summary (reads STEP_OUTCOMES)
# Reports go to reports/deploy/ENV/. Exit: 0 ok, 1 step failed, 2 usage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/python-env.sh
source "$root/scripts/lib/python-env.sh"
# shellcheck source=lib/terraform.sh
source "$root/scripts/lib/terraform.sh"

usage() {
  echo "usage: scripts/deploy-environment.sh describe|synth|check-config|plan|check-plan|apply|outputs|report-failure ENV" >&2
  exit 2
}
[ "$#" -eq 2 ] || usage
step="$1"
environment="$2"
reports="$root/reports/deploy/$environment"
mkdir -p "$reports"
cd "$root"

stack_dir() {
  local stack
  # `|| return`: errexit is off inside the $(stack_dir) that calls this.
  stack=$(describe_environment "$environment" stack) || return
  printf '%s\n' "${CDKTF_OUTDIR:-$root/cdktf.out}/stacks/$stack"
}

# run_policies INPUT NAME: the policy pack on INPUT; reports NAME.md/.json, summary, exit status.
run_policies() {
  local input="$1" name="$2" status=0
  pipenv run policies check "$input" --env "$environment" \
    --format markdown --output "$reports/$name.md" \
    --format json --output "$reports/$name.json" || status=$?
  [ -f "$reports/$name.md" ] && append_summary "$reports/$name.md"
  case "$status" in
    0) ;;
    1) echo "error: policies found blocking problems in $input (see $reports/$name.md)" >&2 ;;
    *) echo "error: policies could not check $input (exit code $status)" >&2 ;;
  esac
  return "$status"
}

# report-failure must work however early the job failed, even before Python was set up.
if [ "$step" != report-failure ]; then
  ensure_python_env "$root"
fi
case "$step" in
  describe)
    for field in stack region plan_role apply_role; do
      # Assigned first: a failure inside an argument's $(...) would not stop the script.
      value=$(describe_environment "$environment" "$field")
      set_output "$field" "$value"
    done
    ;;
  synth)
    synth_stack "$root" "$environment" >/dev/null
    ;;
  check-config)
    run_policies "$(stack_dir)/cdk.tf.json" config-policies
    ;;
  plan)
    dir=$(stack_dir)
    terraform_init "$dir"
    changes=$(terraform_plan "$dir" tfplan)
    terraform_show_json "$dir" tfplan "$reports/plan.json"
    pipenv run pipeline plan-summary "$reports/plan.json" \
      --title "Deploy plan for $environment" >"$reports/plan-summary.md"
    pipenv run pipeline plan-summary "$reports/plan.json" --format json >"$reports/plan-summary.json"
    # The raw plan JSON holds sensitive values in clear text; only this copy is uploaded.
    pipenv run pipeline redact-plan "$reports/plan.json" --output "$reports/plan.redacted.json"
    append_summary "$reports/plan-summary.md"
    set_output changes "$([ "$changes" = changes ] && echo true || echo false)"
    ;;
  check-plan)
    run_policies "$reports/plan.json" plan-policies
    ;;
  apply)
    dir=$(stack_dir)
    # A saved plan applies exactly what was reviewed; Terraform refuses it if the state moved on
    # since the plan ("Saved plan is stale"), which is the safe outcome.
    terraform -chdir="$dir" apply -input=false -lock-timeout="$TF_LOCK_TIMEOUT" tfplan
    ;;
  outputs)
    dir=$(stack_dir)
    # Piped, so sensitive output values never touch the disk; `outputs` masks them.
    terraform -chdir="$dir" output -json |
      pipenv run pipeline outputs - --title "Outputs of $environment" >"$reports/outputs.md"
    append_summary "$reports/outputs.md"
    ;;
  report-failure)
    # STEP_OUTCOMES: "name=outcome" pairs separated by spaces, in step order.
    # A timeout cancels the job: the step it stopped in reads "cancelled", not "failure".
    failed="" how=""
    for pair in ${STEP_OUTCOMES:-}; do
      case "${pair#*=}" in
        failure | cancelled)
          failed="${pair%%=*}"
          [ "${pair#*=}" = cancelled ] && how=" (cancelled or timed out)"
          break
          ;;
      esac
    done
    {
      echo "### Deploy of $environment failed at step: ${failed:-unknown}$how"
      echo
      echo "Later steps did not run, and later environments will not deploy."
      echo "A failed plan or apply releases the state lock itself. If the job was cancelled, timed"
      echo "out or lost its runner during plan or apply, the lock may remain: see"
      echo "*Recovering a stuck state lock* in README.md."
    } >"$reports/failure.md"
    cat "$reports/failure.md" >&2
    append_summary "$reports/failure.md"
    ;;
  *) usage ;;
esac
