#!/usr/bin/env bash
# The test command: installs what it needs on a fresh clone, then runs pytest.
# Extra arguments go to pytest, e.g. scripts/run-tests.sh -k policies
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/python-env.sh
source "$root/scripts/lib/python-env.sh"
ensure_python_env "$root"
ensure_node_env "$root"
ensure_gh_cli || exit 2
cd "$root"
set +e
pipenv run pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  # pytest's 5 means "no tests collected": a selection that matched nothing is a failure here.
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
