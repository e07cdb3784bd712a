"""terraform and tflint steps: visible skips, never a faked pass (fake binaries, no network)."""

from __future__ import annotations

import json
import stat
import textwrap
from pathlib import Path

import pytest

from gate import terraform_providers as providers
from gate.options import GateOptions
from gate.runner import Status, StepLog
from gate.steps import terraform, tflint
from tests.gate.conftest import REPO_ROOT, minimal_stack, write_stacks

REGISTRY_DOWN = """\
Initializing provider plugins...
- Finding hashicorp/aws versions matching "6.25.0"...

Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider hashicorp/aws:
could not connect to registry.terraform.io: failed to request discovery
document: Get "https://registry.terraform.io/.well-known/terraform.json":
dial tcp: lookup registry.terraform.io on 10.255.255.53:53: no such host
"""


def _fake_terraform(directory: Path, *, init_output: str, init_exit: int) -> Path:
    """A terraform that answers `version -json`, fails or passes `init` as told, validates.

    Each call is recorded in calls.txt with the CLI config it was given."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "init.txt").write_text(init_output)
    (directory / "version.json").write_text(
        '{"terraform_version": "1.11.4", "platform": "linux_amd64"}'
    )
    script = directory / "terraform"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/usr/bin/env bash
            echo "$* | ${{TF_CLI_CONFIG_FILE:-}}" >> "{directory}/calls.txt"
            for arg in "$@"; do
              case "$arg" in
                version) cat "{directory}/version.json"; exit 0 ;;
                init) cat "{directory}/init.txt"; exit {init_exit} ;;
                validate) echo "Success! The configuration is valid."; exit 0 ;;
              esac
            done
            exit 64
            """
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def _calls(fake: Path) -> list[str]:
    calls = fake.parent / "calls.txt"
    return calls.read_text().splitlines() if calls.exists() else []


REGISTRY = providers.ProviderSource(kind="registry", origin="registry")


@pytest.fixture(autouse=True)
def _registry_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake-binary tests decide where providers come from; nothing probes the network."""
    monkeypatch.setattr(terraform, "find_provider_source", lambda platform: REGISTRY)


def _mirror(tmp_path: Path, version: str) -> providers.ProviderSource:
    """A filesystem mirror holding hashicorp/aws ``version`` (a placeholder binary)."""
    mirror = tmp_path / "mirror"
    binary = (
        mirror
        / providers.PROVIDER_ADDRESS
        / version
        / "linux_amd64"
        / f"terraform-provider-aws_v{version}_x5"
    )
    binary.parent.mkdir(parents=True)
    binary.write_text("placeholder")
    return providers.ProviderSource(
        kind="mirror",
        origin="$TF_PROVIDER_MIRROR",
        mirror=mirror,
        versions=providers.mirror_versions(mirror, platform="linux_amd64"),
    )


@pytest.fixture
def options(tmp_path: Path) -> GateOptions:
    stacks = write_stacks(
        tmp_path / "cdktf.out",
        {"catalog-api-dev": minimal_stack(), "catalog-api-prod": minimal_stack()},
    )
    return GateOptions(
        root=REPO_ROOT,
        steps=("terraform", "tflint"),
        environment=None,
        stacks_dir=stacks,
        stacks_dir_given=True,
        reports_dir=tmp_path / "reports",
        cache_dir=tmp_path / "cache",
        use_cache=True,
        jobs=1,
    )


def _run(step, options: GateOptions, tmp_path: Path):
    with (tmp_path / "step.log").open("w") as handle:
        return step.run(options, StepLog(path=tmp_path / "step.log", handle=handle))


@pytest.mark.parametrize(("step", "tool"), [(terraform, "terraform"), (tflint, "tflint")])
def test_missing_binary_is_a_visible_skip(
    step, tool: str, options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(step.shutil, "which", lambda name: None)
    result = _run(step, options, tmp_path)
    assert result.status is Status.SKIPPED
    assert result.detail == f"skipped: {tool} not installed"


def test_unreachable_registry_skips_validate_with_the_reason(
    options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_terraform(tmp_path / "bin", init_output=REGISTRY_DOWN, init_exit=1)
    monkeypatch.setattr(terraform.shutil, "which", lambda name: str(fake))
    result = _run(terraform, options, tmp_path)
    assert result.status is Status.SKIPPED
    assert "terraform init cannot download providers (registry unreachable)" in result.detail
    assert "validated 0/2" in result.detail
    assert "fmt -check: not applicable (no .tf files; CDKTF emits .tf.json)" in result.lines


def test_any_other_init_failure_fails_the_step(
    options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = 'Error: Unsupported block type\n\nBlocks of type "bogus" are not expected here.\n'
    fake = _fake_terraform(tmp_path / "bin", init_output=broken, init_exit=1)
    monkeypatch.setattr(terraform.shutil, "which", lambda name: str(fake))
    result = _run(terraform, options, tmp_path)
    assert result.status is Status.FAILED
    assert "validate failed: catalog-api-dev, catalog-api-prod" in result.lines


def test_validated_stacks_are_not_validated_again_until_they_change(
    options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_terraform(tmp_path / "bin", init_output="Terraform initialized", init_exit=0)
    monkeypatch.setattr(terraform.shutil, "which", lambda name: str(fake))
    first = _run(terraform, options, tmp_path)
    assert first.status is Status.PASSED
    assert first.detail == "validate: 2/2 stack(s) valid"

    changed = options.stacks_dir / "stacks" / "catalog-api-prod" / "cdk.tf.json"
    changed.write_text(json.dumps({**minimal_stack(), "output": {"x": {"value": "1"}}}))
    second = _run(terraform, options, tmp_path)
    assert second.status is Status.PASSED
    assert "validate reused for unchanged stack(s): catalog-api-dev" in second.lines


def test_a_plugin_cache_dir_from_the_environment_is_created(
    options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CI points TF_PLUGIN_CACHE_DIR at a cache that is empty on its first run; terraform
    # ignores a missing directory, so the step must create it or nothing is ever cached.
    plugins = tmp_path / "ci-cache" / "terraform-plugins"
    monkeypatch.setenv("TF_PLUGIN_CACHE_DIR", str(plugins))
    fake = _fake_terraform(tmp_path / "bin", init_output="Terraform initialized", init_exit=0)
    monkeypatch.setattr(terraform.shutil, "which", lambda name: str(fake))
    result = _run(terraform, options, tmp_path)
    assert result.status is Status.PASSED
    assert plugins.is_dir()


def test_only_another_provider_version_is_a_skip_naming_the_needed_version(
    options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_terraform(tmp_path / "bin", init_output="Terraform initialized", init_exit=0)
    monkeypatch.setattr(terraform.shutil, "which", lambda name: str(fake))
    source = _mirror(tmp_path, "5.100.0")
    monkeypatch.setattr(terraform, "find_provider_source", lambda platform: source)
    result = _run(terraform, options, tmp_path)
    assert result.status is Status.SKIPPED
    reason = (
        "validate needs hashicorp/aws 6.25.0; only 5.100.0 available "
        f"(mirror {source.mirror}, registry unreachable)"
    )
    assert result.detail == f"skipped: {reason}; validated 0/2"
    assert f"skipped 2 stack(s): {reason}: catalog-api-dev, catalog-api-prod" in result.lines
    # never initialized nor validated against the wrong provider schema
    assert not [c for c in _calls(fake) if " init " in f" {c} " or "validate" in c]


def test_pinned_version_in_a_mirror_is_installed_from_it_and_validated(
    options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_terraform(tmp_path / "bin", init_output="Terraform initialized", init_exit=0)
    monkeypatch.setattr(terraform.shutil, "which", lambda name: str(fake))
    source = _mirror(tmp_path, "6.25.0")
    monkeypatch.setattr(terraform, "find_provider_source", lambda platform: source)
    result = _run(terraform, options, tmp_path)
    assert result.status is Status.PASSED
    assert result.detail == "validate: 2/2 stack(s) valid"
    cli_config = (options.cache_dir / "terraform.rc").resolve()
    assert f'path    = "{source.mirror}"' in cli_config.read_text()
    validates = [c for c in _calls(fake) if "validate" in c]
    assert len(validates) == 2
    assert all(c.endswith(f"| {cli_config}") for c in validates)


def test_no_provider_anywhere_is_a_skip_that_says_so(
    options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_terraform(tmp_path / "bin", init_output="Terraform initialized", init_exit=0)
    monkeypatch.setattr(terraform.shutil, "which", lambda name: str(fake))
    none = providers.ProviderSource(kind="none", origin="none")
    monkeypatch.setattr(terraform, "find_provider_source", lambda platform: none)
    result = _run(terraform, options, tmp_path)
    assert result.status is Status.SKIPPED
    assert "no AWS provider available" in result.detail
    assert "TF_PROVIDER_MIRROR" in result.detail


@pytest.mark.parametrize("selection", ["../scripts", "tests/no-such-dir", "/etc"])
def test_the_rehearsal_seam_only_selects_paths_under_tests(
    selection: str, options: GateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gate.steps import pytest_suite

    monkeypatch.setenv(pytest_suite.SELECT_ENV, selection)
    result = _run(pytest_suite, options, tmp_path)
    assert result.status is Status.FAILED
    assert pytest_suite.SELECT_ENV in result.detail
