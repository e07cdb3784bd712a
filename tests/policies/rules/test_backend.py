"""S3 backend rules: AT001 arguments per Terraform version, SEC001 encrypt, OPS001 locking."""

from __future__ import annotations

import pytest

from policies.model import UNKNOWN, Severity
from policies.rules.backend import VersionRange, admitted_versions

E, W = Severity.ERROR, Severity.WARNING
GOOD = {"bucket": "state", "key": "dev/terraform.tfstate", "region": "eu-north-1", "encrypt": True}


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (None, VersionRange()),
        (">= 1.10", VersionRange(lowest=(1, 10, 0))),
        (">=1.5, <2.0", VersionRange(lowest=(1, 5, 0), below=(2, 0, 0))),
        ("~> 1.11.0", VersionRange(lowest=(1, 11, 0), below=(1, 12, 0))),
        ("~> 1.11", VersionRange(lowest=(1, 11, 0), below=(2, 0, 0))),
        ("1.10.2", VersionRange(lowest=(1, 10, 2), below=(1, 10, 3))),
        ("> 1.9", VersionRange(lowest=(1, 9, 1))),
        (">= 1.6, != 1.7.0, <= 1.9.8", VersionRange(lowest=(1, 6, 0), below=(1, 9, 9))),
        ("= v1.11.0-beta1", VersionRange(lowest=(1, 11, 0), below=(1, 11, 1))),
        ("latest please", VersionRange()),
    ],
)
def test_admitted_versions(constraint, expected):
    assert admitted_versions(constraint) == expected


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "use_lockfile": True}, required_version=">= 1.10"
            ),
            [],
            id="AT001-pass-use_lockfile-pinned",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(backend={**GOOD, "use_lockfile": True}),
            [(E, "'use_lockfile' needs Terraform >= 1.10, but an unset required_version")],
            id="AT001-fail-use_lockfile-unpinned",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "use_lockfile": True}, required_version=">=1.5, <2.0"
            ),
            [(E, 'set required_version = ">= 1.10"')],
            id="AT001-fail-use_lockfile-admits-1.5",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "use_lock_table": True}, required_version=">= 1.11"
            ),
            [
                (
                    E,
                    "fails with 'Unsupported argument'; did you mean 'use_lockfile'?",
                )
            ],
            id="AT001-fail-typo-never-valid",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "role_arn": "arn:aws:iam::1:role/x"}, required_version=">= 1.6"
            ),
            [(E, "removed from the S3 backend in Terraform 1.10")],
            id="AT001-fail-removed-role_arn",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "role_arn": "arn:aws:iam::1:role/x"}, required_version="~> 1.7.0"
            ),
            [(W, "'role_arn' is deprecated in the S3 backend since Terraform 1.6")],
            id="AT001-warn-deprecated-only",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "role_arn": "arn:aws:iam::1:role/x"}, required_version="~> 1.5.0"
            ),
            [],
            id="AT001-pass-role_arn-before-deprecation",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "use_legacy_workflow": True}, required_version="~> 1.6.0"
            ),
            [],
            id="AT001-pass-use_legacy_workflow-on-1.6",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "use_legacy_workflow": True}, required_version=">= 1.6"
            ),
            [(E, "'use_legacy_workflow' was removed from the S3 backend in Terraform 1.8")],
            id="AT001-fail-use_legacy_workflow-removed-in-1.8",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "dynamodb_table": "locks"}, required_version=">= 1.11"
            ),
            [(W, "use use_lockfile = true")],
            id="AT001-warn-dynamodb_table-deprecated",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                kind="plan", backend={**GOOD, "use_lockfile": True}, terraform_version="1.11.4"
            ),
            [],
            id="AT001-pass-plan-written-by-1.11",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(
                backend={**GOOD, "use_lockfile": UNKNOWN}, required_version=">= 1.10"
            ),
            [],
            id="AT001-unknown-value-is-fine",
        ),
        pytest.param(
            "AT001",
            lambda k: k.document(backend={"path": "x", "use_lock_table": 1}, backend_type="local"),
            [],
            id="AT001-pass-not-s3",
        ),
        pytest.param("SEC001", lambda k: k.document(backend=GOOD), [], id="SEC001-pass"),
        pytest.param(
            "SEC001",
            lambda k: k.document(backend={**GOOD, "encrypt": False}),
            [(E, "encrypt is false")],
            id="SEC001-fail-false",
        ),
        pytest.param(
            "SEC001",
            lambda k: k.document(backend={"bucket": "b", "key": "k"}),
            [(E, "encrypt is not set")],
            id="SEC001-fail-absent",
        ),
        pytest.param(
            "SEC001",
            lambda k: k.document(backend={**GOOD, "encrypt": UNKNOWN}),
            [],
            id="SEC001-unknown",
        ),
        pytest.param(
            "OPS001",
            lambda k: k.document(backend={**GOOD, "use_lockfile": True}),
            [],
            id="OPS001-pass-lockfile",
        ),
        pytest.param(
            "OPS001",
            lambda k: k.document(backend={**GOOD, "use_lockfile": True, "dynamodb_table": "t"}),
            [],
            id="OPS001-pass-migrating-both",
        ),
        pytest.param(
            "OPS001",
            lambda k: k.document(backend=GOOD),
            [(E, "no state locking")],
            id="OPS001-fail-none",
        ),
        pytest.param(
            "OPS001",
            lambda k: k.document(backend={**GOOD, "use_lockfile": False}),
            [(E, "no state locking")],
            id="OPS001-fail-lockfile-false",
        ),
        pytest.param(
            "OPS001",
            lambda k: k.document(backend={**GOOD, "dynamodb_table": "locks"}),
            [(W, "deprecated since Terraform 1.11")],
            id="OPS001-warn-dynamodb-only",
        ),
        pytest.param(
            "OPS001",
            lambda k: k.document(backend={**GOOD, "use_lockfile": UNKNOWN}),
            [],
            id="OPS001-unknown",
        ),
    ],
)
def test_backend_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
