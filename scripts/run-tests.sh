#!/usr/bin/env bash
# The test command: installs what it needs on a fresh clone, then runs pytest.
# Extra arguments go to pytest, e.g. scripts/run-tests.sh -k policies
# Parallel where it pays: pytest-xdist, one worker per CPU (at most 4), each test module whole
# on one worker (--dist loadscope: module fixtures are built once, and the real-Terraform
# tier's modules keep their order). PYTEST_WORKERS=N sets the count, 0 runs serially; a -n or
# -p no:xdist of your own wins.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/python-env.sh
source "$root/scripts/lib/python-env.sh"
ensure_python_env "$root"
ensure_node_env "$root"
ensure_gh_cli || exit 2
cd "$root"
parallel=()
case " $* " in
  *" -n "* | *" -n="* | *" --numprocesses"* | *" -p no:xdist "* | *" -pno:xdist "*) ;;
  *)
    workers="${PYTEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}"
    if ! [[ "$workers" =~ ^[0-9]+$ ]]; then
      echo "error: PYTEST_WORKERS must be a whole number, got '$workers'" >&2
      exit 2
    fi
    [ "$workers" -gt 4 ] && workers=4
    if [ "$workers" -ge 2 ]; then
      parallel=(-n "$workers" --dist loadscope)
    fi
    ;;
esac
# The synced environment, used directly: what `pipenv run` would do, without its start-up.
export VIRTUAL_ENV="$root/.venv"
export PATH="$root/.venv/bin:$PATH"
set +e
"$root/.venv/bin/python" -m pytest "${parallel[@]}" "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  # pytest's 5 means "no tests collected": a selection that matched nothing is a failure here.
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
