"""The CDKTF app: every selected environment stack, built and synthesized in one process.

One process matters: importing the AWS provider bindings costs 9-17 s, and they load once
however many stacks the app holds.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from infra.config import SETTINGS, ConfigError, Settings, load_settings

if TYPE_CHECKING:  # the bindings are imported inside build_app, after config is validated
    from cdktf import App

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTDIR = REPO_ROOT / "cdktf.out"
ENV_OUTDIR = "CDKTF_OUTDIR"  # set by the cdktf CLI when it runs infra/main.py


def build_app(settings: Settings, *, outdir: str) -> App:
    """One stack per selected environment (plus the bootstrap stack), not yet synthesized.

    Its ``synth()`` records in each resource's ``//`` the infra/ line that constructed it.
    """
    from infra.sources import SourceMappedApp
    from infra.stacks.bootstrap import BOOTSTRAP_STACK_NAME, BootstrapStack
    from infra.stacks.catalog_api import CatalogApiStack

    app = SourceMappedApp(outdir=outdir)
    with app.recording():
        for config in settings.environments:
            CatalogApiStack(app, config.stack_name, config=config, state=settings.state)
        BootstrapStack(app, BOOTSTRAP_STACK_NAME, settings=settings)
    return app


def resolve_outdir(environ: Mapping[str, str]) -> Path:
    configured = environ.get(ENV_OUTDIR, "").strip()
    return Path(configured).resolve() if configured else DEFAULT_OUTDIR


_VARIABLES = [(s.name, f"{s.meaning} (default: {s.default})") for s in SETTINGS]
_VARIABLES.append((ENV_OUTDIR, "output directory (default: <repo>/cdktf.out)"))
_WIDTH = max(len(name) for name, _ in _VARIABLES) + 2
USAGE = "\n".join(
    [
        "usage: python -m infra   (pipenv run synth)",
        "",
        "Synthesizes every selected stack into cdktf.out/stacks/<stack>/cdk.tf.json.",
        "Configuration comes from the environment only:",
        *(f"  {name:<{_WIDTH}}{meaning}" for name, meaning in _VARIABLES),
        "Exit codes: 0 synthesized, 2 bad input.",
    ]
)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    """Synthesize every selected stack; bad input is one stderr line and exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if args:
        return _fail(f"unexpected argument '{args[0]}' (configure with CATALOG_* variables)")
    environ = os.environ if environ is None else environ
    started = time.perf_counter()
    try:
        # Validate before build_app imports the bindings, so a typo fails in milliseconds.
        settings = load_settings(environ)
    except ConfigError as exc:
        return _fail(str(exc))
    outdir = resolve_outdir(environ)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"cannot create output directory {outdir}: {exc.strerror}")
    from cdktf import TerraformStack

    app = build_app(settings, outdir=str(outdir))
    app.synth()
    elapsed = time.perf_counter() - started
    stacks = [child.node.id for child in app.node.children if TerraformStack.is_stack(child)]
    print(f"synthesized {', '.join(stacks)} into {outdir} in {elapsed:.1f}s")
    return 0
