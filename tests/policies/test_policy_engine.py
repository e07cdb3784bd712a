"""The engine and waivers: rule failures are contained, waivers waive, expire and are validated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pytest

from policies.engine import evaluate, exit_code, summarize
from policies.model import Backend, Document, Provider, Resource, Severity, Violation
from policies.registry import Check, Rule
from policies.waivers import DEFAULT_WAIVERS, Waiver, load_waivers
from tfjson.reader import InputError

TODAY = dt.date(2026, 6, 1)


def resource(address: str, *, line: int = 10) -> Resource:
    resource_type, name = address.split(".")
    return Resource(
        address=address,
        type=resource_type,
        name=name,
        values={},
        stack="catalog-api-dev",
        environment="dev",
        file="cdktf.out/stacks/catalog-api-dev/cdk.tf.json",
        line=line,
    )


DOCUMENT = Document(
    kind="config",
    stack="catalog-api-dev",
    environment="dev",
    file="cdktf.out/stacks/catalog-api-dev/cdk.tf.json",
    resources=(resource("aws_s3_bucket.logs", line=42), resource("aws_s3_bucket.assets")),
    backend=Backend(type="s3", config={}, file="cdktf.out/stacks/x/cdk.tf.json", line=7),
    providers=(Provider(name="aws", alias=None, config={}, file="p.tf.json", line=3),),
)


def make_rule(rule_id: str, check: Check, *, severity: Severity = Severity.ERROR) -> Rule:
    return Rule(
        id=rule_id,
        title=f"test rule {rule_id}",
        severity=severity,
        service="aws",
        failure_class="posture",
        source="https://example.com/test",
        resource_types=("aws_s3_bucket",),
        applies_to=frozenset({"config"}),
        check=check,
    )


def flag_buckets(document: Document) -> Iterable[Violation]:
    for bucket in document.of_type("aws_s3_bucket"):
        yield Violation(address=bucket.address, message="bucket is bad")


def crash_midway(document: Document) -> Iterable[Violation]:
    yield Violation(address="aws_s3_bucket.logs", message="found before the crash")
    raise KeyError("Correct-Horse-Battery-Staple")


def test_findings_carry_rule_and_location() -> None:
    evaluation = evaluate([DOCUMENT], rules=[make_rule("AT901", flag_buckets)], today=TODAY)
    logs = next(f for f in evaluation.findings if f.address == "aws_s3_bucket.logs")
    assert (logs.rule_id, logs.severity, logs.line, logs.stack, logs.environment) == (
        "AT901", Severity.ERROR, 42, "catalog-api-dev", "dev"
    )  # fmt: skip
    assert exit_code(evaluation, fail_on=Severity.ERROR) == 1


def test_backend_findings_point_at_the_backend_block() -> None:
    def backend_rule(document: Document) -> Iterable[Violation]:
        yield Violation(address="terraform.backend.s3", message="encrypt is not true")

    evaluation = evaluate([DOCUMENT], rules=[make_rule("SEC901", backend_rule)], today=TODAY)
    (finding,) = evaluation.findings
    assert (finding.file, finding.line) == ("cdktf.out/stacks/x/cdk.tf.json", 7)


def test_provider_findings_point_at_the_provider_block() -> None:
    def provider_rule(document: Document) -> Iterable[Violation]:
        yield Violation(address="provider.aws", message="literal access_key")

    evaluation = evaluate([DOCUMENT], rules=[make_rule("SEC902", provider_rule)], today=TODAY)
    (finding,) = evaluation.findings
    assert (finding.file, finding.line) == ("p.tf.json", 3)


def test_violation_severity_overrides_the_rule_default() -> None:
    def warn(document: Document) -> Iterable[Violation]:
        yield Violation(address="aws_s3_bucket.logs", message="m", severity=Severity.WARNING)

    evaluation = evaluate([DOCUMENT], rules=[make_rule("AT902", warn)], today=TODAY)
    assert evaluation.findings[0].severity is Severity.WARNING
    assert exit_code(evaluation, fail_on=Severity.ERROR) == 0
    assert exit_code(evaluation, fail_on=Severity.WARNING) == 1


def test_a_crashing_rule_is_an_internal_error_and_others_still_run() -> None:
    rules = [make_rule("AT903", crash_midway), make_rule("AT904", flag_buckets)]
    evaluation = evaluate([DOCUMENT], rules=rules, today=TODAY)
    assert {f.rule_id for f in evaluation.findings} == {"AT904"}  # partial output discarded
    (message,) = evaluation.internal_errors
    assert "AT903" in message and "KeyError" in message
    assert "Correct-Horse" not in message  # exception text can quote input values
    assert exit_code(evaluation, fail_on=Severity.ERROR) == 2


def test_a_rule_yielding_the_wrong_type_is_an_internal_error() -> None:
    def wrong(document: Document) -> Iterable[Violation]:
        yield "aws_s3_bucket.logs"  # type: ignore[misc]

    evaluation = evaluate([DOCUMENT], rules=[make_rule("AT905", wrong)], today=TODAY)
    assert evaluation.findings == ()
    assert "AT905" in evaluation.internal_errors[0]


def test_rules_only_run_on_the_document_kinds_they_apply_to() -> None:
    plan_only = Rule(
        id="PLAN901",
        title="t",
        severity=Severity.ERROR,
        service="aws",
        failure_class="posture",
        source="https://example.com/test",
        resource_types=(),
        applies_to=frozenset({"plan"}),
        check=flag_buckets,
    )
    assert evaluate([DOCUMENT], rules=[plan_only], today=TODAY).findings == ()


def write_waivers(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(body)
    return path


WAIVER = """
- rule_id: AT901
  address: aws_s3_bucket.log*
  environments: [dev, staging]
  reason: Bucket is rebuilt in CHG-1234
  owner: platform-team
  expires: {expires}
"""


def test_a_waiver_waives_matching_findings_only(tmp_path: Path) -> None:
    waivers = load_waivers(
        write_waivers(tmp_path, WAIVER.format(expires="2026-06-01")), known_rules={"AT901"}
    )
    evaluation = evaluate(
        [DOCUMENT], rules=[make_rule("AT901", flag_buckets)], waivers=waivers, today=TODAY
    )
    by_address = {f.address: f for f in evaluation.findings}
    assert by_address["aws_s3_bucket.logs"].waived  # the expiry day itself still waives
    assert by_address["aws_s3_bucket.logs"].waiver_reason == "Bucket is rebuilt in CHG-1234"
    assert not by_address["aws_s3_bucket.assets"].waived
    summary = summarize(evaluation, fail_on=Severity.ERROR)
    assert (summary["errors"], summary["waived"], summary["blocking"]) == (2, 1, 1)


def test_a_waiver_for_another_environment_does_not_apply(tmp_path: Path) -> None:
    body = WAIVER.format(expires="2027-01-01").replace("[dev, staging]", "[prod]")
    waivers = load_waivers(write_waivers(tmp_path, body), known_rules={"AT901"})
    evaluation = evaluate(
        [DOCUMENT], rules=[make_rule("AT901", flag_buckets)], waivers=waivers, today=TODAY
    )
    assert not any(f.waived for f in evaluation.findings)
    assert any("matched no finding" in note for note in evaluation.notes)


def test_an_expired_waiver_blocks_again_and_says_so(tmp_path: Path) -> None:
    waivers = load_waivers(
        write_waivers(tmp_path, WAIVER.format(expires="2026-05-31")), known_rules={"AT901"}
    )
    evaluation = evaluate(
        [DOCUMENT], rules=[make_rule("AT901", flag_buckets)], waivers=waivers, today=TODAY
    )
    logs = next(f for f in evaluation.findings if f.address == "aws_s3_bucket.logs")
    assert not logs.waived and logs.waiver_expired
    assert any("expired on 2026-05-31" in note for note in evaluation.notes)
    assert exit_code(evaluation, fail_on=Severity.ERROR) == 1


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ('aws_secretsmanager_secret.old["reporting"]', True),  # copied from a report
        ("aws_secretsmanager_secret.old[*]", True),
        ("aws_secretsmanager_secret.*", True),
        ('aws_secretsmanager_secret.old["other"]', False),
        ("aws_secretsmanager_secret.old[r]*", False),  # brackets are not a character class
    ],
)
def test_waiver_addresses_treat_terraform_index_brackets_literally(
    pattern: str, matches: bool
) -> None:
    waiver = Waiver(
        rule_id="PLAN001", address=pattern, reason="r", owner="o", expires=dt.date(2099, 1, 1)
    )
    address = 'aws_secretsmanager_secret.old["reporting"]'
    assert waiver.matches(rule_id="PLAN001", address=address, environment="prod") is matches


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (WAIVER.format(expires="2026-06-01").replace("AT901", "AT999"), "unknown rule_id 'AT999'"),
        (WAIVER.format(expires="2026-13-01"), "not a date"),
        (WAIVER.format(expires="soon"), "not a date"),
        (WAIVER.format(expires="2026-06-01") + "  ticket: CHG-1\n", "ticket"),
        (WAIVER.format(expires="2026-06-01").replace("  owner: platform-team\n", ""), "owner"),
        ("rule_id: AT901\n", "is not of type 'array'"),
        ("- [unclosed\n", "invalid YAML at line 2"),
    ],
)
def test_bad_waiver_files_are_one_line_input_errors(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_waivers(write_waivers(tmp_path, body), known_rules={"AT901"})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_repository_waivers_file_is_valid_and_empty() -> None:
    assert load_waivers(DEFAULT_WAIVERS, known_rules=set()) == ()


def test_a_comment_only_waivers_file_has_no_waivers(tmp_path: Path) -> None:
    assert load_waivers(write_waivers(tmp_path, "# nothing yet\n"), known_rules=set()) == ()


def test_messages_are_one_printable_line() -> None:
    def noisy(document: Document) -> Iterable[Violation]:
        yield Violation(address="aws_s3_bucket.logs", message="bad\nname \x1b[31mred\x1b[0m\there")

    evaluation = evaluate([DOCUMENT], rules=[make_rule("AT906", noisy)], today=TODAY)
    assert evaluation.findings[0].message == "bad name [31mred[0m here"
