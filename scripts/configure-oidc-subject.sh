#!/usr/bin/env bash
# One-time setup: make GitHub's OIDC tokens for this repository name it by its numeric ids and
# carry the workflow file in `sub`, so the AWS trust policies pin each role to one workflow on
# main of this repository, not of whoever registers its name after a rename
# (infra/components/iam_statements/github_trust.py: SUBJECT_CLAIM_KEYS; docs/trust-model.md).
#
#   scripts/configure-oidc-subject.sh [--check] OWNER/REPO
#
# Needs `gh` logged in as a repository administrator. --check only reads the current template
# and exits 1 when it differs. Exit codes: 0 ok, 1 template differs/API failed, 2 usage.
set -euo pipefail

# Must equal SUBJECT_CLAIM_KEYS (a test compares them).
CLAIM_KEYS='["repository_owner_id","repository_id","context","job_workflow_ref"]'

print_ids() {
  echo "    the bootstrap must trust these ids (docs/bootstrap.md):"
  echo "    export CATALOG_GITHUB_REPOSITORY_ID=$repository_id CATALOG_GITHUB_REPOSITORY_OWNER_ID=$owner_id"
}

usage() {
  echo "usage: scripts/configure-oidc-subject.sh [--check] OWNER/REPO" >&2
  exit 2
}

check_only=false
if [[ "${1:-}" == "--check" ]]; then
  check_only=true
  shift
fi
[[ $# -eq 1 ]] || usage
repository=$1
if ! [[ "$repository" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "error: expected OWNER/REPO, got '$repository'" >&2
  exit 2
fi
if ! command -v gh >/dev/null 2>&1; then
  echo "error: gh (GitHub CLI) is not installed" >&2
  exit 2
fi

endpoint="repos/$repository/actions/oidc/customization/sub"
# The ids the bootstrap's trust policies must name (CATALOG_GITHUB_REPOSITORY_*ID).
ids=$(gh api "repos/$repository" --jq '"\(.id) \(.owner.id)"')
read -r repository_id owner_id <<<"$ids"
if ! [[ "$repository_id" =~ ^[0-9]+$ && "$owner_id" =~ ^[0-9]+$ ]]; then
  echo "error: could not read the numeric ids of $repository" >&2
  exit 1
fi
current=$(gh api "$endpoint" --jq '{use_default: .use_default, include_claim_keys: (.include_claim_keys // [])}')
wanted=$(printf '{"use_default":false,"include_claim_keys":%s}' "$CLAIM_KEYS")
if [[ "$(jq -cS . <<<"$current")" == "$(jq -cS . <<<"$wanted")" ]]; then
  echo "ok: $repository already puts its ids, context and job_workflow_ref in the OIDC subject"
  print_ids
  exit 0
fi
if $check_only; then
  echo "error: $repository's OIDC subject template is $(jq -c . <<<"$current"), expected $wanted" >&2
  exit 1
fi
gh api --method PUT "$endpoint" --input - <<<"$wanted" >/dev/null
echo "ok: $repository's OIDC subject now includes $CLAIM_KEYS"
echo "    e.g. repository_owner_id:$owner_id:repository_id:$repository_id:environment:prod:job_workflow_ref:$repository/.github/workflows/deploy-environment.yml@refs/heads/main"
print_ids
