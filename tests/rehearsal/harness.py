"""The rehearsal's machinery: a throwaway git repository, act, the replacement actions, the seams.

act runs the repository's real workflow files in host mode (``-P ubuntu-24.04=-self-hosted``):
every ``run:`` step is a real shell on this machine, in a per-job copy of the repository that act
makes (git-ignored files left out, ``.git`` included). Pinned third-party actions that download
toolchains or talk to GitHub's services are swapped for the folders under ``actions/`` with
``--local-repository OWNER/REPO@SHA=DIR``; ``actions/checkout`` is act's own local copy. Any
other pinned action makes :func:`replacements` fail, so a new action in a workflow is a
decision, not a silent network fetch.

Steps inherit act's environment, which carries the test seams and nothing secret:
- AWS: every endpoint at moto (``AWS_ENDPOINT_URL``), no credentials until a
  configure-aws-credentials step mints them; Terraform's CLI config (the offline provider
  mirror) and ``PIPELINE_TF_OVERRIDES_DIR`` as in the real-Terraform tier.
- GitHub: ``gh`` on PATH is a wrapper that points Debian's real gh at the fake
  (``GH_HOST``, ``SSL_CERT_FILE``) and passes the step's ``GH_TOKEN`` on as the enterprise token
  gh reads for a non-github.com host; a step without ``GH_TOKEN`` gets 401.
- ``GATE_PYTEST_SELECT``: the gate's pytest step runs a smoke subset, not the suite in the suite.
- ``PIPELINE_PYTHON_ENV_SEED`` (scripts/lib/python-env.sh): a job whose checkout has no ``.venv``
  gets a thin one on top of the test run's own environment (synced from the same Pipfile.lock)
  instead of spending about 90 s on ``pipenv sync`` in each of some 25 jobs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fixture_paths import REPO_ROOT

HERE = Path(__file__).parent
ACTIONS_DIR = HERE / "actions"
ACT = Path(sys.executable).with_name("act")
REPOSITORY = "rehearsal/catalog-api-infra"
TOKEN = "rehearsal-github-token"  # what `secrets.GITHUB_TOKEN` is in every run
GATE_SMOKE = "tests/facts"  # GATE_PYTEST_SELECT: the pytest step's subset inside the rehearsal
# Pinned action (owner/repo) -> its replacement folder (relative to ACTIONS_DIR). A folder holds
# action.yml at its root, or in the action's subdirectory (codeql-action/upload-sarif).
REPLACEMENTS = {
    "actions/setup-python": "setup-python",
    "actions/setup-node": "setup-node",
    "hashicorp/setup-terraform": "setup-terraform",
    "terraform-linters/setup-tflint": "setup-tflint",
    "aws-actions/configure-aws-credentials": "configure-aws-credentials",
    "github/codeql-action": "codeql-action",
    "actions/upload-artifact": "upload-artifact",
    "actions/download-artifact": "download-artifact",
    "actions/cache": "cache",
}
LOCAL_COPY = {"actions/checkout"}  # act copies the repository itself (its documented behaviour)
# act names a matrix leg "plan (dev)-1": the rendered name plus its index.
_MATRIX_LEG = re.compile(r"^(.*\))-\d+$")
_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*([\w.-]+/[\w.-]+)(?:/[\w./-]+)?@([0-9a-f]{40})\b", re.M)
# Environment variables never passed from the test process to act (a CI runner's own context,
# real credentials, pytest's internals).
_DROPPED = re.compile(r"^(AWS_|GITHUB_|RUNNER_|ACTIONS_|GH_|GITHUB|PYTEST_|TF_|PIPELINE_|CI$)")


class RehearsalError(RuntimeError):
    """The rehearsal could not be set up (not a product failure)."""


def replacements(workflows_dir: Path) -> list[str]:
    """``--local-repository`` arguments for every pinned action the workflows use."""
    arguments: set[str] = set()
    unknown: set[str] = set()
    for workflow in sorted(workflows_dir.glob("*.yml")):
        for repo, sha in _USES.findall(workflow.read_text(encoding="utf-8")):
            if repo in LOCAL_COPY:
                continue
            if repo not in REPLACEMENTS:
                unknown.add(f"{repo}@{sha} ({workflow.name})")
                continue
            arguments.add(f"{repo}@{sha}={ACTIONS_DIR / REPLACEMENTS[repo]}")
    if unknown:
        raise RehearsalError(
            "no rehearsal replacement for " + ", ".join(sorted(unknown)) + ": add one under "
            "tests/rehearsal/actions/ (only for actions that download toolchains or call GitHub "
            "services) or let act run it (docs/rehearsal.md)"
        )
    return sorted(arguments)


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Rehearsal",
        "GIT_AUTHOR_EMAIL": "rehearsal@example.invalid",
        "GIT_COMMITTER_NAME": "Rehearsal",
        "GIT_COMMITTER_EMAIL": "rehearsal@example.invalid",
    }
    completed = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=False
    )
    if completed.returncode != 0:
        raise RehearsalError(f"git {' '.join(args)} failed: {completed.stderr.strip()}")
    return completed.stdout.strip()


def make_repository(destination: Path) -> Path:
    """A git repository holding this checkout's files (tracked and untracked, not ignored) as the
    one commit on ``main``; its origin names REPOSITORY (act derives github.repository from it;
    nothing ever fetches or pushes)."""
    ls_files = ("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    listed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), *ls_files],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    destination.mkdir(parents=True)
    for raw in listed:
        if not raw:
            continue
        source = REPO_ROOT / raw.decode()
        if not source.is_file():
            continue  # deleted in the work tree
        target = destination / raw.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(destination, "init", "-q", "-b", "main")
    git(destination, "remote", "add", "origin", f"https://github.com/{REPOSITORY}.git")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "main as the test run found it")
    return destination


def commit(repo: Path, message: str, *, files: dict[str, str] | None = None) -> str:
    for relative, text in (files or {}).items():
        (repo / relative).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class JobResult:
    job: str  # act's job id, e.g. "plan" or "dev/plan"
    name: str  # the rendered job name, e.g. "plan (dev)"
    result: str  # success | failure | skipped


@dataclass
class ActRun:
    workflow: str
    name: str  # the workflow's `name:`
    run_id: str
    returncode: int
    log: Path
    jobs: list[JobResult]

    @property
    def conclusion(self) -> str:
        return "success" if self.returncode == 0 else "failure"

    def results(self) -> dict[str, str]:
        """Rendered job name -> result. act names a job "<workflow name>/<job name>", a called
        workflow's job "<caller job>/<called workflow name>/<job name>", and a matrix leg with
        its index appended: "pr/plan (dev)-1" reads "plan (dev)", "dev/deploy-environment/plan
        dev" stays as it is."""
        names = {}
        for job in self.jobs:
            name = job.name.strip().removeprefix(f"{self.name}/")
            names[_MATRIX_LEG.sub(r"\1", name)] = job.result
        return names


@dataclass
class Rehearsal:
    """One session's rehearsal: the repository, the records, the environment act runs in."""

    repo: Path
    records: Path
    environ: dict[str, str]
    variables: dict[str, str]
    local_repositories: list[str]
    next_run_id: int = 5000

    def run(
        self,
        workflow: str,
        event: str,
        payload: dict[str, Any],
        *,
        variables: dict[str, str] | None = None,
        timeout: float = 1800,
    ) -> ActRun:
        self.next_run_id += 1
        run_id = str(self.next_run_id)
        run_dir = self.records / "runs" / f"{run_id}-{Path(workflow).stem}"
        run_dir.mkdir(parents=True)
        event_file = run_dir / "event.json"
        event_file.write_text(json.dumps({"act": True, **payload}), encoding="utf-8")
        log = run_dir / "act.log"
        command = [
            str(ACT),
            event,
            "-W",
            f".github/workflows/{workflow}",
            "-e",
            str(event_file),
            "-P",
            "ubuntu-24.04=-self-hosted",
            "--json",
            "--no-cache-server",
            "--defaultbranch",
            "main",
            "--secret-file",
            os.devnull,
            "--var-file",
            os.devnull,
            "--env-file",
            os.devnull,
            "-s",
            f"GITHUB_TOKEN={TOKEN}",
            "--env",
            f"GITHUB_RUN_ID={run_id}",
            "--env",
            "GITHUB_RUN_ATTEMPT=1",
            "--concurrent-jobs",
            "3",
        ]
        for name, value in {**self.variables, **(variables or {})}.items():
            command += ["--var", f"{name}={value}"]
        for replacement in self.local_repositories:
            command += ["--local-repository", replacement]
        with log.open("wb") as handle:
            completed = subprocess.run(
                command,
                cwd=self.repo,
                env=self.environ,
                stdout=handle,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        return ActRun(
            workflow=workflow,
            name=_workflow_name(self.repo / ".github" / "workflows" / workflow),
            run_id=run_id,
            returncode=completed.returncode,
            log=log,
            jobs=_job_results(log),
        )

    def records_of(self, name: str) -> list[dict[str, Any]]:
        path = self.records / name
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _workflow_name(path: Path) -> str:
    import yaml

    return str(yaml.safe_load(path.read_text(encoding="utf-8")).get("name") or path.name)


def _job_results(log: Path) -> list[JobResult]:
    """act's structured log (--json): one ``jobResult`` entry per finished job."""
    results: list[JobResult] = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("jobResult"):
            results.append(
                JobResult(
                    job=str(entry.get("jobID", "")),
                    name=str(entry.get("job", "")),
                    result=str(entry["jobResult"]),
                )
            )
    return results


def write_gh_wrapper(bin_dir: Path, *, host: str, cert: Path, config_root: Path) -> Path:
    """``gh`` for the rehearsal's PATH: Debian's gh, pointed at the fake GitHub.

    Each call gets an empty config directory of its own (calls run side by side and gh may
    write its config); they are made under ``config_root``, which the session removes,
    because ``exec`` leaves the wrapper no chance to clean up after gh."""
    real = shutil.which("gh")
    if real is None:
        raise RehearsalError("gh is not installed (scripts/run-tests.sh installs Debian's gh)")
    bin_dir.mkdir(parents=True, exist_ok=True)
    config_root.mkdir(parents=True, exist_ok=True)
    config_template = shlex.quote(str(config_root / "gh.XXXXXX"))
    wrapper = bin_dir / "gh"
    wrapper.write_text(
        "#!/usr/bin/env bash\n"
        "# Rehearsal: the real gh, pointed at the fake GitHub on 127.0.0.1. gh reads a\n"
        "# non-github.com host's token from GH_ENTERPRISE_TOKEN, so the step's GH_TOKEN is\n"
        "# passed on as that; a step without GH_TOKEN stays without a token.\n"
        f"export GH_HOST={host} SSL_CERT_FILE={cert}\n"
        "export GH_NO_UPDATE_NOTIFIER=1 GH_PROMPT_DISABLED=1 "
        f'GH_CONFIG_DIR="$(mktemp -d {config_template})"\n'
        "unset GH_ENTERPRISE_TOKEN GITHUB_ENTERPRISE_TOKEN\n"
        'if [ -n "${GH_TOKEN:-}" ]; then export GH_ENTERPRISE_TOKEN="$GH_TOKEN"; fi\n'
        f'exec {real} "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    return wrapper


def pycache_prefix(environ: dict[str, str]) -> Path:
    """Where scripts/lib/python-env.sh puts bytecode for this environment."""
    if environ.get("PYTHONPYCACHEPREFIX"):
        return Path(environ["PYTHONPYCACHEPREFIX"])
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "catalog-api-infra" / "pycache"


def act_environ(
    base: dict[str, str],
    *,
    bin_dir: Path,
    records: Path,
    moto_endpoint: str,
    tf_cli_config: Path,
    overrides_dir: Path,
    lock_file: Path,
    act_home: Path,
) -> dict[str, str]:
    environ = {k: v for k, v in base.items() if not _DROPPED.match(k)}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as python-env.sh does for every script
    environ.update(
        {
            "PATH": f"{bin_dir}:{environ.get('PATH', '')}",
            # act keeps its per-job copies under the XDG cache directory: one per session.
            "XDG_CACHE_HOME": str(act_home),
            # The test run's own bytecode prefix, where the seed's site-packages is already
            # compiled (the jobs import it by its real path); the session removes what its
            # jobs' copies of the repository added (conftest.py).
            "PYTHONPYCACHEPREFIX": str(pycache_prefix(base)),
            "REHEARSAL_DIR": str(records),
            "REHEARSAL_PYTHON": sys.executable,
            "REHEARSAL_ACTIONS": str(ACTIONS_DIR),
            # AWS: endpoints only; credentials come from configure-aws-credentials alone.
            "AWS_ENDPOINT_URL": moto_endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "CHECKPOINT_DISABLE": "1",
            "TF_CLI_CONFIG_FILE": str(tf_cli_config),
            "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "true",
            "PIPELINE_TF_OVERRIDES_DIR": str(overrides_dir),
            # PR plans vet the provider against a lock file for the mirror's version (the
            # committed one pins 6.25.0, which the mirror lacks), as in the terraform tier.
            "PIPELINE_TF_LOCK_FILE": str(lock_file),
            "GATE_PYTEST_SELECT": GATE_SMOKE,
            # Jobs build a thin .venv on the test run's synced one instead of a 90 s install.
            "PIPELINE_PYTHON_ENV_SEED": sys.prefix,
        }
    )
    return environ
