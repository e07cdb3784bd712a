"""The red-team suite: hostile PR artifacts through the real PR-plan path.

Every test here is marked ``security`` and ``terraform`` (it runs with the real-Terraform tier,
``pytest -m terraform``) and uses the tier's fixtures: real terraform, the AWS provider from
the mirror, moto on 127.0.0.1. Skipped with the tier's one reason when those are missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.terraform.conftest import (  # noqa: F401  (fixtures, re-exported for this suite)
    _probe,
    moto_account,
    moto_server,
    provider_pin,
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
    if SUITE_DIR in Path(str(item.path)).parents:
        reason = _probe().skip_reason
        if reason is not None:
            pytest.skip(reason)
