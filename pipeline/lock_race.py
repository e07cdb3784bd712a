"""``terraform apply`` that survives exactly one known Terraform race on the S3 lock file.

Terraform's S3 lock (``use_lockfile``) is a conditional ``PutObject`` of ``<key>.tflock``. When
it answers 412 (``PreconditionFailed``: someone holds the lock), Terraform reads the lock's info
with ``GetObject``, and its lock loop (``statemgr.LockWithContext``) waits and tries again only
when that info could be read. If the holder releases the lock between the two requests, the read
answers 404 (``NoSuchKey``), and Terraform gives up at once, however long ``-lock-timeout`` still
had to run, although the lock has just become free.

This runs the apply again in exactly that case, with what is left of the same lock timeout, so
``-lock-timeout=5m`` still means five minutes in all. Nothing was applied when Terraform failed
there (it had not taken the lock), so a saved plan can be applied again; if the state moved on
meanwhile Terraform refuses it as stale, which is never retried. Any other failure, a lock held
past the timeout included, is returned as it is.

Usage: python -m pipeline.lock_race --chdir DIR --plan PLANFILE --lock-timeout 5m --log FILE
Runs ``terraform -chdir=DIR apply -input=false -lock-timeout=5m PLANFILE`` (a retry passes what
is left, e.g. ``-lock-timeout=287s``); Terraform's output goes to stdout and to FILE, this
module's own notes to stderr and FILE. Exit code: Terraform's, or 2 for bad usage.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

EXIT_USAGE = 2
LOCK_ERROR = "Error acquiring the state lock"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOX = re.compile(r"^[│╷╵]\s?")
# Go's time.ParseDuration for the units -lock-timeout is given in.
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
# Both halves of the race, as Terraform 1.10+ (AWS SDK for Go v2) words them.
_PUT_412 = re.compile(
    r"operation error S3: PutObject, https response error StatusCode: 412\b.*?"
    r"api error PreconditionFailed\b"
)
_GET_404_ON_LOCK = re.compile(
    r"unable to retrieve file from S3 bucket '[^']+' with key '[^']+\.tflock': "
    r"operation error S3: GetObject, https response error StatusCode: 404\b.*?NoSuchKey\b"
)


class UsageError(ValueError):
    """Bad arguments; the message is one line."""


def parse_duration(text: str) -> float:
    """Seconds in a Go duration such as ``5m``, ``120s`` or ``1m30s`` (what -lock-timeout takes)."""
    value = text.strip()
    if value == "0":
        return 0.0
    position, total = 0, 0.0
    for match in _DURATION_PART.finditer(value):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if position != len(value) or position == 0:
        raise UsageError(f"invalid lock timeout '{text}' (use a duration such as 5m or 120s)")
    return total


def plain_text(output: str) -> str:
    """Terraform's output without colours and diagnostic box edges, wrapped lines joined."""
    lines = [_BOX.sub("", _ANSI.sub("", line)).strip() for line in output.splitlines()]
    return " ".join(line for line in lines if line)


def is_lock_release_race(output: str) -> bool:
    """True only for the race: the one error is the state lock, its PutObject got 412 and the
    read of the ``.tflock`` that followed got 404; no lock info was shown (a lock that is
    really held shows it), and no other error was reported."""
    text = plain_text(output)
    return (
        text.count("Error: ") == 1
        and f"Error: {LOCK_ERROR}" in text
        and "Lock Info:" not in text
        and _PUT_412.search(text) is not None
        and _GET_404_ON_LOCK.search(text) is not None
    )


@dataclass(frozen=True, kw_only=True)
class Attempt:
    returncode: int
    output: str


Runner = Callable[[list[str]], Attempt]


def apply_with_race_retry(
    *,
    chdir: str,
    plan: str,
    lock_timeout: str,
    run: Runner,
    say: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Apply; again after the lock race while the lock timeout has time left. The exit code."""
    deadline = clock() + parse_duration(lock_timeout)
    timeout = lock_timeout  # the first attempt passes the caller's own words
    attempt = 1
    while True:
        result = run(
            [
                "terraform",
                f"-chdir={chdir}",
                "apply",
                "-input=false",
                f"-lock-timeout={timeout}",
                plan,
            ]
        )
        if result.returncode == 0 or not is_lock_release_race(result.output):
            return result.returncode
        left = deadline - clock()
        if left < 1:
            say(
                "error: the state lock was released while Terraform read it, and the lock "
                "timeout has run out; not retrying"
            )
            return result.returncode
        attempt += 1
        timeout = _seconds(left)
        say(
            "the state lock was released between Terraform's attempt to take it (412) and its "
            f"read of the lock (404); nothing was applied. Attempt {attempt}, with the "
            f"{_seconds(left)} left of the lock timeout."
        )


def _seconds(value: float) -> str:
    return f"{max(0, int(value))}s"


def _tee_runner(log: TextIO) -> Runner:
    def run(args: list[str]) -> Attempt:
        log.write(f"$ {' '.join(args)}\n")
        log.flush()
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            log.write(line)
            lines.append(line)
        log.flush()
        return Attempt(returncode=process.wait(), output="".join(lines))

    return run


_OPTIONS = ("--chdir", "--plan", "--lock-timeout", "--log")


def _parse_args(argv: Sequence[str]) -> dict[str, str]:
    options = list(argv)
    values: dict[str, str] = {}
    while options:
        name = options.pop(0)
        if name not in _OPTIONS or not options:
            raise UsageError(f"unexpected argument '{name}' (options: {', '.join(_OPTIONS)})")
        values[name] = options.pop(0)
    missing = [name for name in _OPTIONS if not values.get(name)]
    if missing:
        raise UsageError(f"missing {missing[0]}")
    parse_duration(values["--lock-timeout"])
    return values


def main(argv: Sequence[str]) -> int:
    try:
        values = _parse_args(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with Path(values["--log"]).open("w", encoding="utf-8") as log:

        def say(message: str) -> None:
            print(message, file=sys.stderr)
            log.write(message + "\n")

        return apply_with_race_retry(
            chdir=values["--chdir"],
            plan=values["--plan"],
            lock_timeout=values["--lock-timeout"],
            run=_tee_runner(log),
            say=say,
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
