"""The S3 backend exactly as synth writes it, for every environment, against moto's S3.

These tests need the backend and the lock only, so beside the stack's own ``terraform`` block
(backend and required_version, copied unmodified) they manage ``terraform_data`` resources,
which need no provider.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.terraform import harness
from tests.terraform.conftest import ENV_STACKS, stack_file
from tests.terraform.lock_proxy import LockProxy, LockRequest

LOCK_ERROR = "Error acquiring the state lock"


def backend_block(tier_stacks_dir: Path, env: str) -> dict[str, Any]:
    return json.loads(stack_file(tier_stacks_dir, f"catalog-api-{env}").read_text())["terraform"]


def backend_only_dir(
    directory: Path, *, terraform_block: dict[str, Any], resources: dict[str, Any]
) -> Path:
    """The stack's backend and version constraint, unmodified, with provider-free resources."""
    directory.mkdir(parents=True, exist_ok=True)
    block = {k: v for k, v in terraform_block.items() if k in ("backend", "required_version")}
    config = {
        "terraform": block,
        "variable": {"revision": {"type": "string", "default": "1"}},
        "resource": {"terraform_data": resources},
    }
    (directory / "main.tf.json").write_text(json.dumps(config, indent=2))
    return directory


def simple_resources() -> dict[str, Any]:
    return {"marker": {"input": "${var.revision}"}}


def slow_resources(started: Path, release: Path) -> dict[str, Any]:
    """An apply that holds the lock until the test creates ``release``. Its 10-minute limit only
    ends an apply a crashed test left behind: a shorter one let a slow test (a loaded machine)
    see the lock released under it."""
    wait = (
        f"touch {started}; i=0; while [ ! -e {release} ] && [ $i -lt 6000 ]; "
        "do sleep 0.1; i=$((i+1)); done"
    )
    return {
        "marker": {"input": "${var.revision}"},
        "slow": {
            "triggers_replace": ["${var.revision}"],
            "provisioner": [{"local-exec": {"command": wait}}],
        },
    }


def marker_input(state: dict[str, Any]) -> str:
    """The ``input`` of terraform_data.marker in a raw state document."""
    (marker,) = [r for r in state["resources"] if r["name"] == "marker"]
    return str(marker["instances"][0]["attributes"]["input"]["value"])


def state_key(env: str) -> str:
    return f"catalog-api/{env}/terraform.tfstate"


@pytest.fixture(scope="module")
def s3(moto_server: harness.MotoServer) -> Any:
    return harness.boto3_client("s3", endpoint=moto_server.endpoint)


@pytest.fixture(scope="module")
def initialized(
    tier_stacks_dir: Path,
    terraform_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    """Per environment: init with the synthesized backend, then two applies (two state
    versions: revision 1, then revision 2)."""
    dirs = {}
    for env in ENV_STACKS:
        directory = backend_only_dir(
            tmp_path_factory.mktemp(f"backend-{env}"),
            terraform_block=backend_block(tier_stacks_dir, env),
            resources=simple_resources(),
        )
        harness.run_terraform(
            ["init", "-input=false", "-no-color"], cwd=directory, env=terraform_env
        )
        for revision in ("1", "2"):
            harness.run_terraform(
                ["apply", "-auto-approve", "-no-color", f"-var=revision={revision}"],
                cwd=directory,
                env=terraform_env,
            )
        dirs[env] = directory
    return dirs


@pytest.mark.parametrize("env", ENV_STACKS)
def test_backend_block_is_the_synthesized_one(
    env: str, tier_stacks_dir: Path, initialized: dict[str, Path], tier_settings: dict[str, str]
) -> None:
    written = json.loads((initialized[env] / "main.tf.json").read_text())["terraform"]["backend"]
    assert written == backend_block(tier_stacks_dir, env)["backend"]
    assert written["s3"] == {
        "bucket": tier_settings["CATALOG_STATE_BUCKET"],
        "encrypt": True,
        "key": state_key(env),
        "kms_key_id": tier_settings["CATALOG_STATE_KMS_KEY_ID"],
        "region": tier_settings["CATALOG_STATE_REGION"],
        "use_lockfile": True,
    }
    # init recorded that backend, and no override replaced it
    recorded = json.loads((initialized[env] / ".terraform" / "terraform.tfstate").read_text())
    assert recorded["backend"]["type"] == "s3"
    assert recorded["backend"]["config"]["key"] == state_key(env)
    assert not list(initialized[env].glob("*_override.tf.json"))


@pytest.mark.parametrize("env", ENV_STACKS)
def test_state_lands_under_env_key_encrypted_with_state_key(
    env: str, initialized: dict[str, Path], s3: Any, moto_account: harness.SeededAccount
) -> None:
    head = s3.head_object(Bucket=moto_account.state_bucket, Key=state_key(env))
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == moto_account.kms_key_arn
    state = json.loads(
        s3.get_object(Bucket=moto_account.state_bucket, Key=state_key(env))["Body"].read()
    )
    assert marker_input(state) == "2"


@pytest.mark.parametrize("env", ENV_STACKS)
def test_state_history_is_versioned(
    env: str, initialized: dict[str, Path], s3: Any, moto_account: harness.SeededAccount
) -> None:
    versions = [
        v
        for v in s3.list_object_versions(
            Bucket=moto_account.state_bucket, Prefix=state_key(env)
        ).get("Versions", [])
        if v["Key"] == state_key(env)
    ]
    assert len(versions) >= 2
    inputs = []
    for version in versions:
        body = s3.get_object(
            Bucket=moto_account.state_bucket, Key=state_key(env), VersionId=version["VersionId"]
        )["Body"].read()
        inputs.append(marker_input(json.loads(body)))
    assert {"1", "2"} <= set(inputs)
    # no lock left behind by the finished applies
    lock_versions = s3.list_objects_v2(
        Bucket=moto_account.state_bucket, Prefix=f"{state_key(env)}.tflock"
    ).get("KeyCount")
    assert lock_versions == 0


@contextlib.contextmanager
def apply_holding_lock(
    directory: Path, *, env: dict[str, str], tmp_path: Path, revision: str
) -> Iterator[Path]:
    """A running apply that holds the lock; yields the file that lets it finish."""
    started, release = tmp_path / "started", tmp_path / "release"
    config = json.loads((directory / "main.tf.json").read_text())
    config["resource"]["terraform_data"] = slow_resources(started, release)
    (directory / "main.tf.json").write_text(json.dumps(config, indent=2))
    with harness.background_terraform(
        ["apply", "-auto-approve", "-no-color", f"-var=revision={revision}"],
        cwd=directory,
        env=env,
        log_path=tmp_path / "holder.log",
    ) as holder:
        deadline = time.monotonic() + 600  # a loaded machine is slow, not broken
        while not started.exists():
            assert holder.poll() is None, (tmp_path / "holder.log").read_text()
            assert time.monotonic() < deadline, "the holding apply never started its resource"
            time.sleep(0.1)
        yield release
        release.touch()
        assert holder.wait(timeout=120) == 0, (tmp_path / "holder.log").read_text()


def second_workdir(tmp_path: Path, first: Path) -> Path:
    """Another checkout of the same configuration (a second CI run)."""
    directory = tmp_path / "second"
    directory.mkdir()
    (directory / "main.tf.json").write_text((first / "main.tf.json").read_text())
    return directory


def test_lock_file_exists_while_apply_runs(
    initialized: dict[str, Path],
    terraform_env: dict[str, str],
    s3: Any,
    moto_account: harness.SeededAccount,
    tmp_path: Path,
) -> None:
    lock_key = f"{state_key('dev')}.tflock"
    with apply_holding_lock(initialized["dev"], env=terraform_env, tmp_path=tmp_path, revision="3"):
        info = json.loads(
            s3.get_object(Bucket=moto_account.state_bucket, Key=lock_key)["Body"].read()
        )
        assert info["Operation"] == "OperationTypeApply"
        assert info["Path"] == f"{moto_account.state_bucket}/{state_key('dev')}"
    assert s3.list_objects_v2(Bucket=moto_account.state_bucket, Prefix=lock_key)["KeyCount"] == 0


def test_concurrent_run_fails_on_the_lock_without_lock_timeout(
    initialized: dict[str, Path],
    terraform_env: dict[str, str],
    tmp_path: Path,
    moto_server: harness.MotoServer,
) -> None:
    second = second_workdir(tmp_path, initialized["dev"])
    harness.run_terraform(["init", "-input=false", "-no-color"], cwd=second, env=terraform_env)
    with (
        apply_holding_lock(initialized["dev"], env=terraform_env, tmp_path=tmp_path, revision="4"),
        LockProxy(upstream=moto_server.endpoint) as proxy,
    ):
        result = harness.run_terraform(
            ["plan", "-no-color", "-var=revision=5"],
            cwd=second,
            env=terraform_env | {"AWS_ENDPOINT_URL": proxy.endpoint},
            check=False,
        )
    assert result.returncode == 1
    assert LOCK_ERROR in result.stdout
    assert "Lock Info" in result.stdout and "OperationTypeApply" in result.stdout
    # It failed at once: one attempt on the lock (and the read of who holds it), no waiting
    # loop. Counted, not timed: a wall-clock bound fails on a loaded machine.
    assert proxy.trace() == [("PUT", 412), ("GET", 200)]


def hold_lock(s3: Any, *, bucket: str, env: str, holder: str = "another-run@ci") -> str:
    """Take ``env``'s state lock the way Terraform does (its lock info JSON in the ``.tflock``
    object), straight through S3; returns the lock object's key."""
    key = f"{state_key(env)}.tflock"
    info = {
        "ID": str(uuid.uuid4()),
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": holder,
        "Version": "1.11.4",
        "Created": "2026-01-01T00:00:00Z",
        "Path": f"{bucket}/{state_key(env)}",
    }
    s3.put_object(
        Bucket=bucket, Key=key, Body=json.dumps(info).encode(), ContentType="application/json"
    )
    return key


def test_concurrent_run_waits_for_the_lock_with_lock_timeout(
    initialized: dict[str, Path],
    terraform_env: dict[str, str],
    tmp_path: Path,
    s3: Any,
    moto_server: harness.MotoServer,
) -> None:
    """Deterministic: the lock is held through S3 and released at one known moment, after the
    waiter found it taken (412) and read who holds it, before its next attempt. (Releasing it
    on a wall clock could fall between those two requests: Terraform then gives up, see
    test_deploy_lock_race.py.)"""
    second = second_workdir(tmp_path, initialized["dev"])
    harness.run_terraform(["init", "-input=false", "-no-color"], cwd=second, env=terraform_env)
    bucket = terraform_env["CATALOG_STATE_BUCKET"]
    lock_key = hold_lock(s3, bucket=bucket, env="dev")

    def release_before_the_second_attempt(request: LockRequest) -> None:
        if request.method == "PUT" and request.index == 2:
            s3.delete_object(Bucket=bucket, Key=lock_key)

    with LockProxy(
        upstream=moto_server.endpoint, before=release_before_the_second_attempt
    ) as proxy:
        result = harness.run_terraform(
            ["apply", "-auto-approve", "-no-color", "-lock-timeout=120s", "-var=revision=7"],
            cwd=second,
            env=terraform_env | {"AWS_ENDPOINT_URL": proxy.endpoint},
            check=False,
        )
    assert proxy.errors == []
    assert result.returncode == 0, result.stdout
    # It found the lock held and read its info, waited, then took the released lock.
    assert proxy.trace()[:3] == [("PUT", 412), ("GET", 200), ("PUT", 200)], proxy.trace()
    state = json.loads(s3.get_object(Bucket=bucket, Key=state_key("dev"))["Body"].read())
    assert marker_input(state) == "7"
    assert s3.list_objects_v2(Bucket=bucket, Prefix=lock_key)["KeyCount"] == 0


def test_older_saved_plan_is_refused_as_stale(
    initialized: dict[str, Path], terraform_env: dict[str, str], tmp_path: Path
) -> None:
    directory = initialized["staging"]
    old_plan = tmp_path / "old.tfplan"
    harness.run_terraform(
        ["plan", "-no-color", "-var=revision=10", f"-out={old_plan}"],
        cwd=directory,
        env=terraform_env,
    )
    # someone applies in between
    harness.run_terraform(
        ["apply", "-auto-approve", "-no-color", "-var=revision=11"],
        cwd=directory,
        env=terraform_env,
    )
    result = harness.run_terraform(
        ["apply", "-no-color", str(old_plan)], cwd=directory, env=terraform_env, check=False
    )
    assert result.returncode == 1
    assert "Saved plan is stale" in result.stdout
    state = json.loads(
        harness.run_terraform(["show", "-json"], cwd=directory, env=terraform_env).stdout
    )
    inputs = {r["name"]: r["values"]["input"] for r in state["values"]["root_module"]["resources"]}
    assert inputs["marker"] == "11"
