"""The GitHub Actions matrix of environments, so the workflows never list environments.

Standard library only (infra.config is too): ``python -m pipeline.environments`` prints the
matrix on any Python 3.11, so a job that needs nothing else (drift.yml's and pr-plan.yml's first
job) installs nothing.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from infra.config import ConfigError, load_settings


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


def main() -> int:
    """One line of JSON for ``$GITHUB_OUTPUT``; a bad CATALOG_* setting is one line and exit 2."""
    try:
        print(json.dumps(matrix(os.environ), separators=(",", ":")))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
