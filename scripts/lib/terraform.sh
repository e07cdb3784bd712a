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

# How Terraform is started: plain here; scripts/plan.sh replaces it for PR plans with
# pr_terraform_command (a minimal environment, see below).
TERRAFORM_CMD=(terraform)
# Extra `terraform init` arguments (PR plans: -plugin-dir and -lockfile=readonly).
TERRAFORM_INIT_ARGS=()

# The only variables Terraform sees in a PR plan: the plan role's session, the region, and
# what Terraform itself needs to run. Never ACTIONS_ID_TOKEN_REQUEST_* or other GITHUB_*/ACTIONS_*
# tokens, AWS_PROFILE or TF_* settings a caller might have; AWS_CONFIG_FILE and
# AWS_SHARED_CREDENTIALS_FILE point at empty files and HOME at an empty directory
# (docs/trust-model.md). AWS_ENDPOINT_URL is set by nothing in CI; tests point it at moto.
PR_TERRAFORM_ENV_ALLOW=(
  PATH LANG LC_ALL TMPDIR SSL_CERT_FILE SSL_CERT_DIR HTTPS_PROXY HTTP_PROXY NO_PROXY no_proxy
  AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION
  AWS_ENDPOINT_URL AWS_EC2_METADATA_DISABLED
  TF_IN_AUTOMATION TF_INPUT TF_CLI_ARGS CHECKPOINT_DISABLE
)

# pr_terraform_command SANDBOX: set TERRAFORM_CMD to run Terraform with only the allowlisted
# variables, HOME=SANDBOX/home (empty), empty AWS config files and an empty CLI configuration.
pr_terraform_command() {
  local sandbox="$1" name
  mkdir -p "$sandbox/home"
  : >"$sandbox/aws-config"
  : >"$sandbox/aws-credentials"
  : >"$sandbox/terraform.rc"
  TERRAFORM_CMD=(env -i)
  for name in "${PR_TERRAFORM_ENV_ALLOW[@]}"; do
    if [ -n "${!name+set}" ]; then
      TERRAFORM_CMD+=("$name=${!name}")
    fi
  done
  TERRAFORM_CMD+=(
    "HOME=$sandbox/home"
    "AWS_CONFIG_FILE=$sandbox/aws-config"
    "AWS_SHARED_CREDENTIALS_FILE=$sandbox/aws-credentials"
    "TF_CLI_CONFIG_FILE=$sandbox/terraform.rc"
    terraform
  )
}

# pr_provider_plugins ROOT SANDBOX LOCKFILE: the vetted provider set for a PR plan. A
# configuration this branch writes (required_providers only, no PR input) is initialised in
# SANDBOX/providers against LOCKFILE (-lockfile=readonly: the hashes must match); its installed
# providers become the only plugin directory of the PR plan's init (-plugin-dir), so nothing
# else can be installed, whatever the state names.
pr_provider_plugins() {
  local root="$1" sandbox="$2" lockfile="$3" trusted="$2/providers"
  [ -f "$lockfile" ] || {
    echo "error: no dependency lock file at $lockfile; PR plans need the committed one" >&2
    return 2
  }
  mkdir -p "$trusted"
  run_pipeline root-blocks --providers-only >"$trusted/providers.tf.json" || return 2
  # Test seam (see terraform_init): a relaxed provider version for machines without the pin.
  if [ -n "${PIPELINE_TF_OVERRIDES_DIR:-}" ] &&
    [ -f "$PIPELINE_TF_OVERRIDES_DIR/provider_version_override.tf.json" ]; then
    cp "$PIPELINE_TF_OVERRIDES_DIR/provider_version_override.tf.json" "$trusted/"
  fi
  cp "$lockfile" "$trusted/.terraform.lock.hcl"
  if [ -n "${TF_PLUGIN_CACHE_DIR:-}" ]; then
    mkdir -p "$TF_PLUGIN_CACHE_DIR"
  fi
  terraform -chdir="$trusted" init -input=false -backend=false -lockfile=readonly >&2 || {
    echo "error: could not install the vetted provider set (lock file $lockfile)" >&2
    return 1
  }
  TERRAFORM_INIT_ARGS=(-plugin-dir="$trusted/.terraform/providers" -lockfile=readonly)
  PR_LOCKFILE="$lockfile"
}

# terraform_init DIR. Test seam (tests only, never set in a workflow): PIPELINE_TF_OVERRIDES_DIR
# names a directory whose *_override.tf.json files are copied into DIR first, e.g. provider
# endpoints pointing at a local AWS emulator and a relaxed provider version; those in its
# subdirectory named like DIR (the stack, e.g. catalog-api-dev/) too, for one stack only.
terraform_init() {
  local dir="$1" override
  if [ -n "${PIPELINE_TF_OVERRIDES_DIR:-}" ]; then
    for override in "$PIPELINE_TF_OVERRIDES_DIR"/*_override.tf.json \
      "$PIPELINE_TF_OVERRIDES_DIR/$(basename "$dir")"/*_override.tf.json; do
      [ -f "$override" ] || continue
      cp "$override" "$dir/" || return 1
      echo "test seam: $(basename "$override") from PIPELINE_TF_OVERRIDES_DIR" >&2
    done
  fi
  if [ -n "${PR_LOCKFILE:-}" ]; then
    cp "$PR_LOCKFILE" "$dir/.terraform.lock.hcl" || return 1
  fi
  # Terraform refuses a plugin cache directory that does not exist yet (first, uncached run).
  if [ -n "${TF_PLUGIN_CACHE_DIR:-}" ]; then
    mkdir -p "$TF_PLUGIN_CACHE_DIR"
  fi
  "${TERRAFORM_CMD[@]}" -chdir="$dir" init -input=false "${TERRAFORM_INIT_ARGS[@]}" >&2 || {
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
  "${TERRAFORM_CMD[@]}" -chdir="$dir" plan -input=false -detailed-exitcode -lock=false \
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
  "${TERRAFORM_CMD[@]}" -chdir="$dir" show -json "$planfile" >"$output" || {
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
