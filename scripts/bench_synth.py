"""Benchmark: what building and synthesizing every stack adds to loading the AWS bindings.

Each measurement runs in a fresh interpreter so nothing is cached between them:
  import  imports the stack modules, i.e. cdktf plus every provider binding they use;
  synth   does the same imports, then build_app + synth of all stacks into a temp dir.
Target: build + synth adds at most 30% to the import. Prints figures; never fails on them.

--source-rounds N adds a paired measurement of what recording each resource's Python line
(infra/sources.py) costs: one process imports once, then alternates build + synth with and
without recording N times, measuring CPU time (this process and its jsii node process), so
load from other users of a shared machine hardly moves it.
Target: at most 5% of the whole synth (import + build + synth).

    .venv/bin/python scripts/bench_synth.py [--runs 3] [--source-rounds 5]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_OVERHEAD_PERCENT = 30.0
TARGET_SOURCES_PERCENT = 5.0

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


_SOURCES_PAIRED = """
import json, os, sys, tempfile, time
from pathlib import Path

def _descendants(pid):
    for tasks in Path(f"/proc/{pid}").glob("task/*/children"):
        for child in tasks.read_text().split():
            yield child
            yield from _descendants(child)

def cpu_seconds():
    # This process plus the jsii node processes it drives (the kernel runs in a grandchild):
    # CPU time, unlike wall time, barely moves with load from other users of the machine
    # (Linux /proc; elsewhere wall time).
    if not Path("/proc/self/stat").exists():
        return time.perf_counter()
    total = time.process_time()
    for pid in _descendants(os.getpid()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total

start = cpu_seconds()
import infra.stacks.catalog_api, infra.stacks.bootstrap
imported = cpu_seconds() - start
from cdktf import App
from infra.app import build_app
from infra.config import load_settings
from infra.stacks.bootstrap import BOOTSTRAP_STACK_NAME, BootstrapStack
from infra.stacks.catalog_api import CatalogApiStack
settings = load_settings({})

def unrecorded(outdir):  # build_app as it was before source recording
    app = App(outdir=outdir)
    for config in settings.environments:
        CatalogApiStack(app, config.stack_name, config=config, state=settings.state)
    BootstrapStack(app, BOOTSTRAP_STACK_NAME, settings=settings)
    return app

def recorded(outdir):
    return build_app(settings, outdir=outdir)

timings = {"import": imported, "unrecorded": [], "recorded": []}
for round_number in range(int(sys.argv[1])):
    pair = [("unrecorded", unrecorded), ("recorded", recorded)]
    for kind, make in pair if round_number % 2 == 0 else pair[::-1]:
        with tempfile.TemporaryDirectory() as outdir:
            begin = cpu_seconds()
            make(outdir).synth()
            timings[kind].append(cpu_seconds() - begin)
print(json.dumps(timings))
"""


def _measure(code: str, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
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
@click.option("--source-rounds", default=0, show_default=True, type=click.IntRange(0, 20))
def main(runs: int, source_rounds: int) -> None:
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
    if source_rounds:
        _print_source_cost(source_rounds)


def _print_source_cost(rounds: int) -> None:
    paired = _measure(_SOURCES_PAIRED, str(rounds))
    without = statistics.median(paired["unrecorded"])
    with_sources = statistics.median(paired["recorded"])
    whole = paired["import"] + without
    share = (with_sources - without) / whole * 100
    verdict = "within" if share <= TARGET_SOURCES_PERCENT else "OVER"
    click.echo(f"source recording, median CPU time of {rounds} paired rounds in one process")
    click.echo(f"  import of the bindings:           {paired['import']:6.2f} s")
    click.echo(f"  build + synth without recording:  {without:6.2f} s")
    click.echo(f"  build + synth with recording:     {with_sources:6.2f} s")
    click.echo(
        f"  cost over the whole synth:        {share:6.1f} % of {whole:.2f} s "
        f"({verdict} the {TARGET_SOURCES_PERCENT:.0f}% target)"
    )


if __name__ == "__main__":
    main()
