"""The real bootstrap stack: applied with local state, then moved into the bucket it created
with ``terraform init -migrate-state``, step by step as docs/bootstrap.md tells an
administrator (``CATALOG_BOOTSTRAP_BACKEND=s3``, ``CATALOG_STATE_KMS_KEY_ID`` from the output,
synth, ``init -migrate-state``, ``plan`` expecting no changes)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.terraform import harness
from tests.terraform.conftest import (
    BOOTSTRAP_STACK,
    TerraformTier,
    make_terraform_env,
    stack_file,
)

BOOTSTRAP_STATE_KEY = "catalog-api/bootstrap/terraform.tfstate"  # docs/bootstrap.md


@dataclass(frozen=True, kw_only=True)
class Migration:
    workdir: Path
    env: dict[str, str]
    local_state: dict[str, Any]  # the local state right before the migration
    outputs: dict[str, Any]
    init_output: str
    plan_exit_code: int
    plan_output: str
    s3: Any


def resource_ids(state: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (r["type"], r["name"], str(instance.get("index_key", "")) + instance["attributes"]["id"])
        for r in state["resources"]
        if r["mode"] == "managed"
        for instance in r["instances"]
    }


def synthesize_bootstrap(settings: dict[str, str], outdir: Path) -> Path:
    """``pipenv run synth`` for the bootstrap stack, in this process (bindings already loaded)."""
    from cdktf import App

    from infra.config import load_settings
    from infra.stacks.bootstrap import BootstrapStack

    app = App(outdir=str(outdir))
    BootstrapStack(app, BOOTSTRAP_STACK, settings=load_settings(settings))
    app.synth()
    return stack_file(outdir, BOOTSTRAP_STACK)


@pytest.fixture(scope="module")
def migration(
    *,
    moto_server: harness.MotoServer,
    terraform_tier: TerraformTier,
    tier_settings: dict[str, str],
    tier_stacks_dir: Path,
    bootstrap_overrides_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Migration:
    # A fresh account: nothing exists before the bootstrap (it creates the state bucket).
    moto_server.reset()
    env = make_terraform_env(
        server=moto_server,
        tier=terraform_tier,
        settings=tier_settings,
        overrides_dir=bootstrap_overrides_dir,
    )
    env.pop("CATALOG_STATE_KMS_KEY_ID")  # unknown until the bootstrap has created the key
    workdir = harness.prepare_stack_dir(
        tmp_path_factory.mktemp("bootstrap") / BOOTSTRAP_STACK,
        stack_file=stack_file(tier_stacks_dir, BOOTSTRAP_STACK),
        overrides_dir=bootstrap_overrides_dir,
    )
    assert "local" in json.loads((workdir / "cdk.tf.json").read_text())["terraform"]["backend"]
    harness.run_terraform(["init", "-input=false", "-no-color"], cwd=workdir, env=env)
    harness.run_terraform(["apply", "-auto-approve", "-no-color"], cwd=workdir, env=env)
    outputs = {
        name: entry["value"]
        for name, entry in json.loads(
            harness.run_terraform(["output", "-json"], cwd=workdir, env=env).stdout
        ).items()
    }
    local_state = json.loads((workdir / "terraform.tfstate").read_text())

    # export CATALOG_BOOTSTRAP_BACKEND=s3; export CATALOG_STATE_KMS_KEY_ID=$(... output ...)
    settings = {
        **tier_settings,
        "CATALOG_BOOTSTRAP_BACKEND": "s3",
        "CATALOG_STATE_KMS_KEY_ID": outputs["state_kms_key_arn"],
    }
    # pipenv run synth: rewrites cdk.tf.json in place; terraform.tfstate stays beside it.
    resynthesized = synthesize_bootstrap(settings, tmp_path_factory.mktemp("bootstrap-s3"))
    shutil.copy2(resynthesized, workdir / "cdk.tf.json")
    env.update(settings)
    # `terraform init -migrate-state` answering "yes": -force-copy is that answer in automation.
    init = harness.run_terraform(
        ["init", "-migrate-state", "-force-copy", "-input=false", "-no-color"], cwd=workdir, env=env
    )
    plan = harness.run_terraform(
        ["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        cwd=workdir,
        env=env,
        check=False,
    )
    return Migration(
        workdir=workdir,
        env=env,
        local_state=local_state,
        outputs=outputs,
        init_output=init.stdout,
        plan_exit_code=plan.returncode,
        plan_output=plan.stdout,
        s3=harness.boto3_client("s3", endpoint=moto_server.endpoint),
    )


def test_bootstrap_applies_with_local_state_and_creates_the_bucket(migration: Migration) -> None:
    assert migration.local_state["resources"], "the local state holds the bootstrap resources"
    bucket = migration.outputs["state_bucket"]
    versioning = migration.s3.get_bucket_versioning(Bucket=bucket)
    assert versioning["Status"] == "Enabled"
    rule = migration.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
        "Rules"
    ][0]["ApplyServerSideEncryptionByDefault"]
    assert rule == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": migration.outputs["state_kms_key_arn"],
    }


def test_migrate_state_copies_the_local_state_into_the_bucket(migration: Migration) -> None:
    assert 'Successfully configured the backend "s3"' in migration.init_output
    body = migration.s3.get_object(
        Bucket=migration.outputs["state_bucket"], Key=BOOTSTRAP_STATE_KEY
    )["Body"].read()
    migrated = json.loads(body)
    # the same resources with the same remote objects (ids), not an empty or re-created state
    assert resource_ids(migrated) == resource_ids(migration.local_state)
    assert len(resource_ids(migrated)) >= 20
    # terraform now reads the state from S3 (the local file is only the copy the docs delete)
    listed = harness.run_terraform(["state", "list"], cwd=migration.workdir, env=migration.env)
    assert len(listed.stdout.split()) == sum(
        len(r["instances"]) for r in migration.local_state["resources"]
    )


def test_migrated_state_is_encrypted_with_the_key_the_bootstrap_created(
    migration: Migration,
) -> None:
    head = migration.s3.head_object(
        Bucket=migration.outputs["state_bucket"], Key=BOOTSTRAP_STATE_KEY
    )
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == migration.outputs["state_kms_key_arn"]


def test_plan_after_migration_shows_no_changes(migration: Migration) -> None:
    assert migration.plan_exit_code == 0, migration.plan_output[-4000:]
    assert "No changes." in migration.plan_output
