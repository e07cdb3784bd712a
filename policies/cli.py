"""``python -m policies``: check synthesized stacks and plans, list and explain rules.

Exit codes are a contract the gate script and workflows rely on: 0 nothing blocks, 1 at least
one blocking finding, 2 bad input or usage, or a rule that crashed. Every exit-2 path prints
one line on stderr and never a traceback (``policies.command.guarded``).

``check`` with an everyday command line runs without click (``policies.check.parse_check``):
importing click costs more than checking a stack. Everything else is the click application
in ``policies/commands.py``.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import NoReturn

from policies.command import guarded

PROG = "policies"


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; every failure is one line on stderr."""
    args = list(sys.argv[1:] if argv is None else argv)
    return guarded(PROG, lambda: _dispatch(args or ["--help"]))


def _dispatch(args: list[str]) -> int:
    if args[0] == "check":
        from policies.check import parse_check, run_check

        request = parse_check(args[1:])
        if request is not None:
            return run_check(request)
    from policies.commands import cli

    result = cli.main(args=args, prog_name=PROG, standalone_mode=False)
    return result if isinstance(result, int) else 0


def main() -> NoReturn:
    # A short-lived process that builds one large acyclic tree (a 10,000-resource plan is
    # millions of objects): cyclic garbage collection only costs time here.
    gc.disable()
    sys.exit(run())
