"""Benchmark: what building and synthesizing every stack adds to loading the AWS bindings.

Each measurement runs in a fresh interpreter so nothing is cached between them:
  import  imports the stack modules, i.e. cdktf plus every provider binding they use;
  synth   does the same imports, then build_app + synth of all stacks into a temp dir.
Target: build + synth adds at most 30% to the import. Prints figures; never fails on them.

    .venv/bin/python scripts/bench_synth.py [--runs 3]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import click

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_OVERHEAD_PERCENT = 30.0

_IMPORT_ONLY = """
import json, time
start = time.perf_counter()
import infra.stacks.catalog_api, infra.stacks.bootstrap
print(json.dumps({"import": time.perf_counter() - start}))
"""

_BUILD_AND_SYNTH = """
import json, tempfile, time
start = time.perf_counter()
import infra.stacks.catalog_api, infra.stacks.bootstrap
imported = time.perf_counter()
from infra.app import build_app
from infra.config import load_settings
with tempfile.TemporaryDirectory() as outdir:
    app = build_app(load_settings({}), outdir=outdir)
    built = time.perf_counter()
    app.synth()
    done = time.perf_counter()
print(json.dumps({"import": imported - start, "build": built - imported,
                  "synth": done - built, "total": done - start}))
"""


def _measure(code: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise click.ClickException(f"benchmark child failed (exit {result.returncode}): {last}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@click.command()
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 20))
def main(runs: int) -> None:
    """Print median timings of bare import vs import + build + synth of every stack."""
    imports, synths = [], []
    for run in range(1, runs + 1):
        # Alternate the two kinds so machine load drifts affect both alike.
        imports.append(_measure(_IMPORT_ONLY))
        synths.append(_measure(_BUILD_AND_SYNTH))
        click.echo(
            f"run {run}: import {imports[-1]['import']:.2f}s | import+build+synth "
            f"{synths[-1]['total']:.2f}s (build {synths[-1]['build']:.2f}s, "
            f"synth {synths[-1]['synth']:.2f}s)",
            err=True,
        )
    bare = statistics.median(m["import"] for m in imports)
    total = statistics.median(m["total"] for m in synths)
    build = statistics.median(m["build"] for m in synths)
    synth = statistics.median(m["synth"] for m in synths)
    overhead = (total - bare) / bare * 100
    # The same ratio inside one process is immune to load changes between processes.
    in_process = statistics.median((m["build"] + m["synth"]) / m["import"] * 100 for m in synths)
    verdict = "within" if overhead <= TARGET_OVERHEAD_PERCENT else "OVER"
    click.echo(f"median of {runs} runs, separate processes")
    click.echo(f"  bare import of the bindings:      {bare:6.2f} s")
    click.echo(f"  import + build + synth (all):     {total:6.2f} s")
    click.echo(f"    of which build {build:.2f} s, synth {synth:.2f} s")
    click.echo(
        f"  overhead over bare import:        {overhead:6.1f} % "
        f"({verdict} the {TARGET_OVERHEAD_PERCENT:.0f}% target)"
    )
    click.echo(f"  same ratio within one process:    {in_process:6.1f} %")


if __name__ == "__main__":
    main()
