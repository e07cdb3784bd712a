"""Reviewed plans and the deployment record, kept in the state bucket next to each state.

- ``plans/<env>/<commit>.tfplan``: the saved plan the plan job made, SSE-KMS encrypted. The apply
  job downloads it and refuses it unless its SHA-256 is the one the plan job reported.
- ``catalog-api/<env>/deployment.json``: the newest commit that may have changed the
  environment. The apply job writes it twice: ``in-progress`` with the commit BEFORE it applies,
  ``applied`` after. It refuses a commit older than, or diverged from, the recorded one, so
  neither a re-run of an old deploy nor an apply that died halfway can make the environment go
  backwards; a re-run of the recorded commit may finish an interrupted apply. The record keeps
  the last completed deployment (``previous`` while an apply is in progress), which the drift
  report and the plan comment show with how far it is behind main ("pending promotion").

AWS is reached through boto3 only (it honours ``AWS_ENDPOINT_URL``, which the tests point at a
local emulator); git through the ``git`` command in the checkout (it honours ``GIT_DIR``).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.config import ENVIRONMENTS, PROJECT, ConfigError, StateBackendConfig, load_settings
from pipeline.markdown import code, text

_SHA256_HEX = frozenset("0123456789abcdef")
IN_PROGRESS = "in-progress"
APPLIED = "applied"
# What a record says about the environment; a record without a status predates the two-phase
# record and was written after a completed apply.
STATUSES = (IN_PROGRESS, APPLIED)


class Refused(Exception):
    """The step ran and said no (wrong hash, older commit, AWS refused): exit 1, one line."""


def record_key(environment: str) -> str:
    """Beside the environment's state (``catalog-api/<env>/terraform.tfstate``)."""
    return f"{PROJECT}/{environment}/deployment.json"


def plan_key(environment: str, commit: str) -> str:
    """The plan role may write only under ``plans/<env>/`` (never the state or its lock)."""
    return f"plans/{environment}/{commit}.tfplan"


def check_environment(environment: str) -> str:
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"unknown environment '{environment}' (known: {', '.join(ENVIRONMENTS)})")
    return environment


def state_backend(environ: Mapping[str, str]) -> StateBackendConfig:
    """The bucket, region and KMS key the synth wrote into the backend block."""
    return load_settings(environ).state


# --- git ------------------------------------------------------------------------------------


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise Refused("git is not installed") from None


def resolve_commit(commit: str | None, environ: Mapping[str, str]) -> str:
    """The full SHA of ``commit``, else of GITHUB_SHA, else of HEAD."""
    wanted = commit or environ.get("GITHUB_SHA", "").strip() or "HEAD"
    result = _git("rev-parse", "--verify", "--quiet", f"{wanted}^{{commit}}")
    if result.returncode != 0:
        raise Refused(f"commit '{wanted}' is not in this checkout's git history")
    return result.stdout.strip()


def _known(commit: str) -> bool:
    return _git("cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def _is_ancestor(older: str, newer: str) -> bool:
    result = _git("merge-base", "--is-ancestor", older, newer)
    if result.returncode not in (0, 1):
        raise Refused(f"git merge-base failed: {result.stderr.strip() or result.returncode}")
    return result.returncode == 0


def order_verdict(*, recorded: str | None, deploying: str, in_progress: bool = False) -> str:
    """Why ``deploying`` may follow ``recorded``; raises Refused when it may not.

    ``in_progress``: the recorded commit's apply started and never completed (interrupted, or
    failed). Part of it may be live, so it orders exactly like a deployed commit.
    """
    if recorded is None:
        return "no deployment recorded yet: first deploy"
    unfinished = "whose apply started and did not complete"
    short = _short(recorded)
    named = f"{short}, {unfinished}" if in_progress else f"the deployed {short}"
    if recorded == deploying:
        if in_progress:
            return f"{_short(deploying)} is the commit whose apply did not complete: a re-run"
        return f"{_short(deploying)} is the deployed commit: an idempotent re-run"
    if not _known(recorded):
        raise Refused(
            f"the recorded commit {_short(recorded)} is not in this checkout's history, so the "
            "order cannot be checked (check out with full history: fetch-depth: 0)"
        )
    if _is_ancestor(recorded, deploying):
        return f"{_short(deploying)} is newer than {named}"
    if _is_ancestor(deploying, recorded):
        status = unfinished if in_progress else "which is already deployed"
        raise Refused(
            f"refusing to deploy {_short(deploying)}: it is older than {_short(recorded)}, "
            f"{status} (a re-run of an old deploy run would go backwards)"
        )
    raise Refused(
        f"refusing to deploy {_short(deploying)}: it has diverged from {named} "
        "(neither contains the other)"
    )


def _short(commit: str) -> str:
    return commit[:12]


# --- S3 -------------------------------------------------------------------------------------


def _s3(state: StateBackendConfig) -> Any:
    import boto3  # the other commands never pay for importing boto3

    return boto3.client("s3", region_name=state.region)


def _aws_errors() -> tuple[type[BaseException], ...]:
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def _aws_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _encryption(state: StateBackendConfig) -> dict[str, str]:
    # Without a key of our own, S3's AWS-managed aws/s3 KMS key: still SSE-KMS.
    args = {"ServerSideEncryption": "aws:kms"}
    if state.kms_key_id:
        args["SSEKMSKeyId"] = state.kms_key_id
    return args


def store_plan(
    *, state: StateBackendConfig, environment: str, commit: str, plan: Path
) -> tuple[str, str]:
    """Upload the saved plan; returns (sha256, key)."""
    try:
        body = plan.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{plan}: cannot read the saved plan: {exc.strerror}") from None
    if not body:
        raise ConfigError(f"{plan}: the saved plan is empty")
    sha256 = hashlib.sha256(body).hexdigest()
    key = plan_key(environment, commit)
    try:
        _s3(state).put_object(
            Bucket=state.bucket,
            Key=key,
            Body=body,
            Metadata={"sha256": sha256, "commit": commit},
            **_encryption(state),
        )
    except _aws_errors() as exc:
        raise Refused(
            f"cannot store the plan at s3://{state.bucket}/{key}: {_aws_message(exc)}"
        ) from None
    return sha256, key


def check_sha256(value: str) -> str:
    value = value.strip().lower()
    if len(value) != 64 or not set(value) <= _SHA256_HEX:
        raise ConfigError(f"'{value}' is not a SHA-256 hex digest (64 hex digits)")
    return value


def fetch_plan(
    *, state: StateBackendConfig, environment: str, key: str, sha256: str, output: Path
) -> None:
    """Download the plan to ``output`` only if its SHA-256 matches; never leaves a bad copy."""
    prefix = f"plans/{environment}/"
    if not key.startswith(prefix) or ".." in key:
        raise ConfigError(f"plan key '{key}' is not under {prefix}")
    try:
        body = _s3(state).get_object(Bucket=state.bucket, Key=key)["Body"].read()
    except _aws_errors() as exc:
        raise Refused(f"cannot fetch s3://{state.bucket}/{key}: {_aws_message(exc)}") from None
    actual = hashlib.sha256(body).hexdigest()
    if actual != sha256:
        raise Refused(
            f"refusing the plan s3://{state.bucket}/{key}: its SHA-256 is {actual}, but the "
            f"plan job reported {sha256} (it was replaced or corrupted after review)"
        )
    partial = output.with_name(output.name + ".partial")
    try:
        partial.write_bytes(body)
        partial.replace(output)
    except OSError as exc:
        raise ConfigError(f"{output}: cannot write: {exc.strerror}") from None


def read_record(*, state: StateBackendConfig, environment: str) -> dict[str, Any] | None:
    """The deployment record, or None when the environment was never deployed by the pipeline."""
    key = record_key(environment)
    client = _s3(state)
    try:
        body = client.get_object(Bucket=state.bucket, Key=key)["Body"].read()
    except _aws_errors() as exc:
        if getattr(exc, "response", {}).get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise Refused(
            f"cannot read the deployment record s3://{state.bucket}/{key}: {_aws_message(exc)}"
        ) from None
    try:
        record = json.loads(body)
    except ValueError:
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("commit"), str):
        raise Refused(f"s3://{state.bucket}/{key} is not a deployment record (no commit)")
    status = record.setdefault("status", APPLIED)
    if status not in STATUSES:
        # Fail closed: a status this code does not know could mean anything about the order.
        raise Refused(f"s3://{state.bucket}/{key} has an unknown status {status!r}")
    return record


def in_progress(record: Mapping[str, Any] | None) -> bool:
    return record is not None and record.get("status") == IN_PROGRESS


def last_applied(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The last deployment that completed: the record itself, or what it kept as ``previous``."""
    if record is None:
        return None
    if not in_progress(record):
        return dict(record)
    previous = record.get("previous")
    return dict(previous) if isinstance(previous, dict) else None


def _timestamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _put_record(*, state: StateBackendConfig, environment: str, record: dict[str, Any]) -> None:
    key = record_key(environment)
    try:
        _s3(state).put_object(
            Bucket=state.bucket,
            Key=key,
            Body=(json.dumps(record, indent=2) + "\n").encode(),
            ContentType="application/json",
            **_encryption(state),
        )
    except _aws_errors() as exc:
        raise Refused(f"cannot write s3://{state.bucket}/{key}: {_aws_message(exc)}") from None


def start_deployment(
    *,
    state: StateBackendConfig,
    environment: str,
    commit: str,
    plan_sha256: str,
    url: str | None,
    now: datetime | None = None,
) -> tuple[dict[str, Any], str]:
    """Before the apply: record ``commit`` as in progress; returns (record, why it may deploy).

    Checks the order itself, so this write can never move the record to an older commit. From
    here on, until an apply of this or a newer commit completes, older commits are refused:
    an apply that dies halfway may have changed part of the environment already.
    """
    current = read_record(state=state, environment=environment)
    reason = order_verdict(
        recorded=current["commit"] if current is not None else None,
        deploying=commit,
        in_progress=in_progress(current),
    )
    previous = last_applied(current)
    if previous is not None:
        previous.pop("previous", None)  # one level: the last completed deployment only
    record = {
        "environment": environment,
        "commit": commit,
        "status": IN_PROGRESS,
        "plan_sha256": plan_sha256,
        "started_at": _timestamp(now),
        "applied_at": None,
        "run_url": url,
        "previous": previous,
    }
    _put_record(state=state, environment=environment, record=record)
    return record, reason


def complete_deployment(
    *,
    state: StateBackendConfig,
    environment: str,
    commit: str,
    plan_sha256: str,
    url: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """After a successful apply: mark the in-progress record of ``commit`` as applied."""
    current = read_record(state=state, environment=environment)
    if not in_progress(current) or current is None or current["commit"] != commit:
        found = (
            "no record" if current is None else f"{_short(current['commit'])} ({current['status']})"
        )
        raise Refused(
            f"no apply of {_short(commit)} is in progress in {environment} (the record says "
            f"{found}): start-deployment must run before the apply"
        )
    if current.get("plan_sha256") != plan_sha256:
        raise Refused(
            f"the in-progress record of {_short(commit)} names plan {current.get('plan_sha256')}, "
            f"not {plan_sha256}: it was started for another plan"
        )
    record = {**current, "status": APPLIED, "applied_at": _timestamp(now), "run_url": url}
    record.pop("previous", None)
    _put_record(state=state, environment=environment, record=record)
    return record


# --- pending promotion ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Promotion:
    """Which commit an environment runs and how far behind main it is: not drift.

    ``commit`` is the last deployment that completed; ``unfinished`` the commit whose apply
    started after it and has not completed (running now, or interrupted), if any.
    """

    environment: str
    commit: str | None
    applied_at: str | None
    run_url: str | None
    behind: int | None
    problem: str | None  # why the above could not be told
    unfinished: str | None = None
    unfinished_since: str | None = None
    unfinished_run_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "commit": self.commit,
            "applied_at": self.applied_at,
            "run_url": self.run_url,
            "commits_behind_main": self.behind,
            "problem": self.problem,
            "in_progress": None
            if self.unfinished is None
            else {
                "commit": self.unfinished,
                "started_at": self.unfinished_since,
                "run_url": self.unfinished_run_url,
            },
        }

    def markdown(self) -> str:
        if self.problem is not None:
            return f"**Deployed commit:** unknown ({text(self.problem)}).\n\n"
        return self._deployed() + self._unfinished()

    def _deployed(self) -> str:
        if self.commit is None:
            return "**Deployed commit:** none recorded (never deployed by the pipeline).\n\n"
        when = f", applied {text(self.applied_at)}" if self.applied_at else ""
        link = f" ([run]({self.run_url}))" if self.run_url else ""
        if self.behind is None:
            lag = "; not in this checkout's history, so its distance to main is unknown"
        elif self.behind == 0:
            lag = "; up to date with main"
        else:
            lag = (
                f"; **{self.behind} commit(s) behind main**: pending promotion, not drift "
                "(the deploy workflow applies them)"
            )
        return f"**Deployed commit:** {code(_short(self.commit))}{when}{link}{lag}.\n\n"

    def _unfinished(self) -> str:
        if self.unfinished is None:
            return ""
        since = f" at {text(self.unfinished_since)}" if self.unfinished_since else ""
        link = f" ([run]({self.unfinished_run_url}))" if self.unfinished_run_url else ""
        return (
            f"**Apply not completed:** {code(_short(self.unfinished))} started{since}{link} and "
            "has not completed: it is running, or it was interrupted and part of it may be live. "
            "Older commits cannot deploy until an apply of it or a newer commit completes.\n\n"
        )


def _text(record: Mapping[str, Any] | None, name: str) -> str | None:
    value = record.get(name) if record is not None else None
    return value if isinstance(value, str) else None


def promotion(*, state: StateBackendConfig, environment: str, main_ref: str = "HEAD") -> Promotion:
    """Never fails the caller: a drift check stays useful when the record cannot be read."""
    try:
        record = read_record(state=state, environment=environment)
    except Refused as exc:
        return Promotion(
            environment=environment,
            commit=None,
            applied_at=None,
            run_url=None,
            behind=None,
            problem=str(exc),
        )
    done = last_applied(record)
    commit = _text(done, "commit")
    behind = None
    if commit is not None and _known(commit):
        count = _git("rev-list", "--count", f"{commit}..{main_ref}")
        if count.returncode == 0:
            behind = int(count.stdout.strip())
    unfinished = record if in_progress(record) else None
    return Promotion(
        environment=environment,
        commit=commit,
        applied_at=_text(done, "applied_at"),
        run_url=_text(done, "run_url"),
        behind=behind,
        problem=None,
        unfinished=_text(unfinished, "commit"),
        unfinished_since=_text(unfinished, "started_at"),
        unfinished_run_url=_text(unfinished, "run_url"),
    )


def github_output_lines(values: Mapping[str, str]) -> str:
    """``name=value`` lines for ``$GITHUB_OUTPUT`` (values never hold a newline)."""
    for name, value in values.items():
        if "\n" in value:
            raise ConfigError(f"output {name} holds a newline")
    return "".join(f"{name}={value}\n" for name, value in values.items())
