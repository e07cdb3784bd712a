#!/usr/bin/env bash
# Keeps exactly one open drift issue per environment in step with the latest drift check.
#
# Usage: scripts/drift-issue.sh ENV REPORT_DIR
#   REPORT_DIR is what scripts/drift-check.sh wrote: `verdict` (drift | clean),
#   `issue-body.md`, whose first line is the hidden marker that identifies the issue, and
#   `drift-report.json`, whose `run_url` links the check's run in a closing comment.
#   drift, no open issue  -> create it, labelled `drift` and ENV
#   drift, open issue     -> replace its body with the new report (never a duplicate)
#   clean, open issue     -> close it with a comment
#   clean, no open issue  -> nothing
# Needs gh (GH_TOKEN with issues: write; GH_REPO outside a checkout) and jq.
# Exit: 0 done, 1 a gh call failed, 2 usage or unreadable report.
set -euo pipefail

fail_usage() {
  echo "error: $1" >&2
  exit 2
}
[ "$#" -eq 2 ] || fail_usage "usage: scripts/drift-issue.sh ENV REPORT_DIR"
environment="$1"
report_dir="$2"
body="$report_dir/issue-body.md"
[ -f "$report_dir/verdict" ] || fail_usage "$report_dir/verdict not found (run scripts/drift-check.sh first)"
[ -f "$body" ] || fail_usage "$body not found"
verdict=$(cat "$report_dir/verdict")
case "$verdict" in
  drift | clean) ;;
  *) fail_usage "$report_dir/verdict says '$verdict', expected drift or clean" ;;
esac
# The marker is written by `pipeline drift-check` (pipeline/issue.py); reading it back keeps its
# format in one place.
marker=$(head -n 1 "$body")
case "$marker" in
  "<!-- "*"-drift:$environment -->") ;;
  *) fail_usage "$body does not start with the drift marker for $environment" ;;
esac

# The run that checked, as `pipeline drift-check` recorded it (facts.project.run_url).
run_url=""
if [ -f "$report_dir/drift-report.json" ]; then
  run_url=$(jq -r '.run_url // empty' "$report_dir/drift-report.json") ||
    fail_usage "$report_dir/drift-report.json is not JSON"
fi

# Search by body, not title: titles get edited by people, the marker does not.
matches=$(gh issue list --state open --label drift --limit 200 --json number,body |
  jq -r --arg marker "$marker" '[.[] | select(.body | contains($marker)) | .number] | sort | .[]')
issue=$(printf '%s\n' "$matches" | sed -n 1p)
if [ "$(printf '%s\n' "$matches" | grep -c .)" -gt 1 ]; then
  echo "warning: several open drift issues for $environment; updating #$issue" >&2
fi

if [ "$verdict" = drift ]; then
  if [ -n "$issue" ]; then
    gh issue edit "$issue" --body-file "$body"
    echo "drift in $environment: updated issue #$issue" >&2
  else
    # --force: create the labels on first use, leave them be afterwards (it only updates them).
    gh label create drift --force --color B60205 \
      --description "Infrastructure changed outside Terraform"
    gh label create "$environment" --force --color 1D76DB --description "Environment $environment"
    gh issue create --title "Drift detected in $environment" \
      --label drift --label "$environment" --body-file "$body"
    echo "drift in $environment: opened an issue" >&2
  fi
elif [ -n "$issue" ]; then
  gh issue close "$issue" --comment "The drift check${run_url:+ ($run_url)} found no drift in $environment any more: every resource matches the Terraform state. Closing."
  echo "no drift in $environment: closed issue #$issue" >&2
else
  echo "no drift in $environment: nothing to do" >&2
fi
