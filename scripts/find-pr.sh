#!/usr/bin/env bash
# Which pull request a finished `pr` workflow run was for, taken from the workflow_run event
# (never from the run's artifact), and whether it may be planned. Used by pr-plan.yml.
#
#   HEAD_SHA=... HEAD_REPOSITORY=owner/repo PR_NUMBERS='[12]' GH_REPO=owner/repo \
#     scripts/find-pr.sh
#
# Plans only a same-repository PR that is open against the default branch and whose head is
# still the commit the run tested; anything else (fork PRs included, see docs/trust-model.md)
# gets a notice and can_plan=false. Writes can_plan, pr_number and head_sha to $GITHUB_OUTPUT
# (stdout when unset). Needs `gh` (GH_TOKEN with pull-requests: read). Exit: 0, 1 API error, 2 usage.
set -euo pipefail

out="${GITHUB_OUTPUT:-/dev/stdout}"
: "${HEAD_SHA:?HEAD_SHA is required}" "${HEAD_REPOSITORY:?HEAD_REPOSITORY is required}"
: "${GH_REPO:?GH_REPO is required}"
[[ "$HEAD_SHA" =~ ^[0-9a-f]{40}$ ]] || { echo "error: HEAD_SHA is not a commit SHA" >&2; exit 2; }
default_branch="${DEFAULT_BRANCH:-main}"

skip() {
  echo "::notice title=no PR plan::$1"
  echo "can_plan=false" >>"$out"
  exit 0
}

if [ "$HEAD_REPOSITORY" != "$GH_REPO" ]; then
  skip "PRs from forks are not planned with AWS roles (docs/trust-model.md, Fork pull requests); a maintainer can push the branch to this repository after reviewing it."
fi
number=$(jq -r 'if type == "array" then (first // empty) else empty end' <<<"${PR_NUMBERS:-[]}")
[[ "$number" =~ ^[0-9]+$ ]] || skip "the run belongs to no open pull request"

pr=$(gh api "repos/$GH_REPO/pulls/$number")
state=$(jq -r .state <<<"$pr")
base=$(jq -r .base.ref <<<"$pr")
head_sha=$(jq -r .head.sha <<<"$pr")
head_repository=$(jq -r .head.repo.full_name <<<"$pr")
[ "$state" = open ] || skip "PR #$number is $state"
[ "$base" = "$default_branch" ] || skip "PR #$number targets $base, not $default_branch"
[ "$head_repository" = "$GH_REPO" ] || skip "PR #$number comes from $head_repository"
[ "$head_sha" = "$HEAD_SHA" ] ||
  skip "PR #$number moved on to ${head_sha:0:12}; the run for that commit will plan it"
{
  echo "can_plan=true"
  echo "pr_number=$number"
  echo "head_sha=$HEAD_SHA"
} >>"$out"
