"""The red-team suite: hostile PR artifacts through the real PR-plan path.

Every test here is marked ``security`` and ``terraform`` (it runs with the real-Terraform tier,
``pytest -m terraform``) and uses the tier's fixtures: real terraform, the AWS provider from
the mirror, moto on 127.0.0.1. Skipped with the tier's one reason when those are missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.terraform.conftest import (  # noqa: F401  (fixtures, re-exported for this suite)
    moto_account,
    moto_server,
    provider_pin,
    skip_without_terraform,
    terraform_env,
    terraform_tier,
    tier_key_arn,
    tier_lock_file,
    tier_overrides_dir,
    tier_settings,
    tier_stacks_dir,
)

SUITE_DIR = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SUITE_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.terraform)
            item.add_marker(pytest.mark.security)


def pytest_runtest_setup(item: pytest.Item) -> None:
    skip_without_terraform(item, SUITE_DIR)


@pytest.fixture(scope="session")
def attacker_provider(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, Path]:
    """A provider of the attacker's, and a CLI configuration that can install it.

    On GitHub, `terraform init` installs any provider a state names from the public registry,
    where anyone can publish one. Here the registry is unreachable, so a filesystem mirror
    stands in for it: the CLI configuration is the tier's (hashicorp/aws from its mirror) plus
    this mirror for ``registry.terraform.io/attacker/*``. The "provider" is a shell script that
    writes its environment to ``ran`` when Terraform starts it.
    """
    tier = request.getfixturevalue("terraform_tier")
    base = tmp_path_factory.mktemp("attacker-registry")
    ran = base / "ran"
    platform = tier.platform
    binary = base / "mirror/registry.terraform.io/attacker/evil/1.0.0" / platform
    binary.mkdir(parents=True)
    script = binary / "terraform-provider-evil_v1.0.0"
    script.write_text(f'#!/bin/sh\nenv > "{ran}"\nexit 1\n')
    script.chmod(0o755)
    aws_mirror = tier.provider.mirror
    mirrors = f'''  filesystem_mirror {{
    path    = "{base / "mirror"}"
    include = ["registry.terraform.io/attacker/*"]
  }}
'''
    if aws_mirror is not None:
        mirrors += f'''  filesystem_mirror {{
    path    = "{aws_mirror}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }}
'''
    config = base / "terraform.rc"
    config.write_text(
        f'plugin_cache_dir = "{tier.plugin_cache}"\n'
        "provider_installation {\n" + mirrors + "  direct {\n"
        '    exclude = ["registry.terraform.io/attacker/*",\n'
        '               "registry.terraform.io/hashicorp/aws"]\n'
        "  }\n}\n"
    )
    return {"ran": ran, "cli_config": config}
