"""pipeline.boundary: what a PR plan takes from the artifact, what it rebuilds, what it refuses."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from infra import backend, terraform_root
from infra.config import load_settings
from pipeline import boundary
from pipeline.cli import main
from pipeline.provider_types import DATA_FILE, allowed_data_sources
from tests.fixture_paths import REPO_ROOT

SNAPSHOT = REPO_ROOT / "tests" / "infra" / "snapshots" / "catalog-api-dev.json"


@pytest.fixture
def dev() -> dict[str, Any]:
    return json.loads(SNAPSHOT.read_text())


def _rules(document: dict[str, Any]) -> list[str]:
    with pytest.raises(boundary.BoundaryError) as caught:
        boundary.check(document)
    return sorted({v.rule for v in caught.value.violations})


@pytest.mark.parametrize("stack", ["catalog-api-dev", "catalog-api-staging", "catalog-api-prod"])
def test_the_project_stacks_pass_and_their_root_blocks_are_what_synth_writes(
    stack: str, synthesized_stacks: dict[str, dict[str, Any]]
) -> None:
    document = synthesized_stacks[stack]
    boundary.check(document)
    settings = load_settings({})
    config = next(e for e in settings.environments if e.stack_name == stack)
    assert document["terraform"] == terraform_root.terraform_block(config, settings.state)
    assert document["provider"] == terraform_root.provider_blocks(config)
    assert terraform_root.REQUIRED_TERRAFORM_VERSION == backend.REQUIRED_TERRAFORM_VERSION


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split("/")
    for key in parents:
        doc = doc.setdefault(key, {})
    doc[last] = value


BUCKET = "resource/aws_s3_bucket/x"
CASES = [
    ("module", "module/m", {"source": "./m"}, "BND001"),
    ("check block", "check/c", {"assert": []}, "BND001"),
    ("import block", "import", [{"to": "aws_s3_bucket.x", "id": "y"}], "BND001"),
    ("non-aws resource", "resource/null_resource/x", {}, "BND002"),
    ("external data", "data/external/x", {"program": ["sh"]}, "BND003"),
    ("secret data", "data/aws_secretsmanager_secret_version/x", {"secret_id": "s"}, "BND003"),
    ("object body data", "data/aws_s3_object/x", {"bucket": "b", "key": "k"}, "BND003"),
    ("unreadable template", BUCKET, {"bucket": "${"}, "BND004"),
    ("file", BUCKET, {"bucket": '${file("/etc/passwd")}'}, "BND005"),
    ("file in a key", BUCKET, {"tags": {'${file("/etc/passwd")}': "x"}}, "BND005"),
    ("timestamp", BUCKET, {"bucket": "${timestamp()}"}, "BND005"),
    ("unknown resource", BUCKET, {"bucket": "${aws_s3_bucket.nope.id}"}, "BND006"),
    ("unknown variable", BUCKET, {"bucket": "${var.nope}"}, "BND006"),
    ("path reference", BUCKET, {"bucket": "${path.module}"}, "BND006"),
    ("provisioner", BUCKET, {"provisioner": [{"local-exec": {"command": "id"}}]}, "BND007"),
    ("connection", BUCKET, {"connection": {"host": "x"}}, "BND007"),
    ("foreign provider", BUCKET, {"provider": "aws.evil"}, "BND007"),
    ("depends_on call", BUCKET, {"depends_on": ['file("x")']}, "BND004"),
    ("lifecycle extra", BUCKET, {"lifecycle": {"action_trigger": []}}, "BND007"),
    ("variable validation", "variable/v", {"validation": [{"condition": "true"}]}, "BND008"),
    ("variable type", "variable/v", {"type": "object({a=string})"}, "BND008"),
    ("infinite", BUCKET, {"bucket_prefix": float("inf")}, "BND008"),
]


@pytest.mark.parametrize(("name", "path", "value", "rule"), CASES, ids=[c[0] for c in CASES])
def test_refused_with_its_rule(
    dev: dict[str, Any], name: str, path: str, value: Any, rule: str
) -> None:
    document = copy.deepcopy(dev)
    _set(document, path, value)
    assert _rules(document) == [rule]


def test_what_is_taken_passes(dev: dict[str, Any]) -> None:
    document = copy.deepcopy(dev)
    document["variable"] = {"n": {"type": "number", "default": 2}}
    document["locals"] = {"names": '${[for i in range(var.n) : format("b-%d", i)]}'}
    document["resource"]["aws_s3_bucket"]["x"] = {
        "for_each": "${toset(local.names)}",
        "bucket": "${each.value}",
        "provider": "aws.us_east_1",
        "depends_on": ["data.aws_caller_identity.caller"],
        "lifecycle": {"ignore_changes": ["tags"], "prevent_destroy": False},
        "//": {"metadata": {"path": "catalog-api-dev/x"}},
    }
    boundary.check(document)


def test_rebuild_drops_the_artifacts_root_blocks(dev: dict[str, Any]) -> None:
    document = copy.deepcopy(dev)
    document["terraform"] = [{"backend": {"s3": {"bucket": "attacker"}}}, document["terraform"]]
    document["provider"]["aws"].append({"alias": "x", "profile": "pwn"})
    boundary.check(document)  # dropped, not read
    settings = load_settings({})
    config = settings.environments[0]
    rebuilt = boundary.rebuild(document, config=config, settings=settings)
    assert "attacker" not in json.dumps(rebuilt) and "pwn" not in json.dumps(rebuilt)
    assert rebuilt["terraform"]["backend"]["s3"]["key"] == config.state_key
    assert rebuilt["resource"] == document["resource"]


def _zip(document: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("stacks/catalog-api-dev/cdk.tf.json", json.dumps(document))
    return buffer.getvalue()


def test_pr_stack_cli_writes_the_rebuilt_stack_and_deletes_the_zip(
    dev: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "pr.zip"
    archive.write_bytes(_zip(dev))
    assert main(["pr-stack", str(archive), "--env", "dev", "--output", str(tmp_path / "out")]) == 0
    assert not archive.exists()
    written = json.loads((tmp_path / "out/stacks/catalog-api-dev/cdk.tf.json").read_text())
    assert written["resource"] == dev["resource"]


def test_pr_stack_cli_refusal_is_one_exit_2_with_rule_ids(
    dev: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = copy.deepcopy(dev)
    document["output"]["leak"] = {"value": '${file/**/("/proc/self/environ")}'}
    archive = tmp_path / "pr.zip"
    archive.write_bytes(_zip(document))
    assert main(["pr-stack", str(archive), "--env", "dev", "--output", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "BND005 output.leak.value: calls file()" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.unchecked").exists()


def test_data_source_list_is_schema_derived_and_complete_for_our_stacks(
    dev: dict[str, Any],
) -> None:
    recorded = json.loads(DATA_FILE.read_text())
    assert "hashicorp/aws 5.100.0" in recorded["source"] and recorded["generated"]
    assert set(dev["data"]) <= allowed_data_sources()
    for secret in ("aws_ssm_parameter", "aws_secretsmanager_secret_version", "aws_kms_secrets"):
        assert secret in recorded["refused"]


def test_the_committed_lock_file_pins_the_version_the_stacks_require() -> None:
    """PR plans init with -lockfile=readonly against this file (scripts/plan.sh)."""
    text = (REPO_ROOT / "infra" / ".terraform.lock.hcl").read_text()
    block = text[text.index('provider "registry.terraform.io/hashicorp/aws"') :]
    version = terraform_root.AWS_PROVIDER_VERSION
    assert f'version     = "{version}"' in block and f'constraints = "{version}"' in block
    lines = [line.strip().strip('",') for line in block.splitlines()]
    hashes = [line for line in lines if line.startswith(("zh:", "h1:"))]
    assert sum(h.startswith("zh:") for h in hashes) >= 4  # every platform's zip, incl. linux_amd64
    assert sum(h.startswith("h1:") for h in hashes) >= 4
    providers = [line for line in text.splitlines() if line.startswith("provider ")]
    assert len(providers) == 1  # nothing but hashicorp/aws can be installed
