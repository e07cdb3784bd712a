"""The GitHub Actions matrix of environments, so the workflows never list environments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.config import load_settings


def matrix(environ: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """``{"include": [...]}`` in deploy order; honours the CATALOG_* overrides like the synth."""
    settings = load_settings(environ)
    return {
        "include": [
            {
                "environment": env.name,
                "stack": env.stack_name,
                "region": env.region,
                "plan_role": env.plan_role_name,
                "apply_role": env.apply_role_name,
            }
            for env in settings.environments
        ]
    }
