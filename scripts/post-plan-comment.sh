#!/usr/bin/env bash
# Create or update ONE sticky PR comment per environment, found by its hidden marker line
# (written by `pipeline plan-comment`). Uses the gh CLI (preinstalled on GitHub runners).
#
#   GH_TOKEN=... GITHUB_REPOSITORY=owner/repo scripts/post-plan-comment.sh --env dev --pr 12 --body FILE
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
env_name="" pr="" body=""
while [ $# -gt 0 ]; do
  case "$1" in
    --env | --pr | --body)
      [ $# -ge 2 ] || { echo "error: $1 needs a value (see --help)" >&2; exit 2; }
      case "$1" in --env) env_name="$2" ;; --pr) pr="$2" ;; --body) body="$2" ;; esac
      shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$env_name" ] && [ -n "$pr" ] && [ -n "$body" ] ||
  { echo "error: --env, --pr and --body are required (see --help)" >&2; exit 2; }
[[ "$pr" =~ ^[0-9]+$ ]] || { echo "error: --pr must be a PR number, got '$pr'" >&2; exit 2; }
[ -f "$body" ] || { echo "error: no such comment file: $body" >&2; exit 2; }
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY must be set (owner/repo)}"

# The marker is defined once (facts/project.py), so this needs the project's Python. The job
# that posts is not the one that planned: make .venv here (a no-op when it is in sync).
# shellcheck source=lib/python-env.sh
source "$root/scripts/lib/python-env.sh"
ensure_python_env "$root" || exit 2
python="$root/.venv/bin/python"
marker=$(cd "$root" && "$python" -m pipeline comment-marker --env "$env_name") || exit 2
head -n 1 "$body" | grep -qxF "$marker" ||
  { echo "error: $body does not start with the marker for $env_name" >&2; exit 2; }

# Only our own bot's comments qualify: a human quoting the marker must not be overwritten.
existing=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments" \
  --jq ".[] | select(.user.type == \"Bot\" and (.body | startswith(\"$marker\"))) | .id" |
  head -n 1)
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$body" >/dev/null
  echo "updated the $env_name plan comment ($existing) on PR #$pr"
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -F "body=@$body" >/dev/null
  echo "posted the $env_name plan comment on PR #$pr"
fi
