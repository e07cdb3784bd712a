"""Every synthesized resource names the infra/ line that constructed it (``//``.source).

The session synthesis (tests/conftest.py ``synth_dir``) is read back from disk, because the
record is written by ``SourceMappedApp.synth``; ``Testing.synth`` drops all ``//`` metadata.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixture_paths import REPO_ROOT
from tests.infra.synth_json import ENV_NAMES, stack_name
from tests.infra.test_infra_snapshots import normalize

BOOTSTRAP = "catalog-api-bootstrap"
ALL_STACKS = (*(stack_name(env) for env in ENV_NAMES), BOOTSTRAP)
MIN_MAPPED_SHARE = 0.99

Block = tuple[str, str, str, dict[str, Any]]  # kind, type, name, body


def _read(synth_dir: Path, stack: str) -> dict[str, Any]:
    return json.loads((synth_dir / "stacks" / stack / "cdk.tf.json").read_text(encoding="utf-8"))


def _blocks(document: dict[str, Any]) -> Iterator[Block]:
    for kind in ("resource", "data"):
        for resource_type, named in (document.get(kind) or {}).items():
            for name, body in named.items():
                yield kind, resource_type, name, body


def _source(body: dict[str, Any]) -> dict[str, Any] | None:
    return (body.get("//") or {}).get("source")


def _path(body: dict[str, Any]) -> str:
    return body["//"]["metadata"]["path"]


@functools.cache
def _tree(file: str) -> ast.Module:
    return ast.parse((REPO_ROOT / file).read_text(encoding="utf-8"))


def _callees_at(file: str, line: int) -> set[str]:
    """Names called by the call expressions that start on ``file:line``."""
    names = set()
    for node in ast.walk(_tree(file)):
        if isinstance(node, ast.Call) and node.lineno == line:
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def _module_name(file: str) -> str:
    return file.removesuffix(".py").replace("/", ".")


@functools.cache
def _constructs(callee: Any, resource_type: str) -> bool:
    """``callee`` is the binding class of ``resource_type``, or an infra helper calling it."""
    if isinstance(callee, type):
        return getattr(callee, "TF_RESOURCE_TYPE", None) == resource_type
    if inspect.isfunction(callee) and callee.__module__.startswith("infra."):
        module = importlib.import_module(callee.__module__)
        helper = ast.parse(inspect.getsource(callee))
        return any(
            _constructs(getattr(module, node.func.id, None), resource_type)
            for node in ast.walk(helper)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        )
    return False


def _line_constructs(source: dict[str, Any], resource_type: str) -> bool:
    module = importlib.import_module(_module_name(source["file"]))
    return any(
        _constructs(getattr(module, name, None), resource_type)
        for name in _callees_at(source["file"], source["line"])
    )


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_every_resource_and_data_source_is_mapped(synth_dir: Path, stack: str) -> None:
    blocks = list(_blocks(_read(synth_dir, stack)))
    unmapped = [f"{kind}.{rtype}.{name}" for kind, rtype, name, body in blocks if not _source(body)]
    share = 1 - len(unmapped) / len(blocks)
    assert share >= MIN_MAPPED_SHARE, f"{stack}: {share:.1%} mapped; unmapped: {unmapped}"


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_each_source_line_constructs_the_resource_class(synth_dir: Path, stack: str) -> None:
    """file:line is a call of the resource's CDKTF class, or of an infra/ helper that makes it."""
    wrong = []
    for _, resource_type, name, body in _blocks(_read(synth_dir, stack)):
        source = _source(body)
        if source is None:
            continue
        assert source["file"].startswith("infra/") and source["file"].endswith(".py")
        if not _line_constructs(source, resource_type):
            wrong.append(f"{resource_type}.{name} -> {source['file']}:{source['line']}")
    assert not wrong, "source lines that do not construct their resource:\n" + "\n".join(wrong)


# "stack/construct path prefix resource_type" -> (file under infra/components, callee on the line)
COMPONENTS = {
    "prod/network/vpc aws_vpc": ("network.py", "Vpc"),
    "prod/network/public-subnet-0 aws_subnet": ("network.py", "Subnet"),  # in a comprehension
    "prod/database/cluster aws_rds_cluster": ("database.py", "RdsCluster"),
    # made by Database.allow_from, which the stack calls: the line inside the component
    "prod/database/from-service aws_vpc_security_group_ingress_rule": (
        "database.py",
        "VpcSecurityGroupIngressRule",
    ),
    "dev/service/service aws_ecs_service": ("service.py", "EcsService"),
    "prod/load-balancer/alb aws_lb": ("load_balancer.py", "Lb"),
    "prod/cdn/distribution aws_cloudfront_distribution": ("cdn.py", "CloudfrontDistribution"),
    "dev/storage/lifecycle aws_s3_bucket_lifecycle_configuration": (
        "storage.py",
        "S3BucketLifecycleConfiguration",
    ),
    # a module-level helper: the call site in the component, not the helper's body
    "prod/storage/public-access-block aws_s3_bucket_public_access_block": (
        "storage.py",
        "block_all_public_access",
    ),
    "prod/secrets/ aws_secretsmanager_secret": ("secrets.py", "SecretsmanagerSecret"),
    "prod/cdn/viewer-certificate/ aws_acm_certificate": ("certificate.py", "AcmCertificate"),
    "prod/database-key/ aws_kms_key": ("encryption.py", "KmsKey"),
    "bootstrap/state/bucket aws_s3_bucket": ("state_bucket.py", "S3Bucket"),
    "bootstrap/state/public_access_block aws_s3_bucket_public_access_block": (
        "state_bucket.py",
        "block_all_public_access",
    ),
    "bootstrap/github/ aws_iam_openid_connect_provider": (
        "github_oidc.py",
        "IamOpenidConnectProvider",
    ),
    "bootstrap/roles_dev/plan_role aws_iam_role": ("github_oidc.py", "IamRole"),
}


@pytest.mark.parametrize(("where", "expected"), COMPONENTS.items(), ids=list(COMPONENTS))
def test_component_resources_map_to_the_line_inside_the_component(
    synth_dir: Path, where: str, expected: tuple[str, str]
) -> None:
    location, resource_type = where.split(" ")
    env, path = location.split("/", 1)
    file, callee = expected
    stack = BOOTSTRAP if env == "bootstrap" else stack_name(env)
    prefix = f"{stack}/{path}"
    found = [
        body
        for kind, rtype, _, body in _blocks(_read(synth_dir, stack))
        if kind == "resource" and rtype == resource_type and _path(body).startswith(prefix)
    ]
    assert found, f"no {resource_type} under {prefix}"
    for body in found:
        source = _source(body)
        assert source is not None, f"{_path(body)} has no source"
        assert source["file"] == f"infra/components/{file}"
        assert callee in _callees_at(source["file"], source["line"]), source


@pytest.mark.parametrize(
    ("stack", "file"),
    [(stack_name("prod"), "infra/stacks/catalog_api.py"), (BOOTSTRAP, "infra/stacks/bootstrap.py")],
)
def test_data_sources_made_by_a_stack_map_to_the_stack(
    synth_dir: Path, stack: str, file: str
) -> None:
    caller = next(iter(_read(synth_dir, stack)["data"]["aws_caller_identity"].values()))
    source = _source(caller)
    assert source is not None and source["file"] == file
    assert "DataAwsCallerIdentity" in _callees_at(file, source["line"])


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_recording_adds_only_source_metadata(
    synth_dir: Path, synthesized_stacks: dict[str, dict[str, Any]], stack: str
) -> None:
    """Rewriting the file changes nothing Terraform reads."""
    assert normalize(_read(synth_dir, stack)) == normalize(synthesized_stacks[stack])


def test_unmapped_constructs_keep_their_metadata_and_hooks_are_removed(tmp_path: Path) -> None:
    """Fallbacks: made outside infra/, outside recording, or added raw; no source, no error."""
    import jsii
    from cdktf import TerraformStack
    from cdktf_cdktf_provider_aws.provider import AwsProvider
    from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket

    from infra.components.storage import block_all_public_access
    from infra.sources import SourceMappedApp

    app = SourceMappedApp(outdir=str(tmp_path))
    original_create = jsii.create
    with app.recording():
        stack = TerraformStack(app, "probe")
        AwsProvider(stack, "aws", region="eu-north-1")
        bucket = S3Bucket(stack, "from-a-test", bucket="probe")
        # A helper called with no construct on the stack: its own innermost infra/ line.
        block_all_public_access(stack, "helper", bucket_id=bucket.id)
        stack.add_override("resource.aws_s3_bucket.raw", {"bucket": "raw"})
    assert jsii.create is original_create
    S3Bucket(stack, "after-recording", bucket="later")
    with pytest.raises(RuntimeError), app.recording():
        raise RuntimeError("boom")
    assert jsii.create is original_create
    app.synth()

    resources = _read(tmp_path, "probe")["resource"]
    assert _source(resources["aws_s3_bucket"]["from-a-test"]) is None
    assert _source(resources["aws_s3_bucket"]["after-recording"]) is None
    assert resources["aws_s3_bucket"]["raw"] == {"bucket": "raw"}
    helper = _source(resources["aws_s3_bucket_public_access_block"]["helper"])
    assert helper is not None and helper["file"] == "infra/components/storage.py"
    assert "S3BucketPublicAccessBlock" in _callees_at(helper["file"], helper["line"])


def test_child_paths_follow_the_constructs_library() -> None:
    from infra.sources import _child_path

    assert _child_path("", "catalog-api-dev") == "catalog-api-dev"
    assert _child_path("catalog-api-dev/network", "vpc") == "catalog-api-dev/network/vpc"
    # The separators of node.path and node.addr inside one id become "--", as in constructs.
    assert _child_path("s", "a/b") == "s/a--b"
    assert _child_path("s", "x\ny") == "s/x--y"
