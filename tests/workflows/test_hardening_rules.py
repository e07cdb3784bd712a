"""Each hardening rule reports a deliberately bad workflow: the rules can fail."""

from __future__ import annotations

import textwrap

import pytest

from tests.workflows import hardening

SHA = "08c6903cd8c0fde910a37f88322edcfb5dd907a8"  # pragma: allowlist secret

BAD_WORKFLOW = textwrap.dedent(
    f"""\
    name: bad
    on:
      pull_request_target:
    permissions: write-all
    jobs:
      build:
        runs-on: ubuntu-latest
        permissions:
          contents: write
        steps:
          - uses: actions/checkout@v5
          - uses: actions/setup-python@{SHA}
          - uses: actions/cache@{SHA} # v4
          - run: echo "${{{{ github.event.pull_request.title }}}}"
          - run: git push origin "${{{{ github.head_ref }}}}"
          - uses: actions/github-script@{SHA} # v7.0.1
            with:
              script: console.log("${{{{ github.event.comment.body }}}}")
          - uses: aws-actions/configure-aws-credentials@{SHA} # v5.0.0
            with:
              aws-access-key-id: ${{{{ secrets.KEY }}}}
    """
)

GOOD_WORKFLOW = textwrap.dedent(
    f"""\
    name: good
    on:
      pull_request:
    permissions: {{}}
    jobs:
      build:
        runs-on: ubuntu-latest
        timeout-minutes: 10
        permissions:
          contents: read # check out the code
        steps:
          - uses: actions/checkout@{SHA} # v5.0.0
            with:
              persist-credentials: false
          - env:
              TITLE: ${{{{ github.event.pull_request.title }}}}
            run: echo "$TITLE" "${{{{ github.event.pull_request.number }}}}"
      deploy:
        needs: build
        permissions:
          contents: read # passed to the called workflow
        uses: ./.github/workflows/deploy-environment.yml
    """
)

EXPECTED = {
    "unpinned_actions": ["actions/checkout@v5", "lacks a '# vX.Y.Z'", "lacks a '# vX.Y.Z'"],
    "permission_problems": ["top-level permissions", "without a reason comment"],
    "missing_timeouts": ["job build: timeout-minutes"],
    "credential_persistence": ["persist-credentials"],
    "dangerous_triggers": ["pull_request_target"],
    "untrusted_expressions_in_scripts": [
        "github.event.pull_request.title",
        "github.head_ref",
        "github.event.comment.body",
    ],
    "static_cloud_credentials": ["static AWS credentials"],
}


@pytest.mark.parametrize("rule", hardening.ALL_RULES, ids=lambda r: r.__name__)
def test_rule_reports_the_bad_workflow(rule) -> None:
    problems = rule(hardening.load("bad.yml", BAD_WORKFLOW))
    expected = EXPECTED[rule.__name__]
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


@pytest.mark.parametrize("rule", hardening.ALL_RULES, ids=lambda r: r.__name__)
def test_rule_accepts_the_good_workflow(rule) -> None:
    assert rule(hardening.load("good.yml", GOOD_WORKFLOW)) == []
