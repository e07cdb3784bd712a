#!/usr/bin/env bash
# One step of deploying one environment. deploy-environment.yml runs the steps in two jobs, each
# step as its own workflow step so the job summary can name the one that failed.
#
# Usage: scripts/deploy-environment.sh STEP ENV
# Plan job (no GitHub environment, read-only plan role):
#   describe      the environment's stack, region, role names and state bucket -> $GITHUB_OUTPUT
#   synth         synthesize the environment's stack
#   check-config  policies on the synthesized configuration
#   plan          terraform init + plan -lock=false -out=tfplan; summary and redacted plan
#   check-plan    policies on the plan (destructive changes to stateful resources block)
#   store-plan    upload tfplan to s3://$CATALOG_STATE_BUCKET/plans/ENV/COMMIT.tfplan (SSE-KMS);
#                 step outputs plan_sha256 and plan_key; the hash goes to the job summary
# Apply job (bound to the GitHub environment, apply role; checkout with full history):
#   describe, synth (as above)
#   fetch-plan    download the reviewed plan (PLAN_KEY, PLAN_SHA256 from the plan job);
#                 refuses a plan whose SHA-256 differs
#   check-order   refuses a commit older than, or diverged from, the recorded one
#                 (catalog-api/ENV/deployment.json); the same commit is an allowed re-run
#   record-start  BEFORE the apply: record the commit as in progress (checks the order again);
#                 from then on an older commit is refused even if the apply dies halfway
#   apply         terraform init + apply tfplan: exactly the reviewed plan, never a fresh one
#   record        AFTER the apply: complete the record (commit, plan hash, time, run URL)
#   outputs       terraform outputs, sensitive ones masked, to the job summary
#   report-failure  name the failed step in the job summary (reads STEP_OUTCOMES)
# The commit is GITHUB_SHA, else HEAD. Reports go to ${REPORTS_DIR:-reports}/deploy/ENV/.
# Exit: 0 ok, 1 step failed or refused, 2 usage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/python-env.sh
source "$root/scripts/lib/python-env.sh"
# shellcheck source=lib/terraform.sh
source "$root/scripts/lib/terraform.sh"

steps="describe|synth|check-config|plan|check-plan|store-plan|fetch-plan|check-order|record-start|apply|record|outputs|report-failure"
usage() {
  echo "usage: scripts/deploy-environment.sh $steps ENV" >&2
  exit 2
}
[ "$#" -eq 2 ] || usage
step="$1"
environment="$2"
case "|$steps|" in
  *"|$step|"*) ;;
  *) usage ;;
esac
reports="${REPORTS_DIR:-$root/reports}/deploy/$environment"
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
  run_policies_cli check "$input" --env "$environment" \
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

# write_outputs FILE: name=value lines to $GITHUB_OUTPUT (printed locally).
write_outputs() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    cat "$1" >>"$GITHUB_OUTPUT"
  else
    cat "$1"
  fi
}

# plan_sha256: the reviewed plan's hash from the plan job; planned and applied in one place (a
# laptop), the hash of the saved plan itself.
plan_sha256() {
  if [ -n "${PLAN_SHA256:-}" ]; then
    printf '%s\n' "$PLAN_SHA256"
    return
  fi
  local dir
  dir=$(stack_dir) || return
  sha256sum "$dir/tfplan" | cut -d' ' -f1
}

# report-failure must work however early the job failed, even before Python was set up.
if [ "$step" != report-failure ]; then
  ensure_python_env "$root"
fi
case "$step" in
  describe)
    run_pipeline describe "$environment" >"$reports/describe.txt"
    write_outputs "$reports/describe.txt"
    ;;
  synth)
    synth_stack "$root" "$environment" "$reports" >/dev/null
    ;;
  check-config)
    run_policies "$(stack_dir)/cdk.tf.json" config-policies
    ;;
  plan)
    dir=$(stack_dir)
    terraform_init "$dir"
    changes=$(terraform_plan "$dir" tfplan)
    terraform_show_json "$dir" tfplan "$reports/plan.json"
    # Plan-time findings for the summary rows only; check-plan is the step that gates on them.
    run_policies_cli check "$reports/plan.json" --env "$environment" \
      --format json --output "$reports/plan-time-findings.json" >/dev/null || true
    # The raw plan JSON holds sensitive values in clear text; only the redacted copy is uploaded.
    run_pipeline plan-report "$reports/plan.json" --title "Deploy plan for $environment" \
      --markdown "$reports/plan-summary.md" --json "$reports/plan-summary.json" \
      --redacted "$reports/plan.redacted.json" --promotion-env "$environment" \
      --findings "$reports/plan-time-findings.json"
    append_summary "$reports/plan-summary.md"
    set_output changes "$([ "$changes" = changes ] && echo true || echo false)"
    ;;
  check-plan)
    run_policies "$reports/plan.json" plan-policies
    ;;
  store-plan)
    dir=$(stack_dir)
    run_pipeline store-plan --env "$environment" --plan "$dir/tfplan" >"$reports/stored-plan.txt"
    write_outputs "$reports/stored-plan.txt"
    {
      echo "### Reviewed plan for $environment"
      echo
      echo "The apply job applies exactly this saved plan, after checking its SHA-256:"
      echo
      sed 's/^\([^=]*\)=\(.*\)$/- \1: `\2`/' "$reports/stored-plan.txt"
    } >"$reports/stored-plan.md"
    append_summary "$reports/stored-plan.md"
    ;;
  fetch-plan)
    if [ -z "${PLAN_SHA256:-}" ] || [ -z "${PLAN_KEY:-}" ]; then
      echo "error: fetch-plan needs PLAN_SHA256 and PLAN_KEY (the plan job's outputs)" >&2
      exit 2
    fi
    dir=$(stack_dir)
    run_pipeline fetch-plan --env "$environment" --key "$PLAN_KEY" --sha256 "$PLAN_SHA256" \
      --output "$dir/tfplan"
    ;;
  check-order)
    run_pipeline check-order --env "$environment"
    ;;
  apply)
    dir=$(stack_dir)
    terraform_init "$dir"
    # A saved plan applies exactly what was reviewed; Terraform refuses it if the state moved on
    # since the plan ("Saved plan is stale"), which is the safe outcome: nothing is applied.
    status=0
    terraform_apply_plan "$dir" tfplan "$reports/apply.log" || status=$?
    if [ "$status" -ne 0 ]; then
      if grep -q "Saved plan is stale" "$reports/apply.log"; then
        echo "error: the reviewed plan for $environment is stale: the state changed after it was planned (another apply ran in between). Nothing was applied and the state is untouched; run the deploy again to plan and review anew." >&2
      else
        echo "error: terraform apply failed for $environment (exit code $status, see $reports/apply.log)" >&2
      fi
      exit 1
    fi
    ;;
  record-start)
    sha=$(plan_sha256)
    run_pipeline start-deployment --env "$environment" --plan-sha256 "$sha"
    ;;
  record)
    sha=$(plan_sha256)
    run_pipeline complete-deployment --env "$environment" --plan-sha256 "$sha"
    ;;
  outputs)
    dir=$(stack_dir)
    # Piped, so sensitive output values never touch the disk; `outputs` masks them.
    terraform -chdir="$dir" output -json |
      run_pipeline outputs - --title "Outputs of $environment" >"$reports/outputs.md"
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
      echo "out or lost its runner during apply, the lock may remain: see"
      echo "*Recovering a stuck state lock* in docs/deploy.md."
      if [ "$failed" = apply ]; then
        echo
        echo "The deployment record names this commit as in progress: older commits are refused"
        echo "until an apply of it or a newer commit completes. Re-run this deploy to finish it"
        echo "(see *An apply that did not complete* in docs/deploy.md)."
      fi
    } >"$reports/failure.md"
    cat "$reports/failure.md" >&2
    append_summary "$reports/failure.md"
    ;;
esac
