"""The loader: every input becomes the same model, unknowns stay unknown, bad input is one line."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from policies.loader import environment_from_name, inputs, load_file, load_path, stack_name
from policies.model import UNKNOWN, is_known
from tfjson import kind
from tfjson.kind import document_kind
from tfjson.reader import InputError

FIXTURES = Path(__file__).parent / "fixtures"
PLAN = FIXTURES / "plan_stateful_replace.json"

CDKTF_STACK: dict[str, Any] = {
    "//": {"metadata": {"stackName": "catalog-api-prod", "version": "0.21.0"}},
    "terraform": {
        "required_version": ">= 1.10",
        "backend": {"s3": {"bucket": "state", "key": "k", "encrypt": True, "use_lockfile": True}},
    },
    "provider": {
        "aws": [
            {"region": "eu-north-1", "default_tags": [{"tags": {"Project": "catalog-api"}}]},
            {"alias": "us_east_1", "region": "us-east-1"},
        ]
    },
    "data": {"aws_caller_identity": {"caller": {"//": {"metadata": {"path": "x"}}}}},
    "resource": {
        "aws_ecs_cluster": {"cluster": {"name": "catalog-api-prod"}},
        "aws_ecs_service": {
            "service": {
                "//": {"metadata": {"path": "catalog-api-prod/service"}},
                "cluster": "${aws_ecs_cluster.cluster.id}",
                "capacity_provider_strategy": [
                    {"capacity_provider": "FARGATE", "weight": 1},
                    {"capacity_provider": "${aws_ecs_capacity_provider.spot.name}", "weight": 2},
                ],
                "lifecycle": {"ignore_changes": ["desired_count"]},
                "escaped": "literal $${not_a_token}",
            }
        },
        "aws_lb": {
            "alb": {
                "name": "catalog-api-prod",
                "access_logs": {"bucket": "${aws_s3_bucket.logs.bucket}", "enabled": True},
                "tags": {"Account": "${data.aws_caller_identity.caller.account_id}"},
            }
        },
        "aws_acm_certificate": {"viewer": {"provider": "aws.us_east_1", "domain_name": "x.io"}},
    },
}


def write_stack(root: Path, name: str, content: dict[str, Any]) -> Path:
    path = root / "stacks" / name / "cdk.tf.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(content, indent=2))
    return path


@pytest.fixture
def prod_stack(tmp_path: Path) -> Path:
    return write_stack(tmp_path / "cdktf.out", "catalog-api-prod", CDKTF_STACK)


def test_cdktf_stack_is_normalized(prod_stack: Path) -> None:
    document = load_file(prod_stack)
    assert document.kind == "config"
    assert document.stack == "catalog-api-prod"
    assert document.environment == "prod"  # from the name: default_tags has no Environment
    assert document.required_version == ">= 1.10"
    assert document.backend is not None
    assert document.backend.type == "s3"
    assert document.backend.config["use_lockfile"] is True
    assert document.backend.address == "terraform.backend.s3"
    assert [p.key for p in document.providers] == ["aws", "aws.us_east_1"]
    addresses = {r.address for r in document.resources}
    assert "data.aws_caller_identity.caller" in addresses
    assert "aws_ecs_service.service" in addresses


def test_tokens_become_unknown_and_literals_stay(prod_stack: Path) -> None:
    service = load_file(prod_stack).resource("aws_ecs_service.service")
    assert service is not None
    assert service.values["cluster"] is UNKNOWN
    strategy = service.values["capacity_provider_strategy"]
    assert strategy[0]["capacity_provider"] == "FARGATE"
    assert strategy[1]["capacity_provider"] is UNKNOWN
    assert not is_known(service.values)
    assert service.values["escaped"] == "literal $${not_a_token}"
    assert service.values["lifecycle"] == {"ignore_changes": ["desired_count"]}
    assert "//" not in service.values


def test_references_are_recorded_before_tokens_are_erased(prod_stack: Path) -> None:
    document = load_file(prod_stack)
    service = document.resource("aws_ecs_service.service")
    alb = document.resource("aws_lb.alb")
    assert service is not None and alb is not None
    assert service.references["cluster"] == "aws_ecs_cluster.cluster"
    assert (
        service.references["capacity_provider_strategy.1.capacity_provider"]
        == "aws_ecs_capacity_provider.spot"
    )
    # CDKTF writes a single block as an object; rules may address it either way.
    assert alb.references["access_logs.0.bucket"] == "aws_s3_bucket.logs"
    assert alb.reference("access_logs.bucket") == "aws_s3_bucket.logs"
    assert alb.references["tags.Account"] == "data.aws_caller_identity.caller"
    assert alb.reference("name") is None


def test_line_points_at_the_resource_name(prod_stack: Path) -> None:
    document = load_file(prod_stack)
    lines = prod_stack.read_text().splitlines()
    for address in ("aws_ecs_service.service", "aws_lb.alb", "data.aws_caller_identity.caller"):
        resource = document.resource(address)
        assert resource is not None and resource.line is not None
        assert f'"{resource.name}":' in lines[resource.line - 1]
    assert document.backend is not None and document.backend.line is not None
    assert '"s3":' in lines[document.backend.line - 1]
    provider = document.providers[1]
    assert provider.address == "provider.aws.us_east_1"
    assert provider.line is not None and '"aws":' in lines[provider.line - 1]


def test_region_follows_the_resource_provider(prod_stack: Path) -> None:
    document = load_file(prod_stack)
    certificate = document.resource("aws_acm_certificate.viewer")
    alb = document.resource("aws_lb.alb")
    assert certificate is not None and alb is not None
    assert (certificate.provider, certificate.region) == ("aws.us_east_1", "us-east-1")
    assert (alb.provider, alb.region) == ("aws", "eu-north-1")


def test_environment_precedence(tmp_path: Path) -> None:
    tagged = json.loads(json.dumps(CDKTF_STACK))
    tagged["provider"]["aws"][0]["default_tags"][0]["tags"]["Environment"] = "Staging"
    path = write_stack(tmp_path, "catalog-api-prod", tagged)
    assert load_file(path).environment == "staging"  # tags beat the name
    assert load_file(path, environment="dev").environment == "dev"  # --env beats both
    assert load_file(path, environment="dev").resources[0].environment == "dev"


@pytest.mark.parametrize(
    ("name", "environment"),
    [("catalog-api-prod", "prod"), ("catalog-api-dev", "dev"), ("plan_staging", "staging"),
     ("catalog-api", None), ("plan", None)],
)  # fmt: skip
def test_environment_from_name(name: str, environment: str | None) -> None:
    assert environment_from_name(name) == environment


@pytest.mark.parametrize(
    ("relative", "stack"),
    [("cdktf.out/stacks/catalog-api-dev/cdk.tf.json", "catalog-api-dev"),
     ("infra/prod.tf.json", "prod"), ("plans/catalog-api-prod.json", "catalog-api-prod"),
     ("catalog-api-staging/plan.json", "catalog-api-staging")],
)  # fmt: skip
def test_stack_name(relative: str, stack: str) -> None:
    assert stack_name(Path(relative)) == stack


def test_plan_is_normalized() -> None:
    document = load_file(PLAN)
    assert document.kind == "plan"
    assert document.terraform_version == "1.11.4"
    assert document.environment == "prod"  # provider default_tags in configuration
    assert document.backend is None
    db = document.resource("aws_rds_cluster.db")
    assert db is not None
    assert db.actions == ("delete", "create")
    assert db.action_reason == "replace_because_cannot_update"
    assert db.region == "eu-north-1"
    assert db.before is not None and db.before["engine_version"] == "16.4"
    assert db.values["engine_version"] == "16.4"
    # after_unknown merged in: unknown leaves, including ones absent from "after".
    assert db.values["kms_key_id"] is UNKNOWN
    assert db.values["arn"] is UNKNOWN
    assert db.values["vpc_security_group_ids"][0] is UNKNOWN
    assert db.values["tags"] == {"Name": "db"}
    assert db.references == {"kms_key_id": "aws_kms_key.db"}


def test_plan_delete_uses_before_values() -> None:
    secret = load_file(PLAN).resource('aws_secretsmanager_secret.old["reporting"]')
    assert secret is not None
    assert secret.actions == ("delete",)
    assert secret.values["recovery_window_in_days"] == 30
    assert secret.action_reason == "delete_because_no_resource_config"


def test_plan_nested_block_unknowns_and_references() -> None:
    document = load_file(PLAN)
    alb = document.resource("aws_lb.alb")
    assert alb is not None
    assert alb.values["access_logs"][0]["bucket"] is UNKNOWN
    assert alb.values["access_logs"][0]["prefix"] == "alb"
    assert alb.references["access_logs.0.bucket"] == "aws_s3_bucket.logs"
    lines = PLAN.read_text().splitlines()
    assert '"address": "aws_lb.alb"' in lines[alb.line - 1]


def test_plan_index_addresses_find_their_configuration() -> None:
    secret = load_file(PLAN).resource('aws_secretsmanager_secret.old["reporting"]')
    assert secret is not None
    assert secret.line is not None  # escaped quotes in the address are matched too
    assert secret.provider == "aws"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_windows_encodings_load_the_same(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "plan-prod.json"
    path.write_bytes(PLAN.read_text(encoding="utf-8").encode(encoding))
    if encoding == "utf-16":
        assert path.read_bytes().startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    document = load_file(path)
    assert document.kind == "plan"
    assert len(document.resources) == 3
    assert document.resource("aws_lb.alb") is not None


def test_directory_of_cdktf_stacks(tmp_path: Path) -> None:
    out = tmp_path / "cdktf.out"
    for name in ("catalog-api-dev", "catalog-api-prod"):
        write_stack(out, name, CDKTF_STACK)
    (out / "manifest.json").write_text('{"version": "0.21.0", "stacks": {}}')
    documents = load_path(out)
    assert [d.stack for d in documents] == ["catalog-api-dev", "catalog-api-prod"]
    assert [d.environment for d in documents] == ["dev", "prod"]


def test_directory_of_tf_json_is_one_module_and_plans_are_found(tmp_path: Path) -> None:
    module = tmp_path / "catalog-api-staging"
    module.mkdir()
    (module / "backend.tf.json").write_text(json.dumps({"terraform": CDKTF_STACK["terraform"]}))
    (module / "main.tf.json").write_text(json.dumps({"resource": CDKTF_STACK["resource"]}))
    (module / "plan.json").write_text(PLAN.read_text())
    (module / "package.json").write_text('{"name": "not-terraform"}')
    config, plan = load_path(module)
    assert config.kind == "config" and plan.kind == "plan"
    assert config.stack == "catalog-api-staging"
    assert config.environment == "staging"
    assert config.backend is not None and config.backend.file.endswith("backend.tf.json")
    service = config.resource("aws_ecs_service.service")
    assert service is not None and service.file.endswith("main.tf.json")


def test_a_plan_among_the_tf_json_of_a_directory_is_named(tmp_path: Path) -> None:
    module = tmp_path / "catalog-api-dev"
    module.mkdir()
    (module / "main.tf.json").write_text(json.dumps({"resource": CDKTF_STACK["resource"]}))
    (module / "tfplan.tf.json").write_text(PLAN.read_text())
    with pytest.raises(InputError, match=r"tfplan\.tf\.json: a plan among the directory's"):
        load_path(module)


def test_the_kind_of_every_input_is_decided_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decided: list[str] = []
    real = kind.document_kind

    def counting(data: Any, *, source: str) -> kind.Kind:
        decided.append(Path(source).name)
        return real(data, source=source)

    monkeypatch.setattr(kind, "document_kind", counting)  # what tfjson.plan's reader calls
    monkeypatch.setattr(inputs, "document_kind", counting)
    stack = write_stack(tmp_path / "cdktf.out", "catalog-api-dev", CDKTF_STACK)
    assert load_file(PLAN).kind == "plan"
    assert load_file(stack).kind == "config"
    assert decided == [PLAN.name, stack.name]


def test_plan_json_is_detected_even_with_few_keys() -> None:
    assert document_kind({"format_version": "1.2", "planned_values": {}}, source="x") == "plan"
    assert document_kind({"variable": {}}, source="x") == "config"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # A state and `terraform validate -json` carry format_version too; neither is a plan
        # with no changes.
        ({"format_version": "1.0", "terraform_version": "1.11.4", "values": {}}, "state"),
        ({"format_version": "1.0", "valid": True, "diagnostics": []}, "not a Terraform plan"),
        ({"format_version": "2.0", "resource_changes": []}, "unsupported plan format_version"),
    ],
)
def test_other_terraform_json_is_not_a_plan(content: dict[str, Any], expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        document_kind(content, source="x.json")


@pytest.mark.parametrize(
    "content",
    [
        {"format_version": "1.2", "resource_changes": {"not": "a list"}},
        {"format_version": "1.2", "resource_changes": [{"address": 3}]},
        {"format_version": "1.2", "resource_changes": [7]},
        {"resource": {"aws_s3_bucket": ["x"]}},
        {"resource": {"aws_s3_bucket": {"logs": "not an object"}}},
        {"terraform": {"backend": {"s3": []}}},
        {"provider": {"aws": ["eu-north-1"]}},
    ],
)
def test_malformed_shapes_are_input_errors(tmp_path: Path, content: dict[str, Any]) -> None:
    path = tmp_path / "bad.tf.json"
    path.write_text(json.dumps(content))
    with pytest.raises(InputError) as caught:
        load_file(path)
    assert "\n" not in str(caught.value)
    assert "bad.tf.json" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("broken_empty.json", "file is empty"),
        ("broken_invalid.json", "invalid JSON"),
        ("broken_neither.json", "neither a Terraform config nor a plan"),
        ("missing.json", "no such file"),
    ],
)
def test_bad_files_are_input_errors(name: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        load_path(FIXTURES / name)


def test_directory_without_stacks_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(InputError, match="no stacks found"):
        load_path(tmp_path)


def test_deep_nesting_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.tf.json"
    path.write_text('{"resource": {"t_x": {"n": {"a": ' + "[" * 5000 + "]" * 5000 + "}}}}")
    with pytest.raises(InputError, match="nested too deeply"):
        load_file(path)
