"""Reporters: each format says what matters, in the structure its consumer requires."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from policies.model import Document, Evaluation, Finding, Resource, Severity
from policies.registry import Rule, help_uri_base
from policies.reporters import FORMATS, Report, render
from policies.reporters.markdown import MAX_CHARS
from policies.reporters.markdown import render as render_markdown
from tests.fixture_paths import REPO_ROOT

STACK_FILE = "cdktf.out/stacks/catalog-api-prod/cdk.tf.json"
ANSI = re.compile(r"\x1b\[")


def make_rule(rule_id: str, severity: Severity) -> Rule:
    return Rule(
        id=rule_id,
        title=f"Title of {rule_id}",
        severity=severity,
        service="aws",
        failure_class="posture",
        source="https://example.com/test",
        resource_types=("aws_lb",),
        applies_to=frozenset({"config", "plan"}),
        check=lambda document: (),
    )


RULES = (make_rule("AT001", Severity.ERROR), make_rule("SEC004", Severity.WARNING))


def finding(rule_id: str, address: str, severity: Severity, **extra: object) -> Finding:
    defaults: dict[str, object] = {
        "message": f"{rule_id} says {address} is wrong",
        "file": STACK_FILE,
        "line": 12,
        "stack": "catalog-api-prod",
        "environment": "prod",
    }
    defaults.update(extra)
    return Finding(rule_id=rule_id, severity=severity, address=address, **defaults)  # type: ignore[arg-type]


DOCUMENT = Document(
    kind="config",
    stack="catalog-api-prod",
    environment="prod",
    file=STACK_FILE,
    resources=tuple(
        Resource(
            address=f"aws_lb.{name}",
            type="aws_lb",
            name=name,
            values={},
            stack="catalog-api-prod",
            environment="prod",
            file=STACK_FILE,
            line=12,
        )
        for name in ("public", "internal")
    ),
)
FINDINGS = (
    finding("AT001", "terraform.backend.s3", Severity.ERROR, line=3),
    finding("AT001", "aws_lb.public", Severity.ERROR, message="name | has <pipes>\nand lines"),
    finding("SEC004", "aws_lb.internal", Severity.WARNING, line=None),
    finding("SEC004", "aws_lb.public", Severity.WARNING, waived=True, waiver_reason="CHG-1"),
)


def report(
    findings: tuple[Finding, ...] = FINDINGS,
    *,
    internal_errors: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    color: bool = False,
    fail_on: Severity = Severity.ERROR,
) -> Report:
    evaluation = Evaluation(
        documents=(DOCUMENT,),
        findings=findings,
        internal_errors=internal_errors,
        rules_run=len(RULES),
        notes=notes,
    )
    return Report(evaluation=evaluation, rules=RULES, fail_on=fail_on, color=color)


def test_json_is_the_documented_contract() -> None:
    document = json.loads(render("json", report()))
    assert document["version"] == 1
    assert document["summary"] == {
        "errors": 2,
        "warnings": 2,
        "infos": 0,
        "waived": 1,
        "blocking": 2,
        "resources": 2,
        "rules": 2,
        "stacks": 1,
        "internal_errors": 0,
    }
    first = document["findings"][0]
    for key in ("rule_id", "severity", "address", "message", "file", "line", "waived"):
        assert key in first
    assert first["address"] == "terraform.backend.s3"
    assert [f["waived"] for f in document["findings"]] == [False, False, False, True]


# The subset of SARIF 2.1.0 that GitHub code scanning requires to accept an upload.
GITHUB_SARIF = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id",
                                                "name",
                                                "shortDescription",
                                                "helpUri",
                                            ],
                                            "properties": {
                                                "shortDescription": {
                                                    "type": "object",
                                                    "required": ["text"],
                                                },
                                                "helpUri": {"type": "string", "format": "uri"},
                                            },
                                        },
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message", "locations"],
                            "properties": {
                                "level": {"enum": ["error", "warning", "note", "none"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {
                                                            "uri": {
                                                                "type": "string",
                                                                "pattern": "^[^/]",
                                                            }
                                                        },
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "required": ["startLine"],
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            }
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_has_the_structure_github_requires(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    sarif = json.loads(render("sarif", report()))
    jsonschema.validate(sarif, GITHUB_SARIF)
    run = sarif["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["AT001", "SEC004"]
    assert run["tool"]["driver"]["rules"][0]["helpUri"].endswith("/policies/docs/AT001.md")
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "error", "warning", "warning"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == STACK_FILE  # relative to the repository root
    assert location["region"]["startLine"] == 3
    assert results[2]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert "suppressions" in results[3] and "suppressions" not in results[0]
    fingerprints = [r["partialFingerprints"]["catalogPolicies/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_of_every_registered_rule_is_valid_sarif_2_1_0(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Against the official schema (vendored for the rehearsal's upload-sarif stand-in): a rule
    whose category is also a document kind once listed that tag twice."""
    from policies.rules import all_rules

    monkeypatch.chdir(REPO_ROOT)
    schema_path = (
        REPO_ROOT / "tests/rehearsal/actions/codeql-action/upload-sarif/sarif-schema-2.1.0.json"
    )
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    rules = tuple(all_rules())
    evaluation = Evaluation(
        documents=(DOCUMENT,), findings=FINDINGS, internal_errors=(), rules_run=len(rules)
    )
    sarif = json.loads(
        render("sarif", Report(evaluation=evaluation, rules=rules, fail_on=Severity.ERROR))
    )
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)


def test_sarif_paths_are_relative_to_the_repository_root_not_the_cwd(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO_ROOT / "tests")
    sarif = json.loads(
        render("sarif", report((finding("AT001", "aws_lb.public", Severity.ERROR),)))
    )
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == f"tests/{STACK_FILE}"


def test_junit_has_a_case_per_rule_and_resource() -> None:
    root = ET.fromstring(render("junit", report()))
    (suite,) = root.findall("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {
        "AT001 aws_lb.public",
        "AT001 aws_lb.internal",
        "AT001 terraform.backend.s3",
        "SEC004 aws_lb.public",
        "SEC004 aws_lb.internal",
    }
    assert cases["AT001 aws_lb.public"].find("failure") is not None
    assert cases["AT001 aws_lb.internal"].find("failure") is None  # checked and passed
    assert cases["SEC004 aws_lb.public"].find("skipped") is not None  # waived
    assert cases["SEC004 aws_lb.internal"].find("failure") is None  # a warning does not block
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "2", "1")


def test_junit_reports_internal_errors_as_errors() -> None:
    root = ET.fromstring(render("junit", report(internal_errors=("rule AT001 raised KeyError",))))
    assert root.get("errors") == "1"
    assert root.find("testsuite[@name='internal-errors']/testcase/error") is not None


def test_markdown_escapes_table_cells_and_puts_errors_first() -> None:
    text = render("markdown", report())
    assert text.index("Errors (2)") < text.index("Warnings (1)") < text.index("Waived (1)")
    # pipeline.markdown.text: the pipe and angle brackets escaped, the newline shown as \n.
    assert "name \\| has \\<pipes\\>\\nand lines" in text
    assert "FAILED: 2 blocking findings" in text


def test_markdown_never_exceeds_the_limit_and_says_what_it_cut() -> None:
    many = tuple(
        finding("AT001", f"aws_lb.lb{index:05d}", Severity.ERROR, message="x" * 200)
        for index in range(2000)
    )
    text = render("markdown", report(many))
    assert len(text) <= MAX_CHARS
    shown = text.count("| catalog\\-api\\-prod | AT001 |")
    assert 0 < shown < 2000
    assert f"showing {shown} of 2000 findings; {2000 - shown} more were cut" in text


def test_markdown_limit_is_honoured_for_small_limits_too() -> None:
    text = render_markdown(report(), max_chars=1200)
    assert len(text) <= 1200
    assert "Truncated" in text


def test_text_groups_by_stack_then_severity_without_colour() -> None:
    text = render("text", report(notes=("waiver #1 expired",)))
    assert not ANSI.search(text)
    lines = text.splitlines()
    assert lines[0].startswith("catalog-api-prod")
    headings = [line.strip() for line in lines if line.startswith("  ") and "(" in line[:20]]
    assert headings == ["ERROR (2)", "WARNING (1)", "WAIVED (1)"]
    assert "note: waiver #1 expired" in text
    assert "FAILED" in lines[-1]


def test_text_has_colour_only_when_asked() -> None:
    assert ANSI.search(render("text", report(color=True)))


@pytest.mark.parametrize("format_name", FORMATS)
def test_no_format_prints_resource_values(format_name: str) -> None:
    secret = "Correct-Horse-Battery-Staple-42"
    document = Document(
        kind="config",
        stack="s",
        environment="prod",
        file=STACK_FILE,
        resources=(
            Resource(
                address="aws_db_instance.db",
                type="aws_db_instance",
                name="db",
                values={"password": secret},
                stack="s",
                environment="prod",
                file=STACK_FILE,
            ),
        ),
    )
    evaluation = Evaluation(
        documents=(document,),
        findings=(finding("AT001", "aws_db_instance.db", Severity.ERROR, stack="s"),),
        rules_run=1,
    )
    output = render(format_name, Report(evaluation=evaluation, rules=RULES, fail_on=Severity.ERROR))
    assert "aws_db_instance.db" in output
    assert secret not in output


def test_every_format_has_a_reporter_module() -> None:
    for format_name in FORMATS:
        assert render(format_name, report())
    with pytest.raises(ValueError, match="unknown format"):
        render("yaml", report())


def test_junit_has_no_case_for_a_rule_with_nothing_to_check() -> None:
    cloudfront_rule = Rule(
        id="AT002",
        title="CloudFront only",
        severity=Severity.ERROR,
        service="aws",
        failure_class="posture",
        source="https://example.com/test",
        resource_types=("aws_cloudfront_distribution",),
        applies_to=frozenset({"config"}),
        check=lambda document: (),
    )
    evaluation = Evaluation(documents=(DOCUMENT,), findings=(), rules_run=1)
    xml = render(
        "junit", Report(evaluation=evaluation, rules=(cloudfront_rule,), fail_on=Severity.ERROR)
    )
    assert ET.fromstring(xml).get("tests") == "0"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "https://github.com/example-org/catalog-api-infra/blob/main/policies/docs"),
        (
            {"GITHUB_REPOSITORY": "acme/infra"},
            "https://github.com/acme/infra/blob/main/policies/docs",
        ),
        (
            {"GITHUB_REPOSITORY": "acme/infra", "CATALOG_GITHUB_REPOSITORY": "acme/platform"},
            "https://github.com/acme/platform/blob/main/policies/docs",
        ),
        (
            {"GITHUB_REPOSITORY": "acme/infra", "GITHUB_SERVER_URL": "https://git.acme.example/"},
            "https://git.acme.example/acme/infra/blob/main/policies/docs",
        ),
        (
            {"GITHUB_REPOSITORY": "not a repo", "GITHUB_SERVER_URL": "javascript:alert(1)"},
            "https://github.com/example-org/catalog-api-infra/blob/main/policies/docs",
        ),
    ],
)
def test_help_links_point_at_the_repository_ci_names(
    environ: dict[str, str], expected: str
) -> None:
    assert help_uri_base(environ) == expected
