"""The real-Terraform tier: real terraform, the real AWS provider, moto on 127.0.0.1.

Every test in this directory carries the ``terraform`` marker (``pytest -m terraform`` runs the
tier alone) and depends on the session fixture ``terraform_tier``, which skips the whole tier
with one reason when terraform >= 1.10 or an AWS provider is missing.

Fixtures other test modules use:
- ``terraform_tier``        binary, provider source, CLI config, version relaxation (session)
- ``moto_server``           the emulator process (session)
- ``tier_stacks_dir``       cdktf.out-like dir synthesized for the tier's moto account (session)
- ``tier_overrides_dir``    the test-only ``*_override.tf.json`` files for environment stacks,
                            i.e. what ``PIPELINE_TF_OVERRIDES_DIR`` points at (session)
- ``moto_account``          a freshly reset emulator with the state bucket, KMS key and
                            Route 53 zone (module)
- ``terraform_env``         the environment dict for terraform/scripts subprocesses (module)
- ``stack_workdir``         factory: a working copy of one synthesized stack with overrides
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gate import terraform_providers as providers
from tests.conftest import add_summary_note, once_per_session
from tests.terraform import harness

TIER_DIR = Path(__file__).parent
ENV_STACKS = ("dev", "staging", "prod")
BOOTSTRAP_STACK = "catalog-api-bootstrap"
STATE_BUCKET = "catalog-api-terraform-state"  # infra.config.DEFAULT_STATE_BUCKET
HOSTED_ZONE = "catalog.example.com"  # infra.config.DEFAULT_HOSTED_ZONE
# The environment variable that names the overrides directory for scripts (INTERFACES.md).
ENV_OVERRIDES_DIR = "PIPELINE_TF_OVERRIDES_DIR"
# The lock file PR plans (scripts/plan.sh --stacks-dir) check the provider against.
ENV_LOCK_FILE = "PIPELINE_TF_LOCK_FILE"

TIER_SECTION = "terraform tier"  # its notes end the run's output (tests/conftest.py)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: the marker must be on the item before `-m terraform` deselects by marker.
    for item in items:
        if TIER_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.terraform)


@dataclass(frozen=True, kw_only=True)
class TerraformTier:
    binary: str
    version: str
    platform: str
    provider: providers.ProviderSource
    cli_config: Path
    plugin_cache: Path


@dataclass(frozen=True, kw_only=True)
class ProviderPin:
    pinned: str  # what the synthesized stacks require
    used: str  # what terraform installs here: pinned unless the source lacks it

    @property
    def relaxed(self) -> bool:
        return self.used != self.pinned

    def version_override(self) -> dict[str, Any] | None:
        return providers.version_override(self.used) if self.relaxed else None


@dataclass(frozen=True, kw_only=True)
class _Probe:
    """What this machine offers the tier, found once per session."""

    skip_reason: str | None
    binary: str = ""
    version: str = ""
    platform: str = ""
    source: providers.ProviderSource | None = None


@functools.cache
def _probe() -> _Probe:
    binary = shutil.which("terraform")
    if binary is None:
        return _Probe(skip_reason="terraform tier: terraform is not on PATH")
    numbers, version, platform = harness.terraform_version(binary)
    if numbers < harness.MIN_TERRAFORM:
        return _Probe(skip_reason=f"terraform tier: needs terraform >= 1.10 (found {version})")
    source = providers.discover(os.environ, platform=platform)
    if source.kind == "none" or (source.kind == "mirror" and not source.versions):
        named = os.environ.get(providers.ENV_PROVIDER_MIRROR) or "unset"
        return _Probe(
            skip_reason="terraform tier: no usable AWS provider (registry unreachable; "
            f"${providers.ENV_PROVIDER_MIRROR} {named}; mirror: {source.mirror or 'none found'})"
        )
    return _Probe(
        skip_reason=None, binary=binary, version=version, platform=platform, source=source
    )


def skip_without_terraform(item: pytest.Item, directory: Path) -> None:
    """Skip a test under ``directory`` with the tier's one reason when Terraform is unusable.

    Raised from pytest_runtest_setup, not from a fixture, so pytest folds every skipped test
    into one summary line (a fixture's skip is reported at each test's own location).
    """
    if directory in Path(str(item.path)).parents:
        reason = _probe().skip_reason
        if reason is not None:
            pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    skip_without_terraform(item, TIER_DIR)


@pytest.fixture(scope="session")
def terraform_tier(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> TerraformTier:
    probe = _probe()
    if probe.skip_reason is not None or probe.source is None:
        pytest.skip(probe.skip_reason or "terraform tier: unavailable")
    binary, version, platform, source = probe.binary, probe.version, probe.platform, probe.source
    base = tmp_path_factory.mktemp("terraform-tier")
    plugin_cache = base / "plugin-cache"
    plugin_cache.mkdir()
    cli_config = base / "terraform.rc"
    body = providers.cli_config(source.mirror) if source.mirror is not None else ""
    cli_config.write_text(f"plugin_cache_dir = {json.dumps(str(plugin_cache))}\n{body}")
    add_summary_note(
        pytestconfig,
        TIER_SECTION,
        f"terraform {version} ({platform}); AWS provider from {source.describe()}",
    )
    return TerraformTier(
        binary=binary,
        version=version,
        platform=platform,
        provider=source,
        cli_config=cli_config,
        plugin_cache=plugin_cache,
    )


@pytest.fixture(scope="session")
def provider_pin(
    terraform_tier: TerraformTier, tier_stacks_dir: Path, pytestconfig: pytest.Config
) -> ProviderPin:
    """The pinned version from the synthesized dev stack, relaxed (and said so) if need be."""
    stack = json.loads(stack_file(tier_stacks_dir, "catalog-api-dev").read_text())
    pinned = providers.pinned_aws_version(stack)
    assert pinned, "the dev stack does not pin an exact AWS provider version"
    source = terraform_tier.provider
    pin = ProviderPin(pinned=pinned, used=pinned if source.offers(pinned) else source.versions[-1])
    if pin.relaxed:
        note = (
            f"the stacks pin hashicorp/aws {pin.pinned}, which {source.describe()} lacks: "
            f"relaxed to {pin.used} by the test-only {harness.VERSION_OVERRIDE}"
        )
        add_summary_note(pytestconfig, TIER_SECTION, note)
        warnings.warn(f"terraform tier: {note}", UserWarning, stacklevel=1)
    else:
        add_summary_note(pytestconfig, TIER_SECTION, f"hashicorp/aws {pin.used} as pinned")
    return pin


@pytest.fixture(autouse=True)
def _tier_available(terraform_tier: TerraformTier) -> None:
    """Every test of the tier needs it (the skip, if any, comes from terraform_tier)."""


@pytest.fixture(scope="session")
def moto_server(
    terraform_tier: TerraformTier, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[harness.MotoServer]:
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    server = harness.MotoServer.start(log_path=log)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tier_key_arn(moto_server: harness.MotoServer) -> str:
    """The state key's ARN: created first after a seeded reset, so each reset repeats it."""
    moto_server.reset()
    return harness.seed_account(
        endpoint=moto_server.endpoint,
        state_bucket=STATE_BUCKET,
        hosted_zone=HOSTED_ZONE,
        create_bucket=False,
    ).kms_key_arn


@pytest.fixture(scope="session")
def tier_settings(tier_key_arn: str) -> dict[str, str]:
    """The CATALOG_* settings the tier synthesizes with (and scripts must synthesize with)."""
    return {
        "CATALOG_STATE_BUCKET": STATE_BUCKET,
        "CATALOG_STATE_REGION": harness.REGION,
        "CATALOG_STATE_KMS_KEY_ID": tier_key_arn,
        "CATALOG_REGION": harness.REGION,
        "CATALOG_HOSTED_ZONE": HOSTED_ZONE,
    }


def synthesize(settings: dict[str, str], outdir: Path) -> Path:
    """Synthesize in this process (the bindings load once per session, shared with
    tests/conftest.py's synth). The tier needs its own synth because the backend block must
    name the state key moto created, and the session synth runs with default settings."""
    from infra.app import build_app
    from infra.config import load_settings

    build_app(load_settings(settings), outdir=str(outdir)).synth()
    return outdir


@pytest.fixture(scope="session")
def tier_stacks_dir(
    tier_settings: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """``<dir>/stacks/<stack>/cdk.tf.json`` for every stack, as synth writes them: synthesized
    once per session for these settings, whichever xdist worker asks first (every worker's
    moto hands out the same key id, so they all ask for the same settings)."""
    key = hashlib.sha256(json.dumps(tier_settings, sort_keys=True).encode()).hexdigest()[:16]
    target = once_per_session(
        tmp_path_factory,
        f"tier-synth-{key}",
        lambda directory: synthesize(tier_settings, directory / "cdktf.out"),
    )
    outdir = target / "cdktf.out"
    for env in ENV_STACKS:
        backend = json.loads(stack_file(outdir, f"catalog-api-{env}").read_text())["terraform"]
        assert backend["backend"]["s3"]["kms_key_id"] == tier_settings["CATALOG_STATE_KMS_KEY_ID"]
    return outdir


def stack_file(stacks_dir: Path, stack: str) -> Path:
    return stacks_dir / "stacks" / stack / "cdk.tf.json"


def _overrides_dir(
    base: Path, *, stack: dict[str, Any], pin: ProviderPin, server: harness.MotoServer
) -> Path:
    harness.write_overrides(
        base, stack=stack, endpoint=server.endpoint, version_override=pin.version_override()
    )
    harness.check_override_endpoints(base)
    return base


@pytest.fixture(scope="session")
def tier_overrides_dir(
    tier_stacks_dir: Path,
    provider_pin: ProviderPin,
    moto_server: harness.MotoServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """Overrides for the environment stacks (dev, staging, prod share provider aliases)."""
    stacks = [
        json.loads(stack_file(tier_stacks_dir, f"catalog-api-{e}").read_text()) for e in ENV_STACKS
    ]
    aliases = {tuple(harness.provider_aliases(s)) for s in stacks}
    assert len(aliases) == 1, f"environment stacks differ in provider aliases: {aliases}"
    return _overrides_dir(
        tmp_path_factory.mktemp("tf-overrides"),
        stack=stacks[0],
        pin=provider_pin,
        server=moto_server,
    )


@pytest.fixture(scope="session")
def bootstrap_overrides_dir(
    tier_stacks_dir: Path,
    provider_pin: ProviderPin,
    moto_server: harness.MotoServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    stack = json.loads(stack_file(tier_stacks_dir, BOOTSTRAP_STACK).read_text())
    return _overrides_dir(
        tmp_path_factory.mktemp("tf-overrides-bootstrap"),
        stack=stack,
        pin=provider_pin,
        server=moto_server,
    )


@pytest.fixture(scope="module")
def moto_account(moto_server: harness.MotoServer, tier_key_arn: str) -> harness.SeededAccount:
    """A freshly reset emulator: the state key (same ARN as synthesized), the versioned,
    KMS-encrypted state bucket and the public zone the stacks look up."""
    return reset_and_seed(moto_server, tier_key_arn)


def reset_and_seed(server: harness.MotoServer, key_arn: str) -> harness.SeededAccount:
    """The account as the bootstrap leaves it, on a reset emulator (the state key gets the
    synthesized ARN again: see tier_key_arn)."""
    server.reset()
    return harness.seed_account(
        endpoint=server.endpoint,
        state_bucket=STATE_BUCKET,
        hosted_zone=HOSTED_ZONE,
        expected_key_arn=key_arn,
    )


@pytest.fixture(scope="session")
def tier_lock_file(
    pytestconfig: pytest.Config,
    terraform_tier: TerraformTier,
    provider_pin: ProviderPin,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The dependency lock file PR plans check the provider against (PIPELINE_TF_LOCK_FILE).

    Generated here from the tier's provider source (`terraform providers lock`, with
    -fs-mirror on machines without the registry) for the version the tier runs, because the
    committed infra/.terraform.lock.hcl pins 6.25.0, which the mirror here lacks."""
    base = tmp_path_factory.mktemp("tier-lock")
    constraint = {"source": "hashicorp/aws", "version": provider_pin.used}
    (base / "providers.tf.json").write_text(
        json.dumps({"terraform": {"required_providers": {"aws": constraint}}})
    )
    args = ["providers", "lock", f"-platform={terraform_tier.platform}"]
    if terraform_tier.provider.mirror is not None:
        args.append(f"-fs-mirror={terraform_tier.provider.mirror}")
    env = {**harness.aws_environ(os.environ, endpoint="http://127.0.0.1:1")}
    harness.run_terraform(args, cwd=base, env=env, timeout=300)
    add_summary_note(
        pytestconfig,
        TIER_SECTION,
        f"PR plans check hashicorp/aws {provider_pin.used} against a lock file generated from "
        f"{terraform_tier.provider.describe()}, not the committed one (6.25.0)",
    )
    return base / ".terraform.lock.hcl"


def make_terraform_env(
    *,
    server: harness.MotoServer,
    tier: TerraformTier,
    settings: dict[str, str],
    overrides_dir: Path,
    lock_file: Path | None = None,
) -> dict[str, str]:
    """For every terraform or script subprocess: fake credentials, all endpoints at moto, the
    tier's CLI config (offline mirror), the overrides seam and the tier's CATALOG_* settings."""
    env = harness.aws_environ(os.environ, endpoint=server.endpoint)
    env.update(settings)
    env["TF_CLI_CONFIG_FILE"] = str(tier.cli_config)
    # The stacks have no lock file yet; without this terraform ignores the plugin cache.
    env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "true"
    env[ENV_OVERRIDES_DIR] = str(overrides_dir)
    if lock_file is not None:
        env[ENV_LOCK_FILE] = str(lock_file)
    return env


@pytest.fixture(scope="module")
def terraform_env(  # noqa: PLR0917  (pytest passes fixtures by name)
    moto_account: harness.SeededAccount,
    moto_server: harness.MotoServer,
    terraform_tier: TerraformTier,
    tier_settings: dict[str, str],
    tier_overrides_dir: Path,
    tier_lock_file: Path,
) -> dict[str, str]:
    """The subprocess environment for the module's freshly seeded emulator."""
    return make_terraform_env(
        server=moto_server,
        tier=terraform_tier,
        settings=tier_settings,
        overrides_dir=tier_overrides_dir,
        lock_file=tier_lock_file,
    )


@pytest.fixture
def stack_workdir(
    tier_stacks_dir: Path, tier_overrides_dir: Path, bootstrap_overrides_dir: Path, tmp_path: Path
) -> Callable[..., Path]:
    """``stack_workdir("catalog-api-dev")``: a copy of that synthesized stack plus overrides."""

    def make(stack: str, *, name: str | None = None) -> Path:
        overrides = bootstrap_overrides_dir if stack == BOOTSTRAP_STACK else tier_overrides_dir
        return harness.prepare_stack_dir(
            tmp_path / (name or stack),
            stack_file=stack_file(tier_stacks_dir, stack),
            overrides_dir=overrides,
        )

    return make
