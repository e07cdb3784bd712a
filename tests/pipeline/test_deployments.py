"""The deployment commands against moto (in process) and a real git repository in tmp_path.

store-plan / fetch-plan: the reviewed plan is stored SSE-KMS and refused when its hash differs.
check-order / start-deployment / complete-deployment: an older or diverged commit is refused, the
same one allowed; the record says "in progress" before the apply, so an apply that dies halfway
still refuses older commits, and a re-run of the same commit may finish it.
drift-check: one call writes every report, and says how far the environment is behind main.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pipeline.conftest import RunCli
from tests.pipeline.support import assert_one_line_error, drift_fixture

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

BUCKET = "catalog-api-test-state"
REGION = "eu-north-1"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main: c1 - c2 - c3, and a branch `side` from c1 that diverged (s1)."""
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    for key, value in {"user.name": "t", "user.email": "t@example.invalid"}.items():
        _git(path, "config", key, value)
    for name in ("c1", "c2", "c3"):
        _git(path, "commit", "-q", "--allow-empty", "-m", name)
        _git(path, "tag", name)
    _git(path, "checkout", "-q", "-b", "side", "c1")
    _git(path, "commit", "-q", "--allow-empty", "-m", "s1")
    _git(path, "tag", "s1")
    _git(path, "checkout", "-q", "main")
    monkeypatch.chdir(path)
    return path


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[object, str]]:
    """A moto S3 bucket and KMS key; CATALOG_* pointing at them; no real AWS reachable."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "GITHUB_SHA", "GITHUB_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with moto.mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        key_id = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["KeyId"]
        monkeypatch.setenv("CATALOG_STATE_BUCKET", BUCKET)
        monkeypatch.setenv("CATALOG_STATE_REGION", REGION)
        monkeypatch.setenv("CATALOG_STATE_KMS_KEY_ID", key_id)
        yield client, key_id


def _outputs(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def test_store_then_fetch_round_trips_the_plan_encrypted_with_the_state_key(
    run_cli: RunCli, repo: Path, s3, tmp_path: Path
) -> None:
    client, key_id = s3
    plan = tmp_path / "tfplan"
    plan.write_bytes(b"PK\x03\x04 a saved plan")

    stored = run_cli("store-plan", "--env", "dev", "--plan", plan)

    assert stored.code == 0, stored.err
    values = _outputs(stored.out)
    head = _git(repo, "rev-parse", "HEAD")
    assert values["commit"] == head
    assert values["plan_key"] == f"plans/dev/{head}.tfplan"
    assert len(values["plan_sha256"]) == 64
    meta = client.head_object(Bucket=BUCKET, Key=values["plan_key"])
    assert meta["ServerSideEncryption"] == "aws:kms"
    assert meta["SSEKMSKeyId"].endswith(key_id)

    fetched = tmp_path / "fetched.tfplan"
    result = run_cli(
        "fetch-plan", "--env", "dev", "--key", values["plan_key"],
        "--sha256", values["plan_sha256"], "--output", fetched,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert fetched.read_bytes() == plan.read_bytes()


def test_fetch_refuses_a_plan_replaced_after_review_and_writes_nothing(
    run_cli: RunCli, repo: Path, s3, tmp_path: Path
) -> None:
    client, _ = s3
    plan = tmp_path / "tfplan"
    plan.write_bytes(b"reviewed plan")
    values = _outputs(run_cli("store-plan", "--env", "dev", "--plan", plan).out)
    client.put_object(Bucket=BUCKET, Key=values["plan_key"], Body=b"someone else's plan")
    fetched = tmp_path / "fetched.tfplan"

    result = run_cli(
        "fetch-plan", "--env", "dev", "--key", values["plan_key"],
        "--sha256", values["plan_sha256"], "--output", fetched,
    )  # fmt: skip

    assert result.code == 1
    assert "refusing the plan" in result.err
    assert values["plan_sha256"] in result.err
    assert not fetched.exists()
    assert not list(tmp_path.glob("fetched*"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--key", "plans/prod/x.tfplan", "--sha256", "0" * 64], "is not under plans/dev/"),
        (["--key", "plans/dev/../x", "--sha256", "0" * 64], "is not under plans/dev/"),
        (["--key", "plans/dev/x.tfplan", "--sha256", "abc"], "is not a SHA-256"),
    ],
)
def test_fetch_rejects_bad_keys_and_hashes_in_one_line(
    run_cli: RunCli, s3, tmp_path: Path, args: list[str], expected: str
) -> None:
    result = run_cli("fetch-plan", "--env", "dev", *args, "--output", tmp_path / "p")

    assert_one_line_error(result, expected)


RUN = "https://example.invalid/run/1"


def _start(run_cli: RunCli, commit: str, *, plan: str = "a" * 64, run: str = RUN):
    return run_cli("start-deployment", "--env", "dev", "--plan-sha256", plan,
                   "--commit", commit, "--run-url", run)  # fmt: skip


def _complete(run_cli: RunCli, commit: str, *, plan: str = "a" * 64, run: str = RUN):
    return run_cli("complete-deployment", "--env", "dev", "--plan-sha256", plan,
                   "--commit", commit, "--run-url", run)  # fmt: skip


def _record(run_cli: RunCli, commit: str) -> None:
    """A whole, uninterrupted apply of ``commit``."""
    for step in (_start, _complete):
        result = step(run_cli, commit)
        assert result.code == 0, result.err


def _stored_record(client) -> dict:
    body = client.get_object(Bucket=BUCKET, Key="catalog-api/dev/deployment.json")["Body"]
    return json.loads(body.read())


def test_record_is_written_beside_the_state_with_sse_kms(run_cli: RunCli, repo: Path, s3) -> None:
    client, _ = s3
    _record(run_cli, "c2")

    obj = client.get_object(Bucket=BUCKET, Key="catalog-api/dev/deployment.json")
    record = json.loads(obj["Body"].read())
    assert obj["ServerSideEncryption"] == "aws:kms"
    assert record["environment"] == "dev"
    assert record["commit"] == _git(repo, "rev-parse", "c2")
    assert record["status"] == "applied"
    assert record["plan_sha256"] == "a" * 64
    assert record["run_url"] == RUN
    assert record["applied_at"].endswith("Z")


def test_the_record_says_in_progress_before_the_apply_and_applied_after(
    run_cli: RunCli, repo: Path, s3
) -> None:
    client, _ = s3
    _record(run_cli, "c1")

    started = _start(run_cli, "c2", plan="b" * 64, run="https://example.invalid/run/2")

    assert started.code == 0, started.err
    record = _stored_record(client)
    assert record["commit"] == _git(repo, "rev-parse", "c2")
    assert record["status"] == "in-progress"
    assert record["applied_at"] is None
    assert record["started_at"].endswith("Z")
    # What the environment ran before this apply started, kept until it completes.
    assert record["previous"]["commit"] == _git(repo, "rev-parse", "c1")
    assert record["previous"]["status"] == "applied"

    completed = _complete(run_cli, "c2", plan="b" * 64, run="https://example.invalid/run/2")

    assert completed.code == 0, completed.err
    record = _stored_record(client)
    assert record["commit"] == _git(repo, "rev-parse", "c2")
    assert record["status"] == "applied"
    assert record["applied_at"].endswith("Z")
    assert record["plan_sha256"] == "b" * 64
    assert "previous" not in record


@pytest.mark.parametrize("older", ["c1", "c2", "s1"])
def test_after_an_interrupted_apply_an_older_run_is_refused(
    run_cli: RunCli, repo: Path, s3, older: str
) -> None:
    """c2 is deployed; the apply of c3 starts and dies. A re-run of c2's (or c1's) deploy run
    must not apply: part of c3 may be live, so c2 would go backwards."""
    client, _ = s3
    _record(run_cli, "c2")
    assert _start(run_cli, "c3").code == 0  # ... and the job is killed: no complete
    before = _stored_record(client)

    checked = run_cli("check-order", "--env", "dev", "--commit", older)
    started = _start(run_cli, older)

    for result in (checked, started):
        assert result.code == 1, result.err
        assert "whose apply started and did not complete" in result.err
        assert _git(repo, "rev-parse", "c3")[:12] in result.err
    assert _stored_record(client) == before


@pytest.mark.parametrize(
    ("interrupted", "rerun"), [("c3", "c3"), ("c2", "c3")], ids=["same-commit", "newer-commit"]
)
def test_after_an_interrupted_apply_the_same_or_a_newer_commit_may_finish(
    run_cli: RunCli, repo: Path, s3, interrupted: str, rerun: str
) -> None:
    """c1 is deployed; the apply of INTERRUPTED starts and dies. A re-run of that commit, or
    a deploy of a newer one, is allowed through and completes the record."""
    client, _ = s3
    _record(run_cli, "c1")
    assert _start(run_cli, interrupted).code == 0

    checked = run_cli("check-order", "--env", "dev", "--commit", rerun)
    assert checked.code == 0, checked.err
    _record(run_cli, rerun)

    record = _stored_record(client)
    assert record["commit"] == _git(repo, "rev-parse", rerun)
    assert record["status"] == "applied"


def test_a_rerun_of_the_interrupted_commit_says_so(run_cli: RunCli, repo: Path, s3) -> None:
    _record(run_cli, "c1")
    assert _start(run_cli, "c3").code == 0

    result = run_cli("check-order", "--env", "dev", "--commit", "c3")

    assert result.code == 0, result.err
    assert "whose apply did not complete: a re-run" in result.err


@pytest.mark.parametrize(
    ("setup", "complete", "says"),
    [
        ([], ("c2", "a" * 64), "the record says no record"),
        (["c2"], ("c2", "a" * 64), "(applied)"),  # completed already: a second complete is a bug
        (["start:c3"], ("c2", "a" * 64), "(in-progress)"),  # another commit is in progress
        (["start:c2"], ("c2", "b" * 64), "it was started for another plan"),
    ],
    ids=["nothing-started", "already-applied", "other-commit", "other-plan"],
)
@pytest.mark.usefixtures("repo")
def test_complete_refuses_without_a_matching_start(
    run_cli: RunCli, s3, setup: list[str], complete: tuple[str, str], says: str
) -> None:
    client, _ = s3
    for item in setup:
        if item.startswith("start:"):
            assert _start(run_cli, item.removeprefix("start:")).code == 0
        else:
            _record(run_cli, item)
    before = _stored_record(client) if setup else None

    result = _complete(run_cli, complete[0], plan=complete[1])

    assert result.code == 1, result.err
    assert says in result.err
    if before is not None:
        assert _stored_record(client) == before


def test_a_record_from_before_the_status_field_reads_as_applied(
    run_cli: RunCli, repo: Path, s3
) -> None:
    client, _ = s3
    legacy = {
        "environment": "dev",
        "commit": _git(repo, "rev-parse", "c2"),
        "plan_sha256": "a" * 64,
    }
    client.put_object(Bucket=BUCKET, Key="catalog-api/dev/deployment.json",
                      Body=json.dumps(legacy).encode())  # fmt: skip

    older = run_cli("check-order", "--env", "dev", "--commit", "c1")
    started = _start(run_cli, "c3")

    assert older.code == 1
    assert "which is already deployed" in older.err
    assert started.code == 0, started.err
    assert _stored_record(client)["previous"]["commit"] == legacy["commit"]


def test_a_record_with_an_unknown_status_is_refused(run_cli: RunCli, repo: Path, s3) -> None:
    client, _ = s3
    record = {"commit": _git(repo, "rev-parse", "c1"), "status": "rolled-back"}
    client.put_object(Bucket=BUCKET, Key="catalog-api/dev/deployment.json",
                      Body=json.dumps(record).encode())  # fmt: skip

    for result in (run_cli("check-order", "--env", "dev", "--commit", "c3"), _start(run_cli, "c3")):
        assert result.code == 1
        assert "unknown status 'rolled-back'" in result.err


@pytest.mark.parametrize(
    ("deploying", "code", "says"),
    [
        ("c3", 0, "is newer than the deployed"),
        ("c2", 0, "idempotent re-run"),
        ("c1", 1, "it is older than"),
        ("s1", 1, "has diverged from the deployed"),
    ],
)
@pytest.mark.usefixtures("repo", "s3")
def test_check_order_refuses_older_and_diverged_commits(
    run_cli: RunCli, deploying: str, code: int, says: str
) -> None:
    _record(run_cli, "c2")

    result = run_cli("check-order", "--env", "dev", "--commit", deploying)

    assert result.code == code, result.err
    assert says in result.err


def test_check_order_takes_github_sha_and_allows_a_first_deploy(
    run_cli: RunCli, repo: Path, s3, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SHA", _git(repo, "rev-parse", "c1"))

    result = run_cli("check-order", "--env", "dev")

    assert result.code == 0, result.err
    assert "first deploy" in result.err


def test_check_order_refuses_when_the_deployed_commit_is_not_in_the_history(
    run_cli: RunCli, repo: Path, s3
) -> None:
    client, _ = s3
    client.put_object(
        Bucket=BUCKET,
        Key="catalog-api/dev/deployment.json",
        Body=json.dumps({"commit": "f" * 40}).encode(),
    )

    result = run_cli("check-order", "--env", "dev", "--commit", "c3")

    assert result.code == 1
    assert "fetch-depth: 0" in result.err


def test_an_unreachable_bucket_is_a_refusal_not_a_first_deploy(
    run_cli: RunCli, repo: Path, s3, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_STATE_BUCKET", "no-such-bucket-here")

    result = run_cli("check-order", "--env", "dev", "--commit", "c3")

    assert result.code == 1
    assert "NoSuchBucket" in result.err


def test_drift_check_writes_every_report_and_the_pending_promotion(
    run_cli: RunCli, repo: Path, s3, tmp_path: Path
) -> None:
    _record(run_cli, "c1")
    out = tmp_path / "out"

    result = run_cli(
        "drift-check", "--env", "dev",
        "--drift-plan", drift_fixture("drift_with_pending.refresh.json"),
        "--full-plan", drift_fixture("drift_with_pending.full.json"),
        "--out", out, "--run-url", "https://example.invalid/run/7",
    )  # fmt: skip

    assert result.code == 0, result.err
    assert (out / "verdict").read_text() == "drift\n"
    report = json.loads((out / "drift-report.json").read_text())
    assert report["verdict"] == "drift"
    assert report["promotion"]["commit"] == _git(repo, "rev-parse", "c1")
    assert report["promotion"]["commits_behind_main"] == 2
    body = (out / "issue-body.md").read_text()
    assert body.startswith("<!-- catalog-api-drift:dev -->\n")
    assert "**2 commit(s) behind main**: pending promotion, not drift" in body
    assert "https://example.invalid/run/7" in body
    markdown = (out / "drift-report.md").read_text()
    assert markdown.startswith("### Drift in dev\n\n**Deployed commit:** `")
    for name in ("drift.plan.redacted.json", "full.plan.redacted.json"):
        assert json.loads((out / name).read_text())["format_version"]


def test_drift_check_without_a_record_says_so_and_still_gives_a_verdict(
    run_cli: RunCli, repo: Path, s3, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    plan = drift_fixture("drift_none.refresh.json")

    result = run_cli("drift-check", "--env", "dev", "--drift-plan", plan, "--full-plan", plan,
                     "--out", out)  # fmt: skip

    assert result.code == 0, result.err
    assert (out / "verdict").read_text() == "clean\n"
    assert "none recorded" in (out / "drift-report.md").read_text()


def test_drift_check_gives_no_verdict_for_an_errored_plan(run_cli: RunCli, tmp_path: Path) -> None:
    data = json.loads(drift_fixture("drift_none.refresh.json").read_text())
    data["errored"] = True
    errored = tmp_path / "errored.json"
    errored.write_text(json.dumps(data))
    out = tmp_path / "out"

    result = run_cli("drift-check", "--env", "dev", "--drift-plan", errored,
                     "--full-plan", errored, "--out", out, "--no-promotion")  # fmt: skip

    assert_one_line_error(result, "Terraform reported errors while planning")
    assert not (out / "verdict").exists()


def test_describe_gives_every_field_in_one_call(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_STATE_BUCKET", "my-state")
    monkeypatch.setenv("CATALOG_REGION", "eu-west-1")

    result = run_cli("describe", "prod")

    assert result.code == 0, result.err
    assert _outputs(result.out) == {
        "environment": "prod",
        "stack": "catalog-api-prod",
        "region": "eu-west-1",
        "plan_role": "catalog-api-github-plan-prod",
        "apply_role": "catalog-api-github-apply-prod",
        "state_bucket": "my-state",
    }


def test_plan_report_writes_everything_in_one_call_and_says_what_is_deployed(
    run_cli: RunCli, repo: Path, s3, tmp_path: Path
) -> None:
    _record(run_cli, "c2")
    plan = drift_fixture("drift_with_pending.full.json")

    result = run_cli(
        "plan-report", plan, "--title", "Deploy plan for dev", "--promotion-env", "dev",
        "--markdown", tmp_path / "s.md", "--json", tmp_path / "s.json",
        "--redacted", tmp_path / "r.json",
    )  # fmt: skip

    assert result.code == 0, result.err
    markdown = (tmp_path / "s.md").read_text()
    assert markdown.startswith("### Deploy plan for dev\n\n**Deployed commit:** `")
    assert "**1 commit(s) behind main**: pending promotion" in markdown
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["promotion"]["commits_behind_main"] == 1
    assert json.loads((tmp_path / "r.json").read_text())["format_version"]


def test_plan_report_shows_the_last_completed_deploy_and_the_unfinished_apply(
    run_cli: RunCli, repo: Path, s3, tmp_path: Path
) -> None:
    _record(run_cli, "c1")
    assert _start(run_cli, "c2", run="https://example.invalid/run/9").code == 0

    result = run_cli(
        "plan-report", drift_fixture("drift_with_pending.full.json"), "--promotion-env", "dev",
        "--markdown", tmp_path / "s.md", "--json", tmp_path / "s.json",
    )  # fmt: skip

    assert result.code == 0, result.err
    c1, c2 = (_git(repo, "rev-parse", name)[:12] for name in ("c1", "c2"))
    markdown = (tmp_path / "s.md").read_text()
    assert f"**Deployed commit:** `{c1}`" in markdown
    assert "**2 commit(s) behind main**" in markdown
    assert f"**Apply not completed:** `{c2}` started at " in markdown
    assert "([run](https://example.invalid/run/9))" in markdown
    promotion = json.loads((tmp_path / "s.json").read_text())["promotion"]
    assert promotion["commit"] == _git(repo, "rev-parse", "c1")
    assert promotion["in_progress"]["commit"] == _git(repo, "rev-parse", "c2")
    assert promotion["in_progress"]["run_url"] == "https://example.invalid/run/9"
