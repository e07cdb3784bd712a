#!/usr/bin/env bash
# The AWS account an environment deploys to, for a workflow job about to assume one of its roles.
#
#   scripts/aws-account.sh ENV
#
# Reads AWS_ACCOUNT_IDS (repository variable, a JSON object {"dev": "111111111111", ...}: one
# account per environment, readable by jobs without a GitHub environment) and AWS_ACCOUNT_ID (a
# single account, or the GitHub environment's own variable in an environment-bound job). When
# both name an account for ENV they must agree. EXPECTED_ACCOUNT_ID (optional): the account the
# plan job used; the apply job refuses any other. Prints account_id=... (to $GITHUB_OUTPUT when
# set). Exit: 0 ok, 1 misconfigured, 2 usage.
set -euo pipefail

[ "$#" -eq 1 ] || { echo "usage: scripts/aws-account.sh ENV" >&2; exit 2; }
environment=$1
[[ "$environment" =~ ^[a-z][a-z0-9-]*$ ]] || { echo "error: bad environment name '$environment'" >&2; exit 2; }

from_map=""
if [ -n "${AWS_ACCOUNT_IDS:-}" ]; then
  if ! from_map=$(jq -er --arg env "$environment" \
    'if type == "object" then (.[$env] // "" | tostring) else error("not an object") end' \
    <<<"$AWS_ACCOUNT_IDS" 2>/dev/null); then
    echo "error: AWS_ACCOUNT_IDS must be a JSON object like {\"dev\": \"111111111111\"}" >&2
    exit 1
  fi
fi
single="${AWS_ACCOUNT_ID:-}"
if [ -n "$from_map" ] && [ -n "$single" ] && [ "$from_map" != "$single" ]; then
  echo "error: AWS_ACCOUNT_IDS names $from_map for $environment but AWS_ACCOUNT_ID is $single; fix one of them (docs/trust-model.md)" >&2
  exit 1
fi
account="${from_map:-$single}"
if ! [[ "$account" =~ ^[0-9]{12}$ ]]; then
  echo "error: no 12-digit AWS account for $environment: set AWS_ACCOUNT_IDS (repository variable, JSON) or AWS_ACCOUNT_ID (docs/trust-model.md)" >&2
  exit 1
fi
if [ -n "${EXPECTED_ACCOUNT_ID:-}" ] && [ "$account" != "$EXPECTED_ACCOUNT_ID" ]; then
  echo "error: $environment resolves to account $account here but the plan was made in $EXPECTED_ACCOUNT_ID; refusing to apply it" >&2
  exit 1
fi
echo "account_id=$account" >>"${GITHUB_OUTPUT:-/dev/stdout}"
