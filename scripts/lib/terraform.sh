# shellcheck shell=bash
# Sourced by plan.sh, deploy-environment.sh and drift-check.sh: Terraform steps whose exit codes
# need care, and the one way these scripts start Python. Expects $root (the checkout) to be set
# and ensure_python_env (scripts/lib/python-env.sh) to have run.

# How long an apply waits for the S3 lock file (<key>.tflock) another apply holds. Plans never
# take the lock (-lock=false): the plan role cannot write it, and a cancelled plan must never
# leave a lock that blocks a deploy. A saved plan is still safe: Terraform refuses to apply it
# once the state has moved on ("Saved plan is stale").
TF_LOCK_TIMEOUT="${TF_LOCK_TIMEOUT:-5m}"

# run_pipeline ARGS...: `python -m pipeline ARGS` from the checkout's .venv, without pipenv's
# start-up cost. One call per decision: the commands return everything a step needs at once.
run_pipeline() {
  (cd "$root" && "$root/.venv/bin/python" -m pipeline "$@")
}

# run_policies_cli ARGS...: `python -m policies ARGS` likewise.
run_policies_cli() {
  (cd "$root" && "$root/.venv/bin/python" -m policies "$@")
}

# describe_environment ENV FIELD: one field (stack, region, plan_role, apply_role, state_bucket)
# of the environment, from infra/config.py through `pipeline describe`.
describe_environment() {
  local environment="$1" field="$2" value
  value=$(run_pipeline describe "$environment" --field "$field") || {
    echo "error: cannot describe environment '$environment' (field $field)" >&2
    return 2
  }
  printf '%s\n' "$value"
}

# synth_stack ROOT ENV REPORTS: synthesize one environment through the gate's synth step (the
# same as scripts/pre-validate-iac.sh; skipped while infra/, Pipfile.lock and the CATALOG_*
# settings are unchanged); prints the stack directory terraform runs in.
synth_stack() {
  local root="$1" environment="$2" reports="$3" stack dir status=0
  "$root/scripts/pre-validate-iac.sh" --only synth --env "$environment" \
    --reports-dir "$reports/gate" >&2 || status=$?
  if [ "$status" -ne 0 ]; then
    echo "error: synth failed for $environment (exit code $status)" >&2
    return "$([ "$status" -eq 2 ] && echo 2 || echo 1)"
  fi
  stack=$(describe_environment "$environment" stack) || return 2
  dir="${CDKTF_OUTDIR:-$root/cdktf.out}/stacks/$stack"
  if [ ! -f "$dir/cdk.tf.json" ]; then
    echo "error: synth wrote no $dir/cdk.tf.json" >&2
    return 1
  fi
  printf '%s\n' "$dir"
}

# terraform_init DIR. Test seam (tests only, never set in a workflow): PIPELINE_TF_OVERRIDES_DIR
# names a directory whose *_override.tf.json files are copied into DIR first, e.g. provider
# endpoints pointing at a local AWS emulator and a relaxed provider version.
terraform_init() {
  local dir="$1" override
  if [ -n "${PIPELINE_TF_OVERRIDES_DIR:-}" ]; then
    for override in "$PIPELINE_TF_OVERRIDES_DIR"/*_override.tf.json; do
      [ -f "$override" ] || continue
      cp "$override" "$dir/" || return 1
      echo "test seam: $(basename "$override") from PIPELINE_TF_OVERRIDES_DIR" >&2
    done
  fi
  # Terraform refuses a plugin cache directory that does not exist yet (first, uncached run).
  if [ -n "${TF_PLUGIN_CACHE_DIR:-}" ]; then
    mkdir -p "$TF_PLUGIN_CACHE_DIR"
  fi
  terraform -chdir="$dir" init -input=false >&2 || {
    echo "error: terraform init failed in $dir" >&2
    return 1
  }
}

# terraform_apply_plan DIR PLANFILE LOG: `terraform apply -input=false -lock-timeout=...
# PLANFILE` in DIR, output to stdout and LOG. Waits up to TF_LOCK_TIMEOUT for the state lock and
# retries, within that same time, only Terraform's lock-release race (a 412 on the .tflock, then
# NoSuchKey reading it: Terraform gives up although the lock just became free). Every other
# failure is returned as it is. See pipeline/lock_race.py.
terraform_apply_plan() {
  local dir="$1" planfile="$2" log="$3"
  (cd "$root" && "$root/.venv/bin/python" -m pipeline.lock_race --chdir "$dir" \
    --plan "$planfile" --lock-timeout "$TF_LOCK_TIMEOUT" --log "$log")
}

# terraform_plan DIR PLANFILE [EXTRA ARGS...]: prints `changes` or `no-changes`.
# Always -lock=false (see TF_LOCK_TIMEOUT above).
# -detailed-exitcode: 0 no changes, 2 changes, anything else an error. The status is caught
# with `|| status=$?` so `set -e` does not abort on 2, and an error is never read as
# "no changes": it returns 1 and prints nothing on stdout.
terraform_plan() {
  local dir="$1" planfile="$2" status=0
  shift 2
  terraform -chdir="$dir" plan -input=false -detailed-exitcode -lock=false \
    -out="$planfile" "$@" >&2 || status=$?
  case "$status" in
    0) echo "no-changes" ;;
    2) echo "changes" ;;
    *)
      echo "error: terraform plan failed (exit code $status) in $dir" >&2
      return 1
      ;;
  esac
}

# terraform_show_json DIR PLANFILE OUTPUT: the plan as JSON (holds sensitive values in clear).
terraform_show_json() {
  local dir="$1" planfile="$2" output="$3"
  terraform -chdir="$dir" show -json "$planfile" >"$output" || {
    echo "error: terraform show -json $planfile failed" >&2
    return 1
  }
}

# append_summary FILE: add a Markdown file to the GitHub job summary (no-op outside Actions).
append_summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    # A blank line keeps the next section from running into this one.
    { cat "$1"; echo; } >>"$GITHUB_STEP_SUMMARY"
  fi
}

# set_output NAME VALUE: a step output in Actions; printed locally.
set_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  else
    printf '%s=%s\n' "$1" "$2"
  fi
}
