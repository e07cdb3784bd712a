"""Table rows for storage and databases: S3 lifecycle, EBS volumes, RDS / Aurora.

Each row is one rule (see ``policies/rules/tables.py``); every failing example here passes
``terraform validate`` and ``terraform plan`` with the AWS provider (proved by
``python -m policies.validate_examples``) and fails when AWS sees it.
"""

from __future__ import annotations

import re
from typing import Any

from policies.rules.tables import (
    Block,
    Row,
    at_least,
    custom,
    forbidden,
    ratio_at_most,
    read,
    register,
    required,
)

LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"
INFREQUENT_ACCESS = {"STANDARD_IA", "ONEZONE_IA"}
DB_INSTANCE = "aws_db_instance"
RDS_CLUSTER = "aws_rds_cluster"
CLUSTER_INSTANCE = "aws_rds_cluster_instance"
VOLUME = "aws_ebs_volume"
TABLE = "aws_dynamodb_table"
AZ = "eu-north-1a"

_LIFECYCLE_BASE: dict[str, Any] = {"bucket": "catalog-api-logs-123456789012"}


def _lifecycle_rule(**actions: Any) -> dict[str, Any]:
    return {
        **_LIFECYCLE_BASE,
        "rule": [
            {"id": "archive", "status": "Enabled", "filter": [{"prefix": "logs/"}], **actions}
        ],
    }


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


_TABLE: dict[str, Any] = {
    "name": "catalog-items",
    "billing_mode": "PAY_PER_REQUEST",
    "hash_key": "sku",
    "attribute": [{"name": "sku", "type": "S"}, {"name": "category", "type": "S"}],
}


def _table_with_index(**projection: Any) -> dict[str, Any]:
    return {
        **_TABLE,
        "global_secondary_index": [{"name": "by-category", "hash_key": "category", **projection}],
    }


_DB_WITH_PASSWORD: dict[str, Any] = {
    "identifier": "catalog-api-dev",
    "engine": "postgres",
    "engine_version": "16.4",
    "instance_class": "db.t4g.micro",
    "allocated_storage": 20,
    "username": "catalog",
    "skip_final_snapshot": True,
}
_DB_BASE: dict[str, Any] = {
    "identifier": "catalog-api-dev",
    "engine": "postgres",
    "engine_version": "16.4",
    "instance_class": "db.t4g.micro",
    "allocated_storage": 20,
    "username": "catalog",
    "manage_master_user_password": True,
    "skip_final_snapshot": True,
}

register(
    Row(
        id="AT100",
        title="S3 lifecycle transition to STANDARD_IA or ONEZONE_IA before 30 days",
        service="s3",
        failure_class="value-combination",
        resource_types=(LIFECYCLE,),
        scope=("rule", "transition"),
        predicate=at_least("days", 30, when={"storage_class": INFREQUENT_ACCESS}),
        error=(
            "InvalidArgument: 'Days' in Transition action must be greater than or equal to 30 "
            "for storageClass 'STANDARD_IA'"
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/pull/6201",
        extra_sources=(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html",
        ),
        why=(
            "S3 only moves objects to the infrequent-access classes once they are at least 30 "
            "days old (their minimum storage duration). The provider accepts any non-negative "
            "`days`; S3 rejects the whole lifecycle configuration when it is applied. The "
            "provider's own documentation example used `days = 15` until it was corrected "
            "because AWS requires at least 30."
        ),
        fix=(
            "Transition to STANDARD_IA / ONEZONE_IA at 30 days or later, or use GLACIER_IR / "
            "INTELLIGENT_TIERING for earlier moves."
        ),
        failing=_lifecycle_rule(transition=[{"days": 7, "storage_class": "STANDARD_IA"}]),
        passing=_lifecycle_rule(transition=[{"days": 30, "storage_class": "STANDARD_IA"}]),
        more_passing=(_lifecycle_rule(transition=[{"days": 7, "storage_class": "GLACIER_IR"}]),),
        more_failing=(_lifecycle_rule(transition=[{"days": 0, "storage_class": "ONEZONE_IA"}]),),
    ),
    Row(
        id="AT101",
        title="S3 noncurrent version transition to STANDARD_IA or ONEZONE_IA before 30 days",
        service="s3",
        failure_class="value-combination",
        resource_types=(LIFECYCLE,),
        scope=("rule", "noncurrent_version_transition"),
        predicate=at_least("noncurrent_days", 30, when={"storage_class": INFREQUENT_ACCESS}),
        error=(
            "InvalidArgument: 'NoncurrentDays' in NoncurrentVersionTransition action must be "
            "greater than or equal to 30 for storageClass 'STANDARD_IA'"
        ),
        source=(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html"
        ),
        extra_sources=("https://github.com/hashicorp/terraform-provider-aws/pull/6201",),
        why=(
            "The 30-day minimum for the infrequent-access classes also applies to noncurrent "
            "versions, counted from the day they became noncurrent. The provider accepts any "
            "`noncurrent_days`; S3 rejects the configuration at apply."
        ),
        fix="Use noncurrent_days >= 30 for STANDARD_IA / ONEZONE_IA.",
        failing=_lifecycle_rule(
            noncurrent_version_transition=[{"noncurrent_days": 10, "storage_class": "STANDARD_IA"}]
        ),
        passing=_lifecycle_rule(
            noncurrent_version_transition=[{"noncurrent_days": 30, "storage_class": "STANDARD_IA"}]
        ),
    ),
    Row(
        id="AT102",
        title="EBS gp3 throughput above 0.25 MiB/s per provisioned IOPS",
        service="ec2",
        failure_class="value-combination",
        resource_types=(VOLUME,),
        predicate=ratio_at_most("throughput", "iops", 0.25, when={"type": {"gp3"}}, iops=3000),
        error=(
            "InvalidParameterValue: Throughput (MiBps) to iops ratio of 0.333333 is too high; "
            "maximum is 0.250000 MiBps per iops"
        ),
        source="https://github.com/runs-on/runs-on/issues/260",
        extra_sources=("https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html",),
        why=(
            "A gp3 volume's throughput may be at most a quarter of its IOPS (MiB/s per IOPS), "
            "and IOPS default to the 3,000 baseline. The provider checks throughput's range "
            "(125-1000) but not the ratio, so `throughput = 1000` without raising `iops` to "
            "4,000 fails when EC2 creates the volume."
        ),
        fix="Raise iops to at least 4 x throughput, or lower throughput.",
        failing={"availability_zone": AZ, "size": 100, "type": "gp3", "throughput": 1000},
        passing={
            "availability_zone": AZ,
            "size": 100,
            "type": "gp3",
            "throughput": 1000,
            "iops": 4000,
        },
        more_failing=(
            {"availability_zone": AZ, "size": 100, "type": "gp3", "throughput": 500, "iops": 1000},
        ),
    ),
    Row(
        id="AT103",
        title="EBS io1 volume with more than 50 IOPS per GiB",
        service="ec2",
        failure_class="value-combination",
        resource_types=(VOLUME,),
        predicate=ratio_at_most("iops", "size", 50, when={"type": {"io1"}}),
        error=(
            "InvalidParameterValue: Iops to volume size ratio of 100.000000 is too high; "
            "maximum is 50.000000"
        ),
        source="https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html",
        why=(
            "io1 volumes can be provisioned with at most 50 IOPS per GiB of size. The provider "
            "accepts any `iops` for io1; EC2 rejects the volume at create."
        ),
        fix="Grow the volume to iops / 50 GiB, lower iops, or use io2.",
        failing={"availability_zone": AZ, "size": 10, "type": "io1", "iops": 1000},
        passing={"availability_zone": AZ, "size": 20, "type": "io1", "iops": 1000},
    ),
    Row(
        id="AT104",
        title="EBS st1 or sc1 volume smaller than 125 GiB",
        service="ec2",
        failure_class="value-combination",
        resource_types=(VOLUME,),
        predicate=at_least("size", 125, when={"type": {"st1", "sc1"}}),
        error="InvalidParameterValue: Volume of 10GiB is too small; minimum is 125GiB",
        source="https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html",
        why=(
            "Throughput-optimized (st1) and cold (sc1) HDD volumes start at 125 GiB. The "
            "provider accepts any size; EC2 rejects a smaller volume at create."
        ),
        fix="Use size >= 125 for st1/sc1, or gp3 for small volumes.",
        failing={"availability_zone": AZ, "size": 10, "type": "st1"},
        passing={"availability_zone": AZ, "size": 125, "type": "st1"},
    ),
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
        failing={**_DB_BASE, "storage_type": "gp3", "allocated_storage": 100, "iops": 3000},
        passing={**_DB_BASE, "storage_type": "gp3", "allocated_storage": 100},
        more_passing=(
            {**_DB_BASE, "storage_type": "gp3", "allocated_storage": 400, "iops": 12000},
        ),
        more_failing=(
            {
                **_DB_BASE,
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
        failing={**_DB_BASE, "monitoring_interval": 60},
        passing={
            **_DB_BASE,
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
            **_DB_BASE,
            "backup_window": "03:00-04:00",
            "maintenance_window": "mon:03:30-mon:04:30",
        },
        passing={
            **_DB_BASE,
            "backup_window": "01:00-02:00",
            "maintenance_window": "mon:03:30-mon:04:30",
        },
        more_failing=(
            {
                **_DB_BASE,
                "backup_window": "23:30-00:30",
                "maintenance_window": "sun:00:00-sun:01:00",
            },
        ),
    ),
    Row(
        id="AT109",
        title="DynamoDB index with projection_type INCLUDE but no non_key_attributes",
        service="dynamodb",
        failure_class="value-combination",
        resource_types=(TABLE,),
        scope=("global_secondary_index",),
        predicate=required("non_key_attributes", when={"projection_type": {"INCLUDE"}}),
        error=(
            "ValidationException: One or more parameter values were invalid: ProjectionType is "
            "INCLUDE, but NonKeyAttributes is not specified"
        ),
        source="https://github.com/nubo-db/dynoxide/issues/116",
        extra_sources=(
            "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html",
        ),
        why=(
            "`INCLUDE` projects the key attributes plus a list you name; without the list "
            "DynamoDB refuses the index. The provider accepts the block as written, and the "
            "table (or the index added to an existing table) fails at apply."
        ),
        fix="List the projected attributes in non_key_attributes, or use KEYS_ONLY / ALL.",
        failing=_table_with_index(projection_type="INCLUDE"),
        passing=_table_with_index(projection_type="INCLUDE", non_key_attributes=["title"]),
    ),
    Row(
        id="AT130",
        title="DynamoDB index lists non_key_attributes with projection_type ALL or KEYS_ONLY",
        service="dynamodb",
        failure_class="value-combination",
        resource_types=(TABLE,),
        scope=("global_secondary_index",),
        predicate=forbidden("non_key_attributes", when={"projection_type": {"ALL", "KEYS_ONLY"}}),
        error=(
            "ValidationException: One or more parameter values were invalid: ProjectionType is "
            "ALL, but NonKeyAttributes is specified"
        ),
        source="https://github.com/cloudposse/terraform-aws-dynamodb/issues/39",
        extra_sources=(
            "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html",
        ),
        why=(
            "`non_key_attributes` only means something for `INCLUDE`; with `ALL` or "
            "`KEYS_ONLY` DynamoDB rejects the index. Modules that always pass the list hit this "
            "when a caller switches the projection."
        ),
        fix="Drop non_key_attributes, or switch projection_type to INCLUDE.",
        failing=_table_with_index(projection_type="ALL", non_key_attributes=["title"]),
        passing=_table_with_index(projection_type="ALL"),
    ),
)
