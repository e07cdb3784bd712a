"""The deploy's apply and Terraform's lock-release race, with real Terraform against moto's S3.

The race: Terraform's ``PutObject`` of the ``.tflock`` gets 412 (the lock is held), the holder
releases the lock, and Terraform's read of the lock info gets 404 ``NoSuchKey``; Terraform then
gives up at once, whatever ``-lock-timeout`` allowed. ``tests/terraform/lock_proxy.py`` puts the
release exactly between those two requests, so the race happens on every run, not one in N.
``scripts/deploy-environment.sh apply`` must survive it (retrying within the same lock timeout,
pipeline/lock_race.py), and must still fail on a lock held past the timeout and on any other
error, without retrying.

The deployed configuration is the dev stack's backend block, unmodified, with provider-free
``terraform_data`` resources (as in test_state_backend.py): the lock is all that is under test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixture_paths import REPO_ROOT
from tests.terraform import harness
from tests.terraform.lock_proxy import LockProxy, LockRequest
from tests.terraform.test_state_backend import (
    backend_block,
    backend_only_dir,
    hold_lock,
    marker_input,
    simple_resources,
    state_key,
)

DEPLOY = REPO_ROOT / "scripts" / "deploy-environment.sh"
STACK = "catalog-api-dev"
RACE_ERROR = ("Error acquiring the state lock", "PreconditionFailed", "NoSuchKey")


@dataclass(frozen=True, kw_only=True)
class Deploy:
    base: Path
    env: dict[str, str]  # for the deploy script: terraform through the call-recording shim
    bucket: str

    @property
    def stack_dir(self) -> Path:
        return self.base / "cdktf.out" / "stacks" / STACK

    @property
    def apply_log(self) -> Path:
        return self.base / "reports" / "deploy" / "dev" / "apply.log"

    def applies(self) -> list[str]:
        """Every `terraform ... apply ...` the deploy step ran."""
        calls = (self.base / "terraform-calls").read_text().splitlines()
        return [call for call in calls if " apply " in f" {call} "]

    def apply_step(self, *, endpoint: str, lock_timeout: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(DEPLOY), "apply", "dev"],
            env=self.env | {"AWS_ENDPOINT_URL": endpoint, "TF_LOCK_TIMEOUT": lock_timeout},
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )


@pytest.fixture
def deploy(
    tier_stacks_dir: Path, terraform_env: dict[str, str], tmp_path: Path, s3: Any
) -> Iterator[Deploy]:
    """A planned dev deploy (saved plan: revision -> "planned") waiting for its apply step.
    Whatever lock a test takes through S3 is gone afterwards (the module shares one state)."""
    base = tmp_path
    stack_dir = backend_only_dir(
        base / "cdktf.out" / "stacks" / STACK,
        terraform_block=backend_block(tier_stacks_dir, "dev"),
        resources=simple_resources(),
    )
    harness.run_terraform(["init", "-input=false", "-no-color"], cwd=stack_dir, env=terraform_env)
    harness.run_terraform(
        [
            "plan",
            "-input=false",
            "-lock=false",
            "-no-color",
            "-var=revision=planned",
            "-out=tfplan",
        ],
        cwd=stack_dir,
        env=terraform_env,
    )
    # The real terraform, behind a shim that records each call (nothing else changes).
    real = shutil.which("terraform", path=terraform_env["PATH"])
    assert real is not None
    bin_dir = base / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "terraform"
    shim.write_text(
        f'#!/usr/bin/env bash\necho "$*" >>"{base / "terraform-calls"}"\nexec "{real}" "$@"\n'
    )
    shim.chmod(0o755)
    no_overrides = base / "no-overrides"  # the backend needs no provider endpoint overrides
    no_overrides.mkdir()
    env = terraform_env | {
        "PATH": f"{bin_dir}{os.pathsep}{terraform_env['PATH']}",
        "PIPELINE_TF_OVERRIDES_DIR": str(no_overrides),
        "CDKTF_OUTDIR": str(base / "cdktf.out"),
        "REPORTS_DIR": str(base / "reports"),
        "CATALOG_ENVIRONMENTS": "dev",
    }
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_SHA"):
        env.pop(name, None)
    bucket = terraform_env["CATALOG_STATE_BUCKET"]
    yield Deploy(base=base, env=env, bucket=bucket)
    s3.delete_object(Bucket=bucket, Key=f"{state_key('dev')}.tflock")


@pytest.fixture(scope="module")
def s3(moto_server: harness.MotoServer) -> Any:
    return harness.boto3_client("s3", endpoint=moto_server.endpoint)


def deployed_revision(s3: Any, bucket: str) -> str | None:
    """What the dev state holds, or None before anything was applied."""
    try:
        body = s3.get_object(Bucket=bucket, Key=state_key("dev"))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return marker_input(json.loads(body))


def test_bare_terraform_gives_up_on_the_race_however_long_its_lock_timeout(
    deploy: Deploy, terraform_env: dict[str, str], moto_server: harness.MotoServer, s3: Any
) -> None:
    """Why the deploy needs its retry: Terraform's own behaviour, reproduced exactly."""
    lock_key = hold_lock(s3, bucket=deploy.bucket, env="dev")

    def release_between_put_and_read(request: LockRequest) -> None:
        if request.method == "PUT" and request.index == 1:
            s3.delete_object(Bucket=deploy.bucket, Key=lock_key)

    with LockProxy(upstream=moto_server.endpoint, after=release_between_put_and_read) as proxy:
        result = harness.run_terraform(
            ["apply", "-input=false", "-lock-timeout=120s", "tfplan"],
            cwd=deploy.stack_dir,
            env=terraform_env | {"AWS_ENDPOINT_URL": proxy.endpoint},
            check=False,
        )
    assert proxy.errors == []
    assert result.returncode == 1
    assert all(part in result.stdout for part in RACE_ERROR), result.stdout
    assert proxy.trace() == [("PUT", 412), ("GET", 404)]
    # ...and gave up there, with 120 s of lock timeout left: no second attempt.


def test_deploy_apply_survives_the_race_within_the_same_lock_timeout(
    deploy: Deploy, moto_server: harness.MotoServer, s3: Any
) -> None:
    lock_key = hold_lock(s3, bucket=deploy.bucket, env="dev")

    def release_between_put_and_read(request: LockRequest) -> None:
        if request.method == "PUT" and request.index == 1:
            s3.delete_object(Bucket=deploy.bucket, Key=lock_key)

    with LockProxy(upstream=moto_server.endpoint, after=release_between_put_and_read) as proxy:
        result = deploy.apply_step(endpoint=proxy.endpoint, lock_timeout="120s")
    assert proxy.errors == []
    assert result.returncode == 0, result.stdout + result.stderr
    # The first attempt met the race, the second took the free lock, applied and released it.
    assert proxy.trace()[:3] == [("PUT", 412), ("GET", 404), ("PUT", 200)], proxy.trace()
    applies = deploy.applies()
    assert len(applies) == 2, applies
    assert applies[0].endswith("apply -input=false -lock-timeout=120s tfplan")
    second_timeout = int(applies[1].split("-lock-timeout=")[1].split("s ")[0])
    assert 0 < second_timeout < 120
    assert "Attempt 2" in result.stderr
    log = deploy.apply_log.read_text()
    assert all(part in log for part in RACE_ERROR) and "Apply complete!" in log
    assert deployed_revision(s3, deploy.bucket) == "planned"
    assert s3.list_objects_v2(Bucket=deploy.bucket, Prefix=lock_key)["KeyCount"] == 0


def test_deploy_apply_fails_on_a_lock_held_past_the_timeout_without_retrying(
    deploy: Deploy, moto_server: harness.MotoServer, s3: Any
) -> None:
    before = deployed_revision(s3, deploy.bucket)
    hold_lock(s3, bucket=deploy.bucket, env="dev", holder="stuck-run@ci")
    with LockProxy(upstream=moto_server.endpoint) as proxy:
        result = deploy.apply_step(endpoint=proxy.endpoint, lock_timeout="3s")
    assert result.returncode == 1
    assert "error: terraform apply failed for dev" in result.stderr
    assert len(deploy.applies()) == 1
    log = deploy.apply_log.read_text()
    assert "Lock Info:" in log and "stuck-run@ci" in log
    # Terraform's own loop found the lock held each time and could read who holds it: the
    # timeout ran out, no race happened, so the deploy did not try again (one apply above).
    trace = proxy.trace()
    assert trace and trace == [("PUT", 412), ("GET", 200)] * (len(trace) // 2), trace
    assert deployed_revision(s3, deploy.bucket) == before


def test_deploy_apply_does_not_retry_any_other_error(
    deploy: Deploy, terraform_env: dict[str, str], moto_server: harness.MotoServer, s3: Any
) -> None:
    # Someone applied after the plan was made: the saved plan is stale.
    harness.run_terraform(
        ["apply", "-auto-approve", "-input=false", "-no-color", "-var=revision=meanwhile"],
        cwd=deploy.stack_dir,
        env=terraform_env,
    )
    with LockProxy(upstream=moto_server.endpoint) as proxy:
        result = deploy.apply_step(endpoint=proxy.endpoint, lock_timeout="120s")
    assert result.returncode == 1
    assert "is stale" in result.stderr
    assert len(deploy.applies()) == 1
    assert deployed_revision(s3, deploy.bucket) == "meanwhile"
