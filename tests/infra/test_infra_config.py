"""Environment configuration and the app entry point; none of this loads the AWS bindings."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.app import DEFAULT_OUTDIR, main, resolve_outdir
from infra.config import (
    ENVIRONMENTS,
    FARGATE_MEMORY_BY_CPU,
    SUPPORTED_REGIONS,
    CapacityProviderSplit,
    ConfigError,
    EnvironmentConfig,
    load_settings,
    validate_environment,
)
from tests.infra.synth_json import ENGINE_VERSIONS, REPO_ROOT


def changed(env: EnvironmentConfig, changes: dict[str, object]) -> EnvironmentConfig:
    """``env`` with ``{"service.cpu": 512, "region": ...}`` applied (dotted: a group's field)."""
    for dotted, value in changes.items():
        group, _, field = dotted.rpartition(".")
        if group:
            sized = dataclasses.replace(getattr(env, group), **{field: value})
            env = dataclasses.replace(env, **{group: sized})
        else:
            env = dataclasses.replace(env, **{field: value})
    return env


def test_defaults_select_every_environment_with_shared_state_bucket() -> None:
    settings = load_settings({})
    assert [env.name for env in settings.environments] == ["dev", "staging", "prod"]
    assert settings.state.bucket == "catalog-api-terraform-state"
    assert settings.state.region == "eu-north-1"
    assert settings.state.kms_key_id is None


def test_overrides_from_environment_variables() -> None:
    settings = load_settings(
        {
            "CATALOG_ENVIRONMENTS": " prod , dev ",
            "CATALOG_REGION": "eu-west-1",
            "CATALOG_STATE_BUCKET": "acme-tf-state",
            "CATALOG_STATE_REGION": "eu-central-1",
            "CATALOG_STATE_KMS_KEY_ID": "alias/terraform-state",
            "CATALOG_HOSTED_ZONE": "Shop.Example.ORG.",
        }
    )
    assert [env.name for env in settings.environments] == ["prod", "dev"]
    assert {env.region for env in settings.environments} == {"eu-west-1"}
    assert settings.environments[1].availability_zones == ("eu-west-1a", "eu-west-1b")
    assert settings.state.bucket == "acme-tf-state"
    assert settings.state.region == "eu-central-1"
    assert settings.state.kms_key_id == "alias/terraform-state"
    assert settings.environments[0].dns.domain_name == "shop.example.org"
    assert settings.environments[1].dns.origin_domain_name == "origin.dev.shop.example.org"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CATALOG_ENVIRONMENTS": "qa"}, "unknown environment 'qa'"),
        ({"CATALOG_ENVIRONMENTS": " , "}, "names no environment"),
        ({"CATALOG_REGION": "us-east-1"}, "region 'us-east-1' is not supported"),
        ({"CATALOG_STATE_REGION": "mars-1"}, "state region 'mars-1' is not supported"),
        ({"CATALOG_STATE_BUCKET": "Bad_Bucket"}, "invalid state bucket name"),
        ({"CATALOG_HOSTED_ZONE": "not a domain"}, "invalid domain name"),
        ({"CATALOG_ENVIRONMENTS": "dev,prod,dev"}, "names environment 'dev' more than once"),
        ({"CATALOG_STATE_KMS_KEY_ID": "my key"}, "invalid CATALOG_STATE_KMS_KEY_ID 'my key'"),
        ({"CATALOG_STATE_KMS_KEY_ID": "arn:aws:s3:::bucket"}, "invalid CATALOG_STATE_KMS_KEY_ID"),
    ],
)
def test_bad_environment_variables_raise_config_error(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ)


@pytest.mark.parametrize(
    "key_id",
    [
        "arn:aws:kms:eu-north-1:123456789012:key/0b4a6c1e-8f2d-4e3a-9c5b-7d6e5f4a3b2c",
        "arn:aws:kms:eu-north-1:123456789012:alias/terraform-state",
        "alias/terraform-state",
        "0b4a6c1e-8f2d-4e3a-9c5b-7d6e5f4a3b2c",
        "mrk-0b4a6c1e8f2d4e3a9c5b7d6e5f4a3b2c",
    ],
)
def test_state_kms_key_accepts_every_form_the_backend_takes(key_id: str) -> None:
    settings = load_settings({"CATALOG_STATE_KMS_KEY_ID": f" {key_id} "})
    assert settings.state.kms_key_id == key_id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"network.vpc_cidr": "10.300.0.0/16"}, "invalid VPC CIDR"),
        ({"network.vpc_cidr": "10.10.0.1/16"}, "invalid VPC CIDR"),  # host bits set
        ({"network.vpc_cidr": "10.0.0.0/8"}, "prefix between /16 and /24"),
        ({"network.az_count": 1}, "az_count must be 2 or 3"),
        ({"network.az_count": 4}, "az_count must be 2 or 3"),
        ({"region": "ap-south-2"}, "not supported"),
        ({"service.cpu": 256, "service.memory": 4096}, "no task size cpu=256 memory=4096"),
        ({"service.desired_count": 9}, "autoscaling_min <= desired_count <= autoscaling_max"),
        ({"secret_recovery_window_days": 3}, "must be 0 or 7-30"),
        ({"kms_deletion_window_days": 3}, "must be 7-30"),
        (
            {
                "service.capacity": CapacityProviderSplit(
                    on_demand_base=0, on_demand_weight=0, spot_weight=0
                )
            },
            "non-zero weight",
        ),
    ],
)
def test_invalid_environment_values_raise_config_error(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        validate_environment(changed(ENVIRONMENTS["dev"], change))


def test_production_needs_two_database_instances() -> None:
    with pytest.raises(ConfigError, match="at least 2 database instances"):
        validate_environment(changed(ENVIRONMENTS["prod"], {"database.instance_count": 1}))


def test_production_secrets_keep_a_recovery_window() -> None:
    with pytest.raises(ConfigError, match="production secrets need a recovery window"):
        validate_environment(
            dataclasses.replace(ENVIRONMENTS["prod"], secret_recovery_window_days=0)
        )


def test_environment_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENVIRONMENTS["prod"].is_production = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENVIRONMENTS["prod"].database.deletion_protection = False  # type: ignore[misc]


def test_environments_differ_only_in_values() -> None:
    types = {type(env) for env in ENVIRONMENTS.values()}
    assert len(types) == 1
    assert {env.name for env in ENVIRONMENTS.values()} == {"dev", "staging", "prod"}
    for field in dataclasses.fields(EnvironmentConfig):
        kinds = {type(getattr(env, field.name)) for env in ENVIRONMENTS.values()}
        assert len(kinds) == 1, field.name


def test_sizing_groups_are_frozen_dataclasses() -> None:
    """One sizing object per component (config.network, config.service, ...), immutable."""
    groups = [
        getattr(ENVIRONMENTS["dev"], field.name)
        for field in dataclasses.fields(EnvironmentConfig)
        if dataclasses.is_dataclass(getattr(ENVIRONMENTS["dev"], field.name))
    ]
    assert {type(group).__name__ for group in groups} >= {
        "DnsConfig",
        "NetworkConfig",
        "DatabaseConfig",
        "ServiceConfig",
    }
    for group in groups:
        assert type(group).__dataclass_params__.frozen, type(group).__name__


def test_every_task_size_is_a_fargate_combination() -> None:
    for env in ENVIRONMENTS.values():
        assert env.service.memory in FARGATE_MEMORY_BY_CPU[env.service.cpu], env.name


def test_engine_version_exists_in_every_supported_region() -> None:
    """The pinned version must be orderable wherever CATALOG_REGION may point."""
    data = json.loads(ENGINE_VERSIONS.read_text(encoding="utf-8"))
    for env in ENVIRONMENTS.values():
        assert env.database.engine_version.split(".")[0] == "16", env.name
        for region in SUPPORTED_REGIONS:
            available = data["regions"][region]["aurora-postgresql"]
            assert env.database.engine_version in available, (env.name, region)


def test_outdir_defaults_to_repo_cdktf_out_and_honours_cdktf_outdir(tmp_path: Path) -> None:
    assert resolve_outdir({}) == DEFAULT_OUTDIR == REPO_ROOT / "cdktf.out"
    assert resolve_outdir({"CDKTF_OUTDIR": str(tmp_path)}) == tmp_path


def test_main_reports_bad_config_on_one_line_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([], environ={"CATALOG_ENVIRONMENTS": "dev,qa"}) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "error: unknown environment 'qa' (known: dev, staging, prod)\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"network.vpc_cidr": "10.10.0.0/33"}, "error: dev: invalid VPC CIDR '10.10.0.0/33'"),
        ({"network.az_count": 4}, "error: dev: az_count must be 2 or 3, got 4"),
    ],
)
def test_main_reports_a_bad_value_in_the_environment_config_on_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, object],
    message: str,
) -> None:
    """A bad value edited into config.py stops synth like a bad variable does."""
    monkeypatch.setitem(ENVIRONMENTS, "dev", changed(ENVIRONMENTS["dev"], change))
    assert main([], environ={"CATALOG_ENVIRONMENTS": "dev"}) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(message)


def test_python_m_infra_with_unknown_environment_exits_2_without_traceback(
    tmp_path: Path,
) -> None:
    # Config is validated before cdktf is imported, so this subprocess takes well under 1 s.
    result = subprocess.run(
        [sys.executable, "-m", "infra"],
        cwd=REPO_ROOT,
        env={
            "CATALOG_ENVIRONMENTS": "qa",
            "CDKTF_OUTDIR": str(tmp_path),
            "PATH": "",
            "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ in the checkout
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: unknown environment 'qa' (known: dev, staging, prod)"
    ]
    assert "Traceback" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_bad_config_fails_before_the_aws_bindings_load() -> None:
    probe = (
        "import sys; from infra.app import main; "
        "code = main([], environ={'CATALOG_REGION': 'us-east-1'}); "
        "print(code, sorted(m for m in sys.modules if m.startswith('cdktf')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "2 []"


def test_main_rejects_arguments_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev"], environ={}) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: unexpected argument '--stack' (configure with CATALOG_* variables)"
    ]


def test_main_help_lists_the_configuration_variables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"], environ={}) == 0
    out = capsys.readouterr().out
    for variable in ("CATALOG_ENVIRONMENTS", "CATALOG_STATE_BUCKET", "CDKTF_OUTDIR"):
        assert variable in out


def test_main_reports_an_unusable_output_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("keep me", encoding="utf-8")
    assert main([], environ={"CDKTF_OUTDIR": str(blocker / "out")}) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: cannot create output directory {blocker / 'out'}")
    assert blocker.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    "name", ["CATALOG_GITHUB_REPOSITORY_ID", "CATALOG_GITHUB_REPOSITORY_OWNER_ID"]
)
@pytest.mark.parametrize("value", ["-1", "12a", "1e3", "octo-org", "1" * 21])
def test_github_ids_must_be_numeric(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"invalid {name} '"):
        load_settings({name: value})


def test_github_ids_default_to_an_id_no_repository_has() -> None:
    github = load_settings({}).github
    assert (github.id, github.owner_id) == ("0", "0")
    github = load_settings(
        {"CATALOG_GITHUB_REPOSITORY_ID": "42", "CATALOG_GITHUB_REPOSITORY_OWNER_ID": " 7 "}
    ).github
    assert (github.id, github.owner_id) == ("42", "7")
