"""Reviewed plans and the deployment record, kept in the state bucket next to each state.

- ``plans/<env>/<commit>.tfplan``: the saved plan the plan job made, SSE-KMS encrypted. The apply
  job downloads it and refuses it unless its SHA-256 is the one the plan job reported.
- ``catalog-api/<env>/deployment.json``: which commit was applied last, with the plan hash, the
  time and the run. The apply job refuses a commit that is older than, or diverged from, the
  recorded one, so a re-run of an old deploy cannot go backwards; the drift report and the
  plan comment read it to say how far each environment is behind main ("pending promotion").

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

_SHA256_HEX = frozenset("0123456789abcdef")


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


def order_verdict(*, recorded: str | None, deploying: str) -> str:
    """Why ``deploying`` may follow ``recorded``; raises Refused when it may not."""
    if recorded is None:
        return "no deployment recorded yet: first deploy"
    if recorded == deploying:
        return f"{_short(deploying)} is the deployed commit: an idempotent re-run"
    if not _known(recorded):
        raise Refused(
            f"the deployed commit {_short(recorded)} is not in this checkout's history, so the "
            "order cannot be checked (check out with full history: fetch-depth: 0)"
        )
    if _is_ancestor(recorded, deploying):
        return f"{_short(deploying)} is newer than the deployed {_short(recorded)}"
    if _is_ancestor(deploying, recorded):
        raise Refused(
            f"refusing to deploy {_short(deploying)}: it is older than {_short(recorded)}, which "
            "is already deployed (a re-run of an old deploy run would go backwards)"
        )
    raise Refused(
        f"refusing to deploy {_short(deploying)}: it has diverged from the deployed "
        f"{_short(recorded)} (neither contains the other)"
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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    return record


def write_record(
    *,
    state: StateBackendConfig,
    environment: str,
    commit: str,
    plan_sha256: str,
    url: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    record = {
        "environment": environment,
        "commit": commit,
        "plan_sha256": plan_sha256,
        "applied_at": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "run_url": url,
    }
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
    return record


# --- pending promotion ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Promotion:
    """Which commit an environment runs and how far behind main it is: not drift."""

    environment: str
    commit: str | None
    applied_at: str | None
    run_url: str | None
    behind: int | None
    problem: str | None  # why the above could not be told

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "commit": self.commit,
            "applied_at": self.applied_at,
            "run_url": self.run_url,
            "commits_behind_main": self.behind,
            "problem": self.problem,
        }

    def markdown(self) -> str:
        if self.problem is not None:
            return f"**Deployed commit:** unknown ({self.problem}).\n\n"
        if self.commit is None:
            return "**Deployed commit:** none recorded (never deployed by the pipeline).\n\n"
        when = f", applied {self.applied_at}" if self.applied_at else ""
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
        return f"**Deployed commit:** `{_short(self.commit)}`{when}{link}{lag}.\n\n"


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
    if record is None:
        return Promotion(
            environment=environment,
            commit=None,
            applied_at=None,
            run_url=None,
            behind=None,
            problem=None,
        )
    commit = record["commit"]
    behind = None
    if _known(commit):
        count = _git("rev-list", "--count", f"{commit}..{main_ref}")
        if count.returncode == 0:
            behind = int(count.stdout.strip())
    return Promotion(
        environment=environment,
        commit=commit,
        applied_at=record.get("applied_at") if isinstance(record.get("applied_at"), str) else None,
        run_url=record.get("run_url") if isinstance(record.get("run_url"), str) else None,
        behind=behind,
        problem=None,
    )


def github_output_lines(values: Mapping[str, str]) -> str:
    """``name=value`` lines for ``$GITHUB_OUTPUT`` (values never hold a newline)."""
    for name, value in values.items():
        if "\n" in value:
            raise ConfigError(f"output {name} holds a newline")
    return "".join(f"{name}={value}\n" for name, value in values.items())
