"""Step 3: checkov on every synthesized stack, in its own virtualenv, judged against the
checked-in accepted failures (tools/checkov/accepted.yaml).

checkov lives in ``.venv-checkov/`` because its pins conflict with cdktf's (``GATE_CHECKOV_VENV``
puts it elsewhere; the test suite points it at one environment outside the tree). A scan is
reused when the stacks and the checkov requirements are unchanged; the accepted file is applied
to the scan afterwards, so editing it never costs a rescan.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from gate import fingerprint
from gate.checkov_results import (
    AcceptedFileError,
    Judgement,
    grouped_lines,
    judge,
    load_accepted,
    mark_accepted_in_sarif,
    parse_checkov_json,
    point_sarif_at_sources,
    resource_types,
)
from gate.options import GateOptions
from gate.runner import Status, StepLog, StepResult
from gate.stacks import (
    STACK_FILE,
    Stack,
    StacksError,
    discover_stacks,
    stacks_fingerprint_files,
)

REQUIREMENTS = Path("tools/checkov/requirements.txt")
ACCEPTED = Path("tools/checkov/accepted.yaml")
VENV = Path(".venv-checkov")
STAMP = ".requirements.sha256"
VENV_ENV = "GATE_CHECKOV_VENV"  # where checkov's virtualenv is, when not root/.venv-checkov
# Bump when the way the gate prepares checkov's input changes: older scans are then stale.
SCAN_RECIPE = "2"
CHECKOV_ARGS = ("--framework", "terraform_json", "--skip-download", "--quiet")
# checkov --output-file-path writes fixed names; the gate publishes them under its own.
OUTPUTS = {
    "results_json.json": "checkov.json",
    "results_sarif.sarif": "checkov.sarif",
    "results_junitxml.xml": "checkov.xml",
}
SCAN_LOG = "checkov-output.log"
INSTALL_TIMEOUT_SECONDS = 900
SCAN_TIMEOUT_SECONDS = 900
SHOWN_LINES = 60


def run(options: GateOptions, log: StepLog) -> StepResult:
    root = options.root
    try:
        accepted = load_accepted(root / ACCEPTED)
        stacks = discover_stacks(options.stacks_dir, environment=options.environment)
    except (AcceptedFileError, StacksError) as exc:
        return StepResult(status=Status.FAILED, detail=str(exc))

    scan_key = fingerprint.combine(
        fingerprint.hash_files(stacks_fingerprint_files(stacks), base=options.stacks_dir),
        fingerprint.hash_files([root / REQUIREMENTS], base=root),
        " ".join(CHECKOV_ARGS),
        SCAN_RECIPE,
    )
    scan_dir = options.cache_dir / "checkov" / scan_key
    reused = options.use_cache and all((scan_dir / name).is_file() for name in OUTPUTS)
    if reused:
        log.write(f"stacks and checkov requirements unchanged: reusing the scan in {scan_dir}")
        if (scan_dir / SCAN_LOG).is_file():
            log.write("---- output of that scan ----")
            log.write((scan_dir / SCAN_LOG).read_text(encoding="utf-8", errors="replace"))
    else:
        failure = ensure_venv(checkov_venv(root), root=root, log=log)
        if failure is not None:
            return failure
        failure = _scan(options, stacks=stacks, into=scan_dir, log=log)
        if failure is not None:
            return failure

    reports = _publish(scan_dir, options.reports_dir)
    stack_resources = {
        stack.name: resource_types(json.loads(stack.file.read_text(encoding="utf-8")))
        for stack in stacks
    }
    scan = parse_checkov_json(
        json.loads((options.reports_dir / "checkov.json").read_text(encoding="utf-8")),
        stack_resources=stack_resources,
    )
    if scan.parsing_errors:
        # A file checkov could not parse was not checked at all: that is never a pass.
        return StepResult(
            status=Status.FAILED,
            detail=f"checkov could not parse {scan.parsing_errors} file(s), so it did not "
            "check them; see the log",
            reports=reports,
        )
    judgement = judge(
        scan.failed,
        accepted=accepted,
        passed_count=scan.passed,
        scanned={
            name: {f"{rtype}.{rname}" for rname, rtypes in types.items() for rtype in rtypes}
            for name, types in stack_resources.items()
        },
    )
    mark_accepted_in_sarif(options.reports_dir / "checkov.sarif", judgement)
    # After the suppressions, which match on the JSON location this moves to a related one.
    point_sarif_at_sources(
        options.reports_dir / "checkov.sarif", {stack.name: stack.file for stack in stacks}
    )
    return _verdict(judgement, stack_count=len(stacks), reused=reused, reports=reports, log=log)


def _verdict(
    judgement: Judgement,
    *,
    stack_count: int,
    reused: bool,
    reports: tuple[Path, ...],
    log: StepLog,
) -> StepResult:
    for failure, entry in judgement.accepted:
        log.write(f"accepted: {failure.describe()} -- {entry.reason}")
    passed = judgement.passed_count
    lines: list[str] = []
    if reused:
        lines.append("scan reused: stacks and checkov requirements unchanged since the last scan")
    counts = (
        f"{stack_count} stack(s), {passed} passed, {len(judgement.accepted)} accepted, "
        f"{len(judgement.unexpected)} unexpected failure(s)"
    )
    if judgement.unexpected:
        lines.append(
            f"unexpected failed checks (fix them, or accept them in {ACCEPTED} with a reason):"
        )
        grouped = grouped_lines(judgement.unexpected)
        lines += [f"  {line}" for line in grouped[:SHOWN_LINES]]
        if len(grouped) > SHOWN_LINES:
            lines.append(f"  ... {len(grouped) - SHOWN_LINES} more line(s) in the log")
        for failure in judgement.unexpected:
            log.write(f"unexpected: {failure.describe()}")
    for entry in judgement.stale:
        lines.append(
            f"warning: stale accepted entry {entry.describe()} matches no failure: "
            f"remove it from {ACCEPTED}"
        )
    if judgement.unexpected:
        status = Status.FAILED
    elif judgement.stale:
        status = Status.WARNING
    else:
        status = Status.PASSED
    return StepResult(status=status, detail=counts, lines=tuple(lines), reports=reports)


def checkov_venv(root: Path) -> Path:
    """Where checkov's virtualenv is: ``$GATE_CHECKOV_VENV``, else ``.venv-checkov/``."""
    override = os.environ.get(VENV_ENV, "").strip()
    return Path(override).resolve() if override else root / VENV


@contextlib.contextmanager
def venv_lock(venv: Path) -> Iterator[None]:
    """Held while ``venv`` is checked or built: a reader that comes while a build runs (the
    gate's pytest step starts beside its checkov step) waits for it and then uses it, instead
    of building a second environment."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f".{venv.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_venv(venv: Path, *, root: Path, log: StepLog) -> StepResult | None:
    """(Re)build ``venv`` when it is missing or the requirements changed; None when ready.

    Builders and readers of one directory take turns (``venv_lock``), so a build is never
    read half-done and never done twice at once.
    """
    with venv_lock(venv):
        return _ensure_venv(venv, root=root, log=log)


def _ensure_venv(venv: Path, *, root: Path, log: StepLog) -> StepResult | None:
    if venv_is_current(venv, root=root):
        return None
    python = venv / "bin" / "python"
    log.write(f"building {venv} from {REQUIREMENTS}")
    steps = (
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "-r",
            str(root / REQUIREMENTS),
        ],
    )
    for args in steps:
        if log.run(args, cwd=root, timeout=INSTALL_TIMEOUT_SECONDS).returncode != 0:
            return StepResult(
                status=Status.FAILED, detail=f"could not build {venv} from {REQUIREMENTS}"
            )
    (venv / STAMP).write_text(_requirements_hash(root) + "\n")
    return None


def venv_is_current(venv: Path, *, root: Path) -> bool:
    """``venv`` exists and was built from the current requirements."""
    stamp = venv / STAMP
    return (
        (venv / "bin" / "python").is_file()
        and stamp.is_file()
        and stamp.read_text().strip() == _requirements_hash(root)
    )


def _requirements_hash(root: Path) -> str:
    return fingerprint.hash_files([root / REQUIREMENTS], base=root)


def parseable_copy(document: dict[str, Any]) -> dict[str, Any]:
    """The stack as checkov 3.3's terraform_json parser can read it.

    That parser crashes on scalar settings in the ``terraform`` block ("this method receives
    only dicts"), such as the ``required_version`` every stack sets, and then scans nothing.
    Those settings carry nothing checkov checks, so the copy leaves them out; everything
    else is untouched, and the ``terraform`` block comes last, so resource line numbers match.
    """
    settings = document.get("terraform")
    if not isinstance(settings, dict):
        return document
    kept = {key: value for key, value in settings.items() if isinstance(value, dict | list)}
    return {**document, "terraform": kept}


def _write_scan_input(stacks: Sequence[Stack], into: Path) -> None:
    for stack in stacks:
        document = json.loads(stack.file.read_text(encoding="utf-8"))
        target = into / stack.name / STACK_FILE
        target.parent.mkdir(parents=True)
        # cdktf writes JSON.stringify(..., 2); the same layout keeps line numbers meaningful.
        target.write_text(
            json.dumps(parseable_copy(document), indent=2, ensure_ascii=False), encoding="utf-8"
        )


def _point_reports_at_stacks(
    directory: Path, *, scan_input: Path, stacks: Sequence[Stack], root: Path
) -> None:
    """Reports name the real stack files, not the temporary copies checkov read."""
    for name in OUTPUTS:
        report = directory / name
        text = report.read_text(encoding="utf-8")
        for stack in stacks:
            # checkov writes the copy's path absolute, without its leading "/", or relative to
            # the working directory depending on the report and on where the temp dir is; the
            # temp dir's random name is unique, so any path ending in it is the copy.
            copy = re.compile(
                r"[^\s\"'<>]*?" + re.escape(f"{scan_input.parent.name}/input/{stack.name}/")
            )
            real = f"{_display_path(stack.directory, root)}/"
            text = copy.sub(lambda _match, real=real: real, text)
        report.write_text(text, encoding="utf-8")


def _scan(
    options: GateOptions, *, stacks: Sequence[Stack], into: Path, log: StepLog
) -> StepResult | None:
    root = options.root
    with tempfile.TemporaryDirectory(prefix="checkov-", dir=_tmp_parent(options)) as tmp:
        scan_input = Path(tmp) / "input"
        results = Path(tmp) / "results"
        _write_scan_input(stacks, scan_input)
        args: list[str] = [str(checkov_venv(root) / "bin" / "checkov")]
        for stack in stacks:
            args += ["--directory", str(scan_input / stack.name)]
        args += [
            *CHECKOV_ARGS,
            "-o",
            "cli",
            "-o",
            "json",
            "-o",
            "sarif",
            "-o",
            "junitxml",
            "--output-file-path",
            str(results),
        ]
        completed = log.run(
            args,
            cwd=root,
            # No guideline download, no telemetry: the gate must work offline and leak nothing.
            env={
                "BC_SKIP_MAPPING": "TRUE",
                "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
                "LOG_LEVEL": "WARNING",
            },
            timeout=SCAN_TIMEOUT_SECONDS,
        )
        produced = all((results / name).is_file() for name in OUTPUTS)
        # checkov exits 1 for failed checks; anything else, or missing reports, is a crash.
        if completed.returncode not in (0, 1) or not produced:
            return StepResult(
                status=Status.FAILED,
                detail=f"checkov did not complete (exit {completed.returncode}); see the log",
            )
        # Only the latest scan is worth keeping; older ones are for stacks that no longer exist.
        if into.parent.is_dir():
            for old in into.parent.iterdir():
                if old.is_dir() and not old.name.startswith("checkov-"):
                    shutil.rmtree(old)
        _point_reports_at_stacks(results, scan_input=scan_input, stacks=stacks, root=root)
        into.mkdir(parents=True)
        for name in OUTPUTS:
            shutil.copy2(results / name, into / name)
        (into / SCAN_LOG).write_text(completed.stdout, encoding="utf-8")
    return None


def _publish(scan_dir: Path, reports_dir: Path) -> tuple[Path, ...]:
    reports_dir.mkdir(parents=True, exist_ok=True)
    published = []
    for source, target in OUTPUTS.items():
        shutil.copy2(scan_dir / source, reports_dir / target)
        published.append(reports_dir / target)
    return tuple(published)


def _display_path(path: Path, root: Path) -> str:
    # Relative paths keep the reports free of machine-specific directories.
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path.resolve())


def _tmp_parent(options: GateOptions) -> str:
    options.cache_dir.mkdir(parents=True, exist_ok=True)
    return os.fspath(options.cache_dir)
