"""RDS / Aurora arguments AWS rejects together: table rows (see ``policies/toolkit/rows.py``).

Every failing example here passes ``terraform validate`` and ``terraform plan`` with the AWS
provider (proved by ``python -m policies.dev.validate_examples``) and fails when AWS sees it."""

from __future__ import annotations

import re
from typing import Any

from policies.toolkit.rows import Block, Row, custom, forbidden, register, required
from policies.toolkit.values import number, read

DB_INSTANCE = "aws_db_instance"

_DB: dict[str, Any] = {
    "identifier": "catalog-api-dev",
    "engine": "postgres",
    "engine_version": "16.4",
    "instance_class": "db.t4g.micro",
    "allocated_storage": 20,
    "username": "catalog",
    "manage_master_user_password": True,
    "skip_final_snapshot": True,
}


# -- RDS ---------------------------------------------------------------------------------------


_AZ_WITH_MULTI_AZ = forbidden("availability_zone", when={"multi_az": {True, "true"}})


def _multi_az_pinned(block: Block) -> str | None:
    """CreateDBInstance refuses AvailabilityZone with MultiAZ. An existing instance (its id is
    known in a plan) is modified instead, and ModifyDBInstance takes no AvailabilityZone: the
    zone in its planned values is only the one RDS placed it in."""
    if read(block, "id") is not None:
        return None
    return _AZ_WITH_MULTI_AZ(block)


def _max_storage_not_above(block: Block) -> str | None:
    """max_allocated_storage (0 or absent: autoscaling off) must exceed allocated_storage."""
    maximum = number(read(block, "max_allocated_storage"), whole=True)
    allocated = number(read(block, "allocated_storage"), whole=True)
    if not maximum or allocated is None or maximum > allocated:
        return None
    return f"max_allocated_storage ({maximum}) is not greater than allocated_storage ({allocated})"


register(
    Row(
        id="AT300",
        title="RDS Multi-AZ instance pinned to one availability_zone",
        service="rds",
        failure_class="value-combination",
        resource_types=(DB_INSTANCE,),
        predicate=custom(_multi_az_pinned),
        error=(
            "InvalidParameterCombination: Requesting a specific availability zone is not valid "
            "for Multi-AZ instances."
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/issues/39225",
        extra_sources=(
            "https://github.com/hashicorp/terraform-provider-aws/issues/485",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
        why=(
            "A Multi-AZ instance has a standby in another zone and RDS chooses both zones; the "
            "CreateDBInstance API states that AvailabilityZone cannot be given when MultiAZ is "
            "true. The provider accepts both arguments, and RDS refuses the instance at create "
            "(and a later switch to `multi_az = true` at modify)."
        ),
        fix="Remove availability_zone (RDS picks the zones), or keep multi_az = false.",
        failing={**_DB, "multi_az": True, "availability_zone": "eu-north-1a"},
        passing={**_DB, "multi_az": True},
        more_passing=({**_DB, "multi_az": False, "availability_zone": "eu-north-1a"},),
    ),
    Row(
        id="AT301",
        title="RDS max_allocated_storage not above allocated_storage",
        service="rds",
        failure_class="value-combination",
        resource_types=(DB_INSTANCE,),
        predicate=custom(_max_storage_not_above),
        error=("InvalidParameterCombination: Max storage size must be greater than storage size"),
        source="https://github.com/ministryofjustice/cloud-platform-environments/pull/7483",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html",
        ),
        why=(
            "`max_allocated_storage` turns on storage autoscaling and is its ceiling, so it "
            "must be greater than `allocated_storage` (0 or unset turns autoscaling off). The "
            "provider accepts any value; RDS rejects an equal or smaller ceiling at create or "
            "modify. It happens most when `allocated_storage` is raised and the ceiling is not."
        ),
        fix=(
            "Raise max_allocated_storage above allocated_storage (by at least 10%), or set it "
            "to 0 to turn storage autoscaling off."
        ),
        failing={**_DB, "allocated_storage": 100, "max_allocated_storage": 100},
        passing={**_DB, "allocated_storage": 100, "max_allocated_storage": 200},
        more_failing=({**_DB, "allocated_storage": 100, "max_allocated_storage": 50},),
        more_passing=({**_DB, "allocated_storage": 100, "max_allocated_storage": 0},),
    ),
)
RDS_CLUSTER = "aws_rds_cluster"
CLUSTER_INSTANCE = "aws_rds_cluster_instance"


# -- RDS helpers -----------------------------------------------------------------------------

# CreateDBInstance / CreateDBCluster: "Only printable ASCII characters besides '/', '@', '"',
# ' ' may be used", and the shortest password any engine accepts is 8 characters.
_PASSWORD_FORBIDDEN = set('/@" ')


def _password_problem(block: Block) -> str | None:
    for attribute in ("password", "master_password"):
        value = read(block, attribute)
        if not isinstance(value, str) or "${" in value:
            continue
        # Never quote the value: it is a secret.
        if any(c in _PASSWORD_FORBIDDEN or not 0x20 < ord(c) < 0x7F for c in value):
            return (
                f"{attribute} contains a character RDS rejects ('/', '@', '\"', a space or a "
                "non-printable or non-ASCII character)"
            )
        if len(value) < 8:
            return f"{attribute} is shorter than 8 characters"
    return None


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BACKUP = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_MAINTENANCE = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-"
    r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$",
    re.IGNORECASE,
)
_WEEK = 7 * 24 * 60


def _spans(start: int, end: int) -> list[tuple[int, int]]:
    """Minute-of-week spans for [start, end), split where the range wraps the week."""
    start, end = start % _WEEK, end % _WEEK
    if end > start:
        return [(start, end)]
    return [(start, _WEEK), (0, end)]


def _window_overlap(block: Block) -> str | None:
    for backup_key, maintenance_key in (
        ("backup_window", "maintenance_window"),
        ("preferred_backup_window", "preferred_maintenance_window"),
    ):
        backup, maintenance = read(block, backup_key), read(block, maintenance_key)
        if not isinstance(backup, str) or not isinstance(maintenance, str):
            continue
        daily, weekly = _BACKUP.match(backup), _MAINTENANCE.match(maintenance.lower())
        if daily is None or weekly is None:
            continue  # a malformed window is the provider's to reject (it validates the format)
        b_start = int(daily[1]) * 60 + int(daily[2])
        b_end = int(daily[3]) * 60 + int(daily[4])
        m_start = _DAYS.index(weekly[1]) * 1440 + int(weekly[2]) * 60 + int(weekly[3])
        m_end = _DAYS.index(weekly[4]) * 1440 + int(weekly[5]) * 60 + int(weekly[6])
        maintenance_spans = _spans(m_start, m_end)
        length = (b_end - b_start) % 1440  # a backup window may run past midnight
        for day in range(7):
            start = day * 1440 + b_start
            for bs, be in _spans(start, start + length):
                if any(bs < me and ms < be for ms, me in maintenance_spans):
                    return f"{backup_key} {backup} overlaps {maintenance_key} {maintenance}"
    return None


_GP3_THRESHOLD_ENGINES = {"mysql", "postgres", "mariadb"}


def _gp3_small_storage(block: Block) -> str | None:
    """RDS gp3 below 400 GiB (MySQL, MariaDB, PostgreSQL) runs at a fixed baseline."""
    engine = read(block, "engine")
    if read(block, "storage_type") != "gp3" or not isinstance(engine, str):
        return None
    if engine not in _GP3_THRESHOLD_ENGINES:
        return None
    storage = read(block, "allocated_storage")
    if not isinstance(storage, int | float) or isinstance(storage, bool) or storage >= 400:
        return None
    set_ = [
        a
        for a in ("iops", "storage_throughput")
        if isinstance(read(block, a), int | float) and read(block, a)
    ]
    if not set_:
        return None
    return f"sets {' and '.join(set_)} on {engine} gp3 storage of {storage:g} GiB (below 400 GiB)"


# The same instance managing its password itself (the rows about ``password``).
_DB_WITH_PASSWORD: dict[str, Any] = {
    key: value for key, value in _DB.items() if key != "manage_master_user_password"
}


register(
    Row(
        id="AT105",
        title="RDS gp3 iops or storage_throughput set below the 400 GiB threshold",
        service="rds",
        failure_class="value-combination",
        resource_types=(DB_INSTANCE,),
        predicate=custom(_gp3_small_storage),
        error=(
            "InvalidParameterCombination: You can't specify IOPS or storage throughput for "
            "engine postgres and a storage size less than 400."
        ),
        source="https://github.com/cloud-gov/terraform-provision/pull/1556",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage",
            "https://github.com/hashicorp/terraform-provider-aws/pull/28361",
        ),
        why=(
            "For MySQL, MariaDB and PostgreSQL, RDS gp3 storage below 400 GiB runs at a fixed "
            "baseline (3,000 IOPS, 125 MiB/s) and the API refuses explicit `iops` or "
            "`storage_throughput`, even at the baseline values. The provider documents this "
            "but does not check it."
        ),
        fix="Remove iops and storage_throughput below 400 GiB, or allocate at least 400 GiB.",
        failing={**_DB, "storage_type": "gp3", "allocated_storage": 100, "iops": 3000},
        passing={**_DB, "storage_type": "gp3", "allocated_storage": 100},
        more_passing=({**_DB, "storage_type": "gp3", "allocated_storage": 400, "iops": 12000},),
        more_failing=(
            {
                **_DB,
                "storage_type": "gp3",
                "allocated_storage": 100,
                "storage_throughput": 125,
            },
        ),
    ),
    Row(
        id="AT106",
        title="RDS enhanced monitoring interval without a monitoring role",
        service="rds",
        failure_class="value-combination",
        resource_types=(DB_INSTANCE, CLUSTER_INSTANCE),
        predicate=required(
            "monitoring_role_arn", when={"monitoring_interval": {1, 5, 10, 15, 30, 60}}
        ),
        error=(
            "InvalidParameterCombination: A MonitoringRoleARN value is required if you specify "
            "a MonitoringInterval value other than 0."
        ),
        source="https://github.com/cloudposse/terraform-aws-rds/pull/75",
        extra_sources=("https://github.com/terraform-aws-modules/terraform-aws-rds/pull/143",),
        why=(
            "Enhanced monitoring publishes OS metrics through an IAM role that RDS assumes. "
            "`monitoring_interval` above 0 without `monitoring_role_arn` passes the provider "
            "and fails when RDS creates or modifies the instance."
        ),
        fix=(
            "Set monitoring_role_arn to a role trusting monitoring.rds.amazonaws.com, or "
            "monitoring_interval = 0."
        ),
        failing={**_DB, "monitoring_interval": 60},
        passing={
            **_DB,
            "monitoring_interval": 60,
            "monitoring_role_arn": "arn:aws:iam::123456789012:role/rds-monitoring",
        },
    ),
    Row(
        id="AT107",
        title="RDS master password with a character RDS rejects or shorter than 8",
        service="rds",
        failure_class="invalid-value",
        resource_types=(DB_INSTANCE, RDS_CLUSTER),
        predicate=custom(_password_problem),
        error=(
            "InvalidParameterValue: The parameter MasterUserPassword is not a valid password. "
            "Only printable ASCII characters besides '/', '@', '\"', ' ' may be used."
        ),
        source="https://github.com/alphagov/govuk-infrastructure/pull/1270",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
        why=(
            'The master password may hold printable ASCII except `/`, `@`, `"` and space, and '
            "must be at least 8 characters. The provider marks the argument sensitive and does "
            "not check it; generated passwords (`random_password` with `special = true`) hit "
            "this often. The finding never quotes the password. Prefer "
            "`manage_master_user_password = true`, which avoids the problem and the secret."
        ),
        fix=(
            "Use manage_master_user_password, or exclude '/@\" ' (random_password "
            "override_special)."
        ),
        failing={**_DB_WITH_PASSWORD, "password": "example/pass@1"},
        passing={**_DB_WITH_PASSWORD, "password": "example-pass-1"},
        more_failing=({**_DB_WITH_PASSWORD, "password": "short1"},),
    ),
    Row(
        id="AT108",
        title="RDS backup window overlaps the maintenance window",
        service="rds",
        failure_class="value-combination",
        resource_types=(DB_INSTANCE, RDS_CLUSTER),
        predicate=custom(_window_overlap),
        error="InvalidParameterValue: The backup window and maintenance window must not overlap.",
        source="https://github.com/ministryofjustice/cloud-platform-environments/pull/5243",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        ),
        why=(
            "The daily backup window must not overlap the weekly maintenance window on any day. "
            "The provider checks each window's format only; RDS rejects the overlap at create "
            "or modify."
        ),
        fix="Move the backup window so that it ends before the maintenance window starts.",
        failing={
            **_DB,
            "backup_window": "03:00-04:00",
            "maintenance_window": "mon:03:30-mon:04:30",
        },
        passing={
            **_DB,
            "backup_window": "01:00-02:00",
            "maintenance_window": "mon:03:30-mon:04:30",
        },
        more_failing=(
            {
                **_DB,
                "backup_window": "23:30-00:30",
                "maintenance_window": "sun:00:00-sun:01:00",
            },
        ),
    ),
)
