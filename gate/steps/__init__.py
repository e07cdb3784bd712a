"""One module per gate step; ``ALL_STEPS`` lists them in the order the summary shows."""

from gate.runner import Step
from gate.steps import checkov, policies, pytest_suite, synth, terraform, tflint

ALL_STEPS: tuple[Step, ...] = (
    Step(name="synth", run=synth.run, needs_stacks=False),
    Step(name="policies", run=policies.run, needs_stacks=True),
    Step(name="checkov", run=checkov.run, needs_stacks=True),
    Step(name="pytest", run=pytest_suite.run, needs_stacks=False),
    Step(name="terraform", run=terraform.run, needs_stacks=True),
    Step(name="tflint", run=tflint.run, needs_stacks=True),
    Step(name="terraform-tier", run=pytest_suite.run_terraform_tier, needs_stacks=False),
    Step(name="rehearsal", run=pytest_suite.run_rehearsal, needs_stacks=False),
)
