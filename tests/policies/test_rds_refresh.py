"""`python -m policies.data.refresh` against botocore's Stubber: no AWS account, no network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from facts.aws import SUPPORTED_REGIONS
from policies.data import refresh


class StubbedRds:
    """One stubbed RDS client per region, answering in the order the refresh asks."""

    def __init__(self) -> None:
        self.stubbers: dict[str, Stubber] = {}
        self.clients: dict[str, Any] = {}

    def region(self, name: str) -> Stubber:
        client = boto3.client(
            "rds",
            region_name=name,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self.clients[name] = client
        self.stubbers[name] = Stubber(client)
        self.stubbers[name].activate()
        return self.stubbers[name]

    def __call__(self, region: str) -> Any:
        return self.clients[region]


@pytest.fixture
def rds(monkeypatch: pytest.MonkeyPatch) -> StubbedRds:
    stub = StubbedRds()
    monkeypatch.setattr(refresh, "_rds_client", stub)
    return stub


def _versions(*versions: str) -> dict[str, Any]:
    return {"DBEngineVersions": [{"Engine": "e", "EngineVersion": v} for v in versions]}


def test_refresh_writes_sorted_versions_with_source_and_date(rds: StubbedRds, tmp_path: Path):
    for region in ("eu-north-1", "eu-west-1"):
        stub = rds.region(region)
        stub.add_response(
            "describe_db_engine_versions",
            _versions("16.6", "15.10", "16.10", "16.6"),
            {"Engine": "aurora-postgresql"},
        )
        stub.add_response("describe_db_engine_versions", _versions(), {"Engine": "mysql"})
    output = tmp_path / "versions.json"

    code = refresh.main(
        [
            "eu-west-1",
            "eu-north-1",
            "--engine",
            "mysql",
            "--engine",
            "aurora-postgresql",
            "--output",
            str(output),
        ]
    )

    assert code == 0
    data = json.loads(output.read_text())
    assert "DescribeDBEngineVersions" in data["source"]
    assert len(data["as_of"]) == 10
    assert data["regions"]["eu-north-1"] == {
        "aurora-postgresql": ["15.10", "16.6", "16.10"],
        "mysql": [],
    }
    assert set(data["regions"]) == {"eu-north-1", "eu-west-1"}
    for stub in rds.stubbers.values():
        stub.assert_no_pending_responses()


def test_default_regions_are_the_supported_ones(rds: StubbedRds, tmp_path: Path):
    for region in SUPPORTED_REGIONS:
        rds.region(region).add_response(
            "describe_db_engine_versions", _versions("8.0.40"), {"Engine": "mysql"}
        )
    output = tmp_path / "versions.json"
    assert refresh.main(["--engine", "mysql", "--output", str(output)]) == 0
    assert set(json.loads(output.read_text())["regions"]) == set(SUPPORTED_REGIONS)


def test_a_failed_call_keeps_the_old_file_and_says_why_in_one_line(
    rds: StubbedRds, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    rds.region("eu-north-1").add_response(
        "describe_db_engine_versions", _versions("16.6"), {"Engine": "aurora-postgresql"}
    )
    rds.region("eu-south-9").add_client_error(
        "describe_db_engine_versions",
        service_error_code="AccessDenied",
        service_message="not authorized to perform: rds:DescribeDBEngineVersions",
    )
    existing = tmp_path / "versions.json"
    existing.write_text('{"keep": true}')

    code = refresh.main(
        ["eu-north-1", "eu-south-9", "--engine", "aurora-postgresql", "--output", str(existing)]
    )

    assert code == 1
    assert existing.read_text() == '{"keep": true}'
    assert not list(tmp_path.glob("*.tmp"))
    last_line = capsys.readouterr().err.strip().splitlines()[-1]
    assert last_line.startswith(
        "refresh-rds-engine-versions: error: eu-south-9 aurora-postgresql: "
    )
    assert "AccessDenied" in last_line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Europe"], "'Europe' is not an AWS region name"),
        (["--engine", "Aurora PostgreSQL"], "'Aurora PostgreSQL' is not an RDS engine name"),
        (["--output", "/no/such/dir/v.json"], "/no/such/dir: no such directory"),
        (["--bogus"], "No such option"),
    ],
)
def test_bad_arguments_exit_2_before_any_aws_call(
    rds: StubbedRds, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
):
    assert refresh.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert not rds.clients  # no client was even created


def test_help_needs_no_aws_sdk() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "policies.data.refresh", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0
    assert "REGION" in result.stdout
    assert "boto3" not in result.stderr and "botocore" not in result.stderr
