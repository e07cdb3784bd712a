"""Glue between Terraform and GitHub that the workflows call (``pipenv run pipeline <command>``).

Plans are read by ``tfjson.plan`` and masked by ``tfjson.values`` (shared with the policy pack).

values.py    attribute diffs of two resource values, masked, and their one-line text
markdown.py  table cells and the size limit of GitHub comments, issues and summaries
summary.py   plan-summary: counts, changed resources, outputs
drift.py     drift-report: drifted attributes, and drift told apart from pending code changes
issue.py     the drift issue body with its stable hidden marker
outputs.py   ``terraform output -json`` rendered with sensitive outputs masked
redact.py    a copy of a plan JSON with every sensitive value replaced, safe to upload
environments.py  the GitHub Actions matrix, from infra.config
cli.py       the click command line; every command maps bad input to one line and exit 2
"""
