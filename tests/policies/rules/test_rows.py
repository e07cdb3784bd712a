"""Table rows (policies/rules/rows_*.py): each row's passing, failing and unknown cases.

The cases come from the rows themselves: the failing example(s) must produce exactly one
finding, the passing example(s) none, and replacing any value in which the failing and the
passing example differ by UNKNOWN (as a reference or an after-apply value would be) must
produce none. Plan behaviour is checked once per row too: a row judges only objects being
created or updated, and does not repeat a problem the existing object already had.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.model import UNKNOWN, Severity
from policies.rules import events, scheduler
from policies.rules.rds import arguments as rds
from policies.toolkit.rows import ROWS
from tests.policies.rules.row_cases import unknown_variants


def _cases() -> Iterator[Any]:
    for row in ROWS.values():
        type_ = row.resource_types[0]
        for index, values in enumerate((row.failing, *row.more_failing)):
            yield pytest.param(type_, values, 1, id=f"{row.id}-fail-{index}")
        for index, values in enumerate((row.passing, *row.more_passing)):
            yield pytest.param(type_, values, 0, id=f"{row.id}-pass-{index}")
        for where, values in unknown_variants(row):
            yield pytest.param(type_, values, 0, id=f"{row.id}-unknown-{where}")


@pytest.mark.parametrize(("type_", "values", "expected"), list(_cases()))
def test_row_cases(kit, request, type_, values, expected):
    rule_id = request.node.callspec.id.split("-", 1)[0]
    document = kit.document(kit.resource(type_, values=values))
    findings = kit.findings(rule_id, document)
    assert len(findings) == expected, [f.message for f in findings]
    for finding in findings:
        assert ROWS[rule_id].error in finding.message  # the message cites the AWS error
        assert finding.severity in (None, Severity.ERROR, Severity.WARNING)


@pytest.mark.parametrize("row", list(ROWS.values()), ids=lambda r: r.id)
def test_row_has_an_unknown_case(row):
    assert unknown_variants(row), f"{row.id}: failing and passing examples do not differ"


@pytest.mark.parametrize("row", list(ROWS.values()), ids=lambda r: r.id)
def test_row_in_plans(kit, row):
    type_ = row.resource_types[0]
    failing = kit.resource(type_, values=row.failing, actions=("create",))
    unchanged = kit.resource(type_, "kept", values=row.failing, actions=("no-op",))
    already = kit.resource(
        type_, "already", values=row.failing, actions=("update",), before=row.failing
    )
    introduced = kit.resource(
        type_, "introduced", values=row.failing, actions=("update",), before=row.passing
    )
    document = kit.document(failing, unchanged, already, introduced, kind="plan")
    addresses = sorted(v.address for v in kit.findings(row.id, document))
    assert addresses == sorted([failing.address, introduced.address])


@pytest.mark.parametrize(
    ("backup", "maintenance", "overlaps"),
    [
        ("03:00-04:00", "mon:03:30-mon:04:30", True),
        ("01:00-02:00", "mon:03:30-mon:04:30", False),
        ("04:30-05:00", "mon:03:30-mon:04:30", False),  # touching ends do not overlap
        ("23:30-00:30", "sun:00:00-sun:01:00", True),  # backup runs past midnight
        ("22:00-23:00", "sun:23:30-mon:00:30", False),  # maintenance wraps the day
        ("23:45-00:15", "sun:23:30-mon:00:30", True),
        ("02:00-03:00", "sun:23:00-mon:02:30", True),  # maintenance wraps the week
    ],
)
def test_backup_maintenance_overlap_arithmetic(backup, maintenance, overlaps):
    problem = rds._window_overlap({"backup_window": backup, "maintenance_window": maintenance})
    assert (problem is not None) == overlaps, problem


def test_password_message_never_quotes_the_password():
    secret = "hunter2/with@slash"
    problem = rds._password_problem({"password": secret})
    assert problem and secret not in problem and "hunter2" not in problem


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("rate(1 minute)", True),
        ("rate(2 hours)", True),
        ("rate(1 minutes)", False),
        ("rate(5 minute)", False),
        ("rate(0 minutes)", False),
        ("cron(0 12 * * ? *)", True),
        ("cron(0 12 ? * MON-FRI *)", True),
        ("cron(0 12 * * *)", False),  # Unix cron: five fields
        ("cron(0 12 * * MON *)", False),  # day-of-month and day-of-week both set
        ("cron(0 12 ? * ? *)", False),  # both '?'
        ("cron(*/60 * * * ? *)", False),
        ("cron(0 24 * * ? *)", False),
        ("0 12 * * ? *", False),  # no cron() wrapper
        ("at(2027-01-01T03:00:00)", False),  # rules have no one-time schedules
    ],
)
def test_event_rule_schedule_expressions(expression, valid):
    assert (events._event_rule_schedule(expression) is None) == valid


def test_scheduler_accepts_one_time_schedules():
    assert scheduler._scheduler_schedule("at(2027-01-01T03:00:00)") is None
    assert scheduler._scheduler_schedule("at(2027-01-01 03:00)") is not None


def test_interpolated_strings_are_not_judged(kit):
    rule = kit.resource(
        "aws_cloudwatch_event_rule", values={"schedule_expression": "cron(${var.minute} * * *)"}
    )
    assert kit.findings("AT126", kit.document(rule)) == []


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.mark.parametrize("row", list(ROWS.values()), ids=lambda r: r.id)
@settings(
    max_examples=25,
    deadline=None,
    # too_slow: a draw took 38 s once on a busy machine (descheduled, not slow code).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_rows_never_crash_on_odd_values(kit, row, data):
    # Any value where the examples have one (or UNKNOWN) yields findings or nothing, never raises.
    values = dict(row.failing)
    for key in data.draw(st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True)):
        values[key] = data.draw(_JSON | st.just(UNKNOWN))
    document = kit.document(kit.resource(row.resource_types[0], values=values))
    assert isinstance(kit.findings(row.id, document), list)
