"""Runs the selected steps: synth first (the others read its output), then the rest in parallel.

Each step writes everything its tools print to ``reports/logs/<step>.log``; the console gets one
block per step when it finishes (header, status, time, the lines that matter), so parallel steps
never interleave their output.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from gate.options import GateOptions

LOG_TAIL_LINES = 30


class Status(StrEnum):
    PASSED = "passed"
    WARNING = "passed with warnings"
    SKIPPED = "skipped"
    FAILED = "failed"

    @property
    def blocking(self) -> bool:
        return self is Status.FAILED


@dataclass(frozen=True, kw_only=True)
class StepResult:
    status: Status
    # One line for the summary table, e.g. "skipped: terraform not installed".
    detail: str
    # Further lines worth showing on the console (e.g. each unexpected checkov failure).
    lines: tuple[str, ...] = ()
    reports: tuple[Path, ...] = ()
    name: str = ""
    seconds: float = 0.0
    # time.monotonic() when the step finished: when its part of the verdict was known.
    finished: float = 0.0
    log: Path | None = None


@dataclass
class StepLog:
    """A step's log file plus a way to run commands whose output lands in it."""

    path: Path
    handle: TextIO
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    def write(self, text: str) -> None:
        self.handle.write(text if text.endswith("\n") else text + "\n")
        self.handle.flush()

    def run(
        self,
        args: Sequence[str | os.PathLike[str]],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        separate_stderr: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command; its output is both logged and returned (stderr merged into stdout
        unless ``separate_stderr``, for tools whose stderr is a one-line error contract)."""
        self.write(f"$ {' '.join(str(a) for a in args)}  (in {cwd})")
        merged = {**self.env, **(env or {})}
        try:
            completed = subprocess.run(
                [str(a) for a in args],
                cwd=cwd,
                env=merged,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE if separate_stderr else subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError:
            self.write(f"command not found: {args[0]}")
            return subprocess.CompletedProcess(list(map(str, args)), 127, f"not found: {args[0]}")
        except subprocess.TimeoutExpired as exc:
            output = exc.output if isinstance(exc.output, str) else ""
            self.write(output)
            self.write(f"timed out after {timeout:.0f} s")
            return subprocess.CompletedProcess(list(map(str, args)), 124, output)
        self.write(completed.stdout)
        if completed.stderr:
            self.write(completed.stderr)
        self.write(f"exit code {completed.returncode}")
        return completed


StepFunction = Callable[[GateOptions, StepLog], StepResult]


@dataclass(frozen=True, kw_only=True)
class Step:
    name: str
    run: StepFunction
    # Steps that read the synthesized stacks cannot run when synth failed.
    needs_stacks: bool


class Console:
    """Serializes step blocks on stdout so parallel steps print whole blocks."""

    def __init__(self, *, stream: TextIO, root: Path) -> None:
        self._stream = stream
        self._root = root
        self._lock = threading.Lock()

    def say(self, text: str) -> None:
        with self._lock:
            self._stream.write(text + "\n")
            self._stream.flush()

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self._root))
        except ValueError:
            return str(path)

    def step_block(self, result: StepResult) -> None:
        header = f"── {result.name} "
        verdict = f" {result.status.value} · {result.seconds:.1f} s"
        lines = [header + "─" * max(3, 72 - len(header) - len(verdict)) + verdict]
        lines.append(f"   {result.detail}")
        lines.extend(f"   {line}" for line in result.lines)
        if result.log is not None:
            lines.append(f"   log: {self.relative(result.log)}")
            # A failure that explained itself in ``lines`` needs no log excerpt.
            if result.status is Status.FAILED and not result.lines:
                lines.append("   last lines of the log:")
                lines.extend(f"   | {line}" for line in _tail(result.log, LOG_TAIL_LINES))
        self.say("\n".join(lines))


def _tail(path: Path, count: int) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [line.rstrip() for line in text.splitlines()[-count:]]


def run_steps(*, options: GateOptions, steps: Sequence[Step], console: Console) -> list[StepResult]:
    """Run ``steps`` (already filtered to the selection); results come back in step order."""
    options.logs_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, StepResult] = {}
    synth = next((s for s in steps if s.name == "synth"), None)
    if synth is not None:
        results["synth"] = _run_one(synth, options=options, console=console)
    synth_failed = "synth" in results and results["synth"].status is Status.FAILED

    rest = [s for s in steps if s.name != "synth"]
    blocked = [s for s in rest if s.needs_stacks and synth_failed]
    for step in blocked:
        result = StepResult(name=step.name, status=Status.SKIPPED, detail="not run: synth failed")
        results[step.name] = result
        console.step_block(result)
    runnable = [s for s in rest if s not in blocked]
    if runnable:
        console.say(
            f"running in parallel ({options.jobs} at a time): "
            + ", ".join(s.name for s in runnable)
        )
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            futures = {
                s.name: pool.submit(_run_one, s, options=options, console=console) for s in runnable
            }
            for name, future in futures.items():
                results[name] = future.result()
    return [results[s.name] for s in steps]


def _run_one(step: Step, *, options: GateOptions, console: Console) -> StepResult:
    log_path = options.logs_dir / f"{step.name}.log"
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as handle:
        log = StepLog(path=log_path, handle=handle)
        try:
            result = step.run(options, log)
        except Exception as exc:  # a bug in a step must still yield a verdict and a summary
            log.write(traceback.format_exc())
            result = StepResult(
                status=Status.FAILED, detail=f"internal error: {type(exc).__name__}: {exc}"
            )
    ended = time.monotonic()
    result = replace(result, name=step.name, seconds=ended - started, finished=ended, log=log_path)
    console.step_block(result)
    return result
