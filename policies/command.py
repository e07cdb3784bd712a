"""What every ``policies`` command shares: the error contract and the one writer.

The contract (the gate script and workflows rely on it): bad input or usage is one line on
stderr, ``<prog>: error: <message>``, and exit code 2, never a traceback; Ctrl-C is exit 130.
This module imports no click, so ``check``'s fast path (``policies/cli.py``) stays free of it;
click's own exceptions are recognised only when click is already loaded, which is the only
way one can have been raised.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tfjson.reader import InputError

USAGE_ERROR = 2
INTERRUPTED = 130


class UsageError(InputError):
    """A command line that cannot work: one line on stderr and exit 2, like bad input."""


def run_click(command: Any, argv: Sequence[str] | None = None, *, prog: str) -> int:
    """Run a click command under the contract (``guarded``) and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    return guarded(prog, lambda: command.main(args=args, prog_name=prog, standalone_mode=False))


def guarded(prog: str, command: Callable[[], int | None]) -> int:
    """Run ``command`` and return its exit code; every failure is one line on stderr."""
    try:
        result = command()
    except InputError as exc:
        return fail(prog, str(exc))
    except KeyboardInterrupt:
        return fail(prog, "interrupted", code=INTERRUPTED)
    except Exception as exc:
        click = sys.modules.get("click")
        if click is not None and isinstance(exc, click.ClickException):
            return fail(prog, exc.format_message())
        if click is not None and isinstance(exc, click.Abort):
            return fail(prog, "aborted", code=INTERRUPTED)
        # A bug of ours still gets the one-line contract; the type names it for a bug report.
        return fail(prog, f"internal error: {type(exc).__name__}: {exc}")
    return result if isinstance(result, int) else 0


def fail(prog: str, message: str, *, code: int = USAGE_ERROR) -> int:
    """Print ``prog: error: message`` as one line on stderr and return ``code``."""
    sys.stderr.write(f"{prog}: error: {' '.join(message.split())}\n")
    sys.stderr.flush()
    return code


def write_output(content: str, output: Path | None = None) -> None:
    """``content`` to ``output`` (parents created), or to stdout when it is None.

    A file that cannot be written is an InputError naming it; stdout gets a final newline.
    """
    if output is None:
        sys.stdout.write(content if content.endswith("\n") else content + "\n")
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write: {exc.strerror}") from None


def stdout_wants_color() -> bool:
    """https://no-color.org: any non-empty NO_COLOR disables colour; FORCE_COLOR forces it."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()
