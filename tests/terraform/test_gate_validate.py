"""The gate's terraform step with real terraform and the real AWS provider from a mirror.

It validates when the mirror holds the version a stack pins, and otherwise says which version it
would have needed instead of validating against another provider's schema.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gate import terraform_providers as providers
from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult
from gate.steps import terraform as terraform_step
from tests.fixture_paths import REPO_ROOT
from tests.terraform import harness
from tests.terraform.conftest import TerraformTier, stack_file


@pytest.fixture(scope="module")
def mirror(terraform_tier: TerraformTier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A filesystem mirror with the real provider: the machine's mirror, or (where the
    registry serves the provider, e.g. on GitHub) the tier's plugin cache, which has the same
    layout, filled by one init."""
    if terraform_tier.provider.mirror is not None:
        return terraform_tier.provider.mirror
    cache = terraform_tier.plugin_cache
    if not providers.mirror_versions(cache, platform=terraform_tier.platform):
        directory = tmp_path_factory.mktemp("fill-plugin-cache")
        (directory / "main.tf.json").write_text(
            json.dumps({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}}})
        )
        env = {"TF_CLI_CONFIG_FILE": str(terraform_tier.cli_config), "CHECKPOINT_DISABLE": "1"}
        subprocess.run(
            ["terraform", f"-chdir={directory}", "init", "-backend=false", "-input=false"],
            check=True,
            capture_output=True,
            env=harness.aws_environ({"PATH": "/usr/bin:/bin"}, endpoint="http://127.0.0.1:1") | env,
            timeout=600,
        )
    return cache


@pytest.fixture
def mirror_only(
    mirror: Path, terraform_tier: TerraformTier, monkeypatch: pytest.MonkeyPatch
) -> providers.ProviderSource:
    """The gate sees the registry as unreachable and the mirror as its only source."""
    source = providers.ProviderSource(
        kind="mirror",
        origin=f"${providers.ENV_PROVIDER_MIRROR}",
        mirror=mirror,
        versions=providers.mirror_versions(mirror, platform=terraform_tier.platform),
    )
    monkeypatch.setattr(terraform_step, "find_provider_source", lambda platform: source)
    # One provider copy per session, not one per test (the gate honours this variable).
    monkeypatch.setenv("TF_PLUGIN_CACHE_DIR", str(terraform_tier.plugin_cache))
    return source


def dev_stack(tier_stacks_dir: Path) -> dict[str, Any]:
    return json.loads(stack_file(tier_stacks_dir, "catalog-api-dev").read_text())


def run_gate_step(stack: dict[str, Any], tmp_path: Path) -> tuple[StepResult, str]:
    target = tmp_path / "cdktf.out" / "stacks" / "catalog-api-dev" / "cdk.tf.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(stack, indent=2))
    options = GateOptions(
        root=REPO_ROOT,
        steps=("terraform",),
        environment=None,
        stacks_dir=tmp_path / "cdktf.out",
        stacks_dir_given=True,
        reports_dir=tmp_path / "reports",
        cache_dir=tmp_path / "cache",
        use_cache=False,
        jobs=1,
    )
    log_path = tmp_path / "terraform-step.log"
    with log_path.open("w") as handle:
        result = terraform_step.run(options, StepLog(path=log_path, handle=handle))
    return result, log_path.read_text()


def pinned_to(stack: dict[str, Any], version: str) -> dict[str, Any]:
    """The stack as it would be synthesized by bindings generated for ``version``."""
    copy = json.loads(json.dumps(stack))
    copy["terraform"]["required_providers"]["aws"]["version"] = version
    return copy


def test_gate_validates_the_dev_stack_when_the_mirror_has_its_pinned_version(
    mirror_only: providers.ProviderSource, tier_stacks_dir: Path, tmp_path: Path
) -> None:
    stack = pinned_to(dev_stack(tier_stacks_dir), mirror_only.versions[-1])
    result, log = run_gate_step(stack, tmp_path)
    assert result.status is Status.PASSED, log[-3000:]
    assert result.detail == "validate: 1/1 stack(s) valid"
    assert "Success! The configuration is valid." in log
    # from the mirror, or from the plugin cache an earlier init filled from it
    version = re.escape(mirror_only.versions[-1])
    assert re.search(rf"- (Installing|Using) hashicorp/aws v{version}\b", log), log[-3000:]


def test_gate_validate_really_runs_and_fails_an_invalid_stack(
    mirror_only: providers.ProviderSource, tier_stacks_dir: Path, tmp_path: Path
) -> None:
    stack = pinned_to(dev_stack(tier_stacks_dir), mirror_only.versions[-1])
    (service,) = stack["resource"]["aws_ecs_service"].values()
    service["desired_cont"] = 1  # a typo the provider schema rejects
    result, log = run_gate_step(stack, tmp_path)
    assert result.status is Status.FAILED
    assert "validate failed: catalog-api-dev" in result.lines
    assert 'No argument or block type is named "desired_cont"' in log


def test_gate_says_which_version_it_needed_when_the_mirror_has_another(
    mirror_only: providers.ProviderSource, tier_stacks_dir: Path, tmp_path: Path
) -> None:
    stack = dev_stack(tier_stacks_dir)
    needed = providers.pinned_aws_version(stack)
    assert needed is not None
    if mirror_only.offers(needed):  # where the mirror is the registry's download of the pin
        needed = "1.0.0"
        stack = pinned_to(stack, needed)
    result, log = run_gate_step(stack, tmp_path)
    assert result.status is Status.SKIPPED
    available = ", ".join(mirror_only.versions)
    assert result.detail == (
        f"skipped: validate needs hashicorp/aws {needed}; only {available} available "
        f"(mirror {mirror_only.mirror}, registry unreachable); validated 0/1"
    )
    commands = [line for line in log.splitlines() if line.startswith("$ ")]
    assert commands, "the step logs the commands it runs"
    assert not [c for c in commands if " init " in c or " validate" in c]
