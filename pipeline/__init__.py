"""Glue between Terraform and GitHub that the workflows call (``pipenv run pipeline <command>``).

Plans are read by ``tfjson.plan`` and masked by ``tfjson.values`` (shared with the policy pack).

values.py        attribute diffs of two resource values, masked, and their one-line text
markdown.py      table cells, code spans and the size limit of GitHub comments, issues, summaries
summary.py       plan-summary: counts, changed resources, outputs
drift.py         drift-report: drifted attributes, told apart from pending code changes
issue.py         the drift issue body with its stable hidden marker
outputs.py       ``terraform output -json`` rendered with sensitive outputs masked
redact.py        a copy of a plan JSON with every sensitive value replaced, safe to upload
comment.py       the sticky PR plan comment
findings.py      policy findings grouped by the Python line that made them (gate summary)
artifact.py      unpack-artifact: the PR's synthesized stacks, checked as hostile input
deployments.py   reviewed plans and the deployment record in the state bucket; the order check
environments.py  the GitHub Actions matrix, from infra.config
deploy_commands.py  the commands scripts/deploy-environment.sh and drift-check.sh call
cli.py           the click command line; every command maps bad input to one line and exit 2
bench.py         ``python -m pipeline.bench``: how long the summaries take on a large plan
"""
