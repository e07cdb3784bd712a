"""The step names ``--steps`` accepts are exactly the steps the gate runs, in the same order."""

from __future__ import annotations

from gate.options import STEP_NAMES
from gate.steps import ALL_STEPS


def test_step_names_follow_all_steps() -> None:
    assert tuple(step.name for step in ALL_STEPS) == STEP_NAMES
