"""What one gate run was asked to do (``GateOptions``, fixed before any step starts), and the
names of the steps it can ask for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The names ``--steps`` accepts, in the order of ``gate.steps.ALL_STEPS`` (which owns the steps
# and cannot be imported here: every step imports this module). A test keeps the two equal.
STEP_NAMES: tuple[str, ...] = (
    "synth",
    "policies",
    "checkov",
    "pytest",
    "terraform",
    "tflint",
    "terraform-tier",
    "rehearsal",
)
# The heavy test tiers (pytest -m terraform, pytest -m rehearsal). The PR's verdict job runs
# every other step; pr.yml runs each of these as its own job beside it.
HEAVY_STEPS: tuple[str, ...] = ("terraform-tier", "rehearsal")
# Every step that runs tests; --fast skips them all.
TEST_STEPS: tuple[str, ...] = ("pytest", *HEAVY_STEPS)


@dataclass(frozen=True, kw_only=True)
class GateOptions:
    root: Path
    steps: tuple[str, ...]
    environment: str | None
    # Where synth writes, or the pre-made stacks given with --stacks-dir (then synth is skipped).
    stacks_dir: Path
    stacks_dir_given: bool
    reports_dir: Path
    cache_dir: Path
    use_cache: bool
    jobs: int

    @property
    def logs_dir(self) -> Path:
        return self.reports_dir / "logs"

    def runs(self, step: str) -> bool:
        return step in self.steps
