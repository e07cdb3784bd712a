"""Where the test data lives, in one place."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Real plans copied from ../shared/fixtures (sources and licences in the README beside them),
# so the suite runs the same on GitHub, where shared/ does not exist.
TERRAFORM_PLANS = REPO_ROOT / "tests" / "fixtures" / "terraform-plans"
