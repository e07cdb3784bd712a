"""Every workflow, end to end, in the order a change lives through them (docs/rehearsal.md):
PR -> PR plan (and a hostile artifact, and the old comment job) -> deploy (dev, staging, prod)
-> a second push with nothing changed -> a push whose staging fails -> drift before, during and
after a change by hand -> the cache writer. Each test continues from the
state the previous one left (one repository, one moto, one fake GitHub per session), so they
run in file order; assertions read the fake's and moto's recorded state, not act's log text.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from typing import Any

from facts.project import drift_issue_marker, plan_comment_marker
from infra.config import ENVIRONMENTS
from tests.fixture_paths import REPO_ROOT
from tests.rehearsal import fake_github, harness
from tests.rehearsal.conftest import ACCOUNT_ID
from tests.terraform import harness as tf_harness
from tests.terraform.conftest import STATE_BUCKET

PR_NUMBER = 7
REFUSED_PR_NUMBER = 8
OLD_COMMENT_JOB_PR_NUMBER = 9
FEATURE_BRANCH = "feature/rehearsal"
STACKS = {f"{cfg.stack_name}/cdk.tf.json" for cfg in ENVIRONMENTS.values()}
# What the flows hand from one test to the next.
FLOW: dict[str, Any] = {}


def _explain(run: harness.ActRun) -> str:
    """The failure message: each failed job's output up to its first failed step (act logs
    jobs interleaved, so the log's tail is mostly other jobs), and a copy of the whole log
    under reports/rehearsal/, which outlives pytest's pruning of its temporary directories."""
    kept = REPO_ROOT / "reports" / "rehearsal" / f"{run.log.parent.name}.act.log"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run.log, kept)
    by_job: dict[str, list[str]] = {}
    failed_at: dict[str, int] = {}
    for line in run.log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        job = str(record.get("job", "")).strip()
        messages = by_job.setdefault(job, [])
        messages.append(str(record.get("msg", "")).rstrip())
        if record.get("stepResult") == "failure" and job not in failed_at:
            failed_at[job] = len(messages)
    sections = [
        f"--- {job} (up to its first failed step) ---\n"
        + "\n".join(by_job[job][max(0, end - 40) : end])
        for job, end in failed_at.items()
    ]
    return (
        f"{run.workflow} (run {run.run_id}) jobs {run.results()}; log kept as {kept}\n"
        + "\n".join(sections)
    )


def _repo_payload() -> dict[str, Any]:
    return {"full_name": harness.REPOSITORY, "default_branch": "main"}


def _zip_entries(rehearsal: harness.Rehearsal, run_id: str, name: str) -> list[str]:
    path = rehearsal.records / "artifacts" / run_id / f"{name}.zip"
    assert path.is_file(), f"run {run_id} stored no {name} artifact"
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return sorted(archive.namelist())


def test_pr(rehearsal: harness.Rehearsal, github: fake_github.FakeGitHub) -> None:
    """pr.yml on pull_request: the gate's verdict, valid SARIF, the stacks artifact, no role."""
    harness.git(rehearsal.repo, "checkout", "-q", "-b", FEATURE_BRANCH)
    head = harness.commit(
        rehearsal.repo,
        "a reviewed change",
        files={"docs/rehearsal-change.md": "A change proposed in a pull request.\n"},
    )
    github.open_pull(PR_NUMBER, head_sha=head)
    payload = {
        "number": PR_NUMBER,
        "pull_request": {
            "number": PR_NUMBER,
            "head": {"sha": head, "ref": FEATURE_BRANCH, "repo": _repo_payload()},
            "base": {"ref": "main", "repo": _repo_payload()},
        },
        "repository": _repo_payload(),
    }
    run = rehearsal.run("pr.yml", "pull_request", payload)
    FLOW["pr"] = {"run": run, "head": head}

    # The gate's verdict: the gate job passed and the required status-check agrees.
    assert run.results() == {"validate (gate)": "success", "status-check": "success"}, _explain(run)
    # SARIF: both reports uploaded, each valid SARIF 2.1.0.
    sarif = [r for r in rehearsal.records_of("sarif.jsonl") if r["run_id"] == run.run_id]
    assert {r["category"] for r in sarif} == {"policies", "checkov"}
    assert all(r["valid"] for r in sarif), sarif
    # The artifact pr-plan.yml plans: <stack>/cdk.tf.json entries only, one per synthesized
    # stack (the environments and the bootstrap), nothing else.
    assert _zip_entries(rehearsal, run.run_id, "synthesized-stacks") == sorted(
        {*STACKS, "catalog-api-bootstrap/cdk.tf.json"}
    )
    # The PR's own code never held an AWS role.
    assert [r for r in rehearsal.records_of("roles.jsonl") if r["run_id"] == run.run_id] == []
    assert github.state.unhandled == []


def _workflow_run_payload(pr_run: harness.ActRun, *, head: str, pr_number: int) -> dict[str, Any]:
    return {
        "action": "completed",
        "workflow_run": {
            "id": int(pr_run.run_id),
            "name": "pr",
            "event": "pull_request",
            "conclusion": "success",
            "head_sha": head,
            "head_branch": FEATURE_BRANCH,
            "head_repository": _repo_payload(),
            "pull_requests": [{"number": pr_number}],
        },
        "repository": _repo_payload(),
    }


def _plan_comments(github: fake_github.FakeGitHub, pr_number: int) -> dict[str, list[Any]]:
    """Environment -> the bot's comments on the PR that carry its sticky marker."""
    found: dict[str, list[Any]] = {env: [] for env in ENVIRONMENTS}
    for comment in github.state.comments:
        if comment.issue != pr_number or comment.user["type"] != "Bot":
            continue
        for env in ENVIRONMENTS:
            if comment.body.startswith(plan_comment_marker(env)):
                found[env].append(comment)
    return found


def _roles(rehearsal: harness.Rehearsal, run: harness.ActRun) -> list[dict[str, Any]]:
    return [r for r in rehearsal.records_of("roles.jsonl") if r["run_id"] == run.run_id]


def _plan_run(rehearsal: harness.Rehearsal, payload: dict[str, Any]) -> harness.ActRun:
    """pr-plan.yml runs the default branch's copy of itself and of every script."""
    current = harness.git(rehearsal.repo, "rev-parse", "--abbrev-ref", "HEAD")
    harness.git(rehearsal.repo, "checkout", "-q", "main")
    try:
        return rehearsal.run("pr-plan.yml", "workflow_run", payload)
    finally:
        harness.git(rehearsal.repo, "checkout", "-q", current)


def test_pr_plan(rehearsal: harness.Rehearsal, github: fake_github.FakeGitHub) -> None:
    """pr-plan.yml on the workflow_run of the PR run: a sticky comment per environment, updated
    (never duplicated) on a second run; each plan role assumed only by its plan job, after the
    artifact check and the policies."""
    pr = FLOW["pr"]
    payload = _workflow_run_payload(pr["run"], head=pr["head"], pr_number=PR_NUMBER)
    # A person quoting a marker is never the sticky comment.
    github.add_comment(PR_NUMBER, plan_comment_marker("dev") + "\nquoted", user=fake_github.HUMAN)

    first = _plan_run(rehearsal, payload)
    expected_jobs = {
        "find the pull request": "success",
        **{f"plan ({env})": "success" for env in ENVIRONMENTS},
        **{f"comment ({env})": "success" for env in ENVIRONMENTS},
        "status-check": "success",
    }
    assert first.results() == expected_jobs, _explain(first)
    posted = _plan_comments(github, PR_NUMBER)
    assert {env: len(c) for env, c in posted.items()} == dict.fromkeys(ENVIRONMENTS, 1)
    for env, (comment,) in posted.items():
        assert "Terraform plan" in comment.body or env in comment.body, comment.body[:300]

    roles = _roles(rehearsal, first)
    assert sorted((r["job"], r["session"]) for r in roles) == sorted(
        ("plan", f"pr-{PR_NUMBER}-plan-{env}") for env in ENVIRONMENTS
    )
    for record in roles:
        env = record["session"].rsplit("-", 1)[-1]
        assert record["role"] == (
            f"arn:aws:iam::{ACCOUNT_ID}:role/{ENVIRONMENTS[env].plan_role_name}"
        )
        # Assumed only after the artifact check unpacked the stacks and the policies ran.
        assert "pr-stacks/" in record["workspace_files"], record
        assert f"reports/plan/{env}/artifact-check.log" in record["workspace_files"], record
        assert f"reports/plan/{env}/artifact-policies.md" in record["workspace_files"], record

    ids = {env: c[0].id for env, c in posted.items()}
    bodies = {env: c[0].updated for env, c in posted.items()}
    second = _plan_run(rehearsal, payload)
    assert second.results() == expected_jobs, _explain(second)
    again = _plan_comments(github, PR_NUMBER)
    assert {env: [c.id for c in cs] for env, cs in again.items()} == {
        env: [ids[env]] for env in ENVIRONMENTS
    }
    assert all(again[env][0].updated > bodies[env] for env in ENVIRONMENTS)
    assert github.state.unhandled == []


def _hostile_artifact(rehearsal: harness.Rehearsal, run_id: str) -> None:
    store = rehearsal.records / "artifacts" / run_id
    store.mkdir(parents=True)
    with zipfile.ZipFile(store / "synthesized-stacks.zip", "w") as archive:
        for stack in sorted(STACKS):
            archive.writestr(stack, "{}")
        archive.writestr("../../scripts/plan.sh", "#!/bin/sh\necho owned\n")


def test_pr_plan_refuses_a_hostile_artifact(
    rehearsal: harness.Rehearsal, github: fake_github.FakeGitHub
) -> None:
    """A PR run whose artifact holds a path trick: every environment's comment says why it was
    refused, and no job assumes a role."""
    pr_run_id = "4242"
    _hostile_artifact(rehearsal, pr_run_id)
    # Independent of the PR flow: this is also the quickest run of the comment job.
    head = harness.git(rehearsal.repo, "rev-parse", "HEAD")
    github.open_pull(REFUSED_PR_NUMBER, head_sha=head)
    fake_run = harness.ActRun("pr.yml", "pr", pr_run_id, 0, rehearsal.records, [])
    payload = _workflow_run_payload(fake_run, head=head, pr_number=REFUSED_PR_NUMBER)
    run = _plan_run(rehearsal, payload)

    results = run.results()
    assert all(results[f"plan ({env})"] == "failure" for env in ENVIRONMENTS), _explain(run)
    assert all(results[f"comment ({env})"] == "success" for env in ENVIRONMENTS), _explain(run)
    assert results["status-check"] == "failure"
    posted = _plan_comments(github, REFUSED_PR_NUMBER)
    assert {env: len(c) for env, c in posted.items()} == dict.fromkeys(ENVIRONMENTS, 1)
    for comments in posted.values():
        assert "refused" in comments[0].body
        assert "../../scripts/plan.sh" in comments[0].body
    assert _roles(rehearsal, run) == []


# The comment job as it was before the rehearsal found it (issue 16): no Python environment of
# its own, and a script that assumed the plan job's .venv was there.
_COMMENT_JOB_ENV_STEPS = (
    "      # post-plan-comment.sh runs the project's Python",
    "      - name: Download this environment's plan comment",
)
_SCRIPT_ENV_LINES = (
    'source "$root/scripts/lib/python-env.sh"\n',
    'ensure_python_env "$root" || exit 2\n',
)


def _without_the_comment_jobs_python_env(repo: Any) -> dict[str, str]:
    workflow = (repo / ".github/workflows/pr-plan.yml").read_text(encoding="utf-8")
    start, end = (workflow.index(marker) for marker in _COMMENT_JOB_ENV_STEPS)
    script = (repo / "scripts/post-plan-comment.sh").read_text(encoding="utf-8")
    for line in _SCRIPT_ENV_LINES:
        assert line in script, f"post-plan-comment.sh no longer has {line!r}"
        script = script.replace(line, "")
    return {
        ".github/workflows/pr-plan.yml": workflow[:start] + workflow[end:],
        "scripts/post-plan-comment.sh": script,
    }


def test_the_rehearsal_catches_a_comment_job_without_its_python_env(
    rehearsal: harness.Rehearsal, github: fake_github.FakeGitHub
) -> None:
    """The bug this tier was built to find: on the old comment job every post exits 2 and the
    PR hears nothing. Run on a commit that puts it back, then dropped again."""
    harness.git(rehearsal.repo, "checkout", "-q", "main")
    before = harness.git(rehearsal.repo, "rev-parse", "HEAD")
    harness.commit(
        rehearsal.repo,
        "the comment job as it was",
        files=_without_the_comment_jobs_python_env(rehearsal.repo),
    )
    try:
        _hostile_artifact(rehearsal, "4243")
        github.open_pull(OLD_COMMENT_JOB_PR_NUMBER, head_sha=before)
        fake_run = harness.ActRun("pr.yml", "pr", "4243", 0, rehearsal.records, [])
        payload = _workflow_run_payload(fake_run, head=before, pr_number=OLD_COMMENT_JOB_PR_NUMBER)
        run = _plan_run(rehearsal, payload)
    finally:
        harness.git(rehearsal.repo, "reset", "-q", "--hard", before)

    results = run.results()
    assert all(results[f"comment ({env})"] == "failure" for env in ENVIRONMENTS), _explain(run)
    assert _plan_comments(github, OLD_COMMENT_JOB_PR_NUMBER) == {env: [] for env in ENVIRONMENTS}


def _s3() -> Any:
    return FLOW["s3"]


def _deployment_record(env: str) -> dict[str, Any]:
    body = _s3().get_object(Bucket=STATE_BUCKET, Key=f"catalog-api/{env}/deployment.json")["Body"]
    return json.loads(body.read())


def _state_resources(env: str) -> dict[str, str]:
    """Each resource instance in the environment's state in moto -> its id. (The serial is no
    measure: applying an empty plan still stores what the refresh read, here as on AWS.)"""
    key = ENVIRONMENTS[env].state_key
    state = json.loads(_s3().get_object(Bucket=STATE_BUCKET, Key=key)["Body"].read())
    return {
        f"{r['mode']}.{r['type']}.{r['name']}[{i.get('index_key', '')}]": i["attributes"].get("id")
        for r in state["resources"]
        if r["mode"] == "managed"
        for i in r["instances"]
    }


def _push_payload(*, before: str, after: str) -> dict[str, Any]:
    return {
        "ref": "refs/heads/main",
        "before": before,
        "after": after,
        "head_commit": {"id": after},
        "repository": _repo_payload(),
    }


def _push(rehearsal: harness.Rehearsal, before: str, **kwargs: Any) -> harness.ActRun:
    after = harness.git(rehearsal.repo, "rev-parse", "HEAD")
    return rehearsal.run("deploy.yml", "push", _push_payload(before=before, after=after), **kwargs)


def _deploy_jobs(result: str) -> dict[str, str]:
    jobs = ("plan", "apply")
    return {f"{env}/deploy-environment/{job} {env}": result for env in ENVIRONMENTS for job in jobs}


def test_deploy(rehearsal: harness.Rehearsal, moto_server: Any) -> None:
    """deploy.yml on a push to main: dev, staging, prod in order, each plan then apply; only the
    apply job holds the apply role; the deployment records name the pushed commit."""
    FLOW["s3"] = tf_harness.boto3_client("s3", endpoint=moto_server.endpoint)
    before = harness.git(rehearsal.repo, "rev-parse", "main")
    harness.git(rehearsal.repo, "checkout", "-q", "main")
    if "pr" in FLOW:  # the reviewed change merges (the test also runs on its own)
        harness.git(rehearsal.repo, "merge", "-q", "--ff-only", FEATURE_BRANCH)
    pushed = harness.git(rehearsal.repo, "rev-parse", "HEAD")

    run = _push(rehearsal, before)
    assert run.results() == _deploy_jobs("success"), _explain(run)
    roles = sorted(_roles(rehearsal, run), key=lambda r: r["at"])
    expected = []
    for env, config in ENVIRONMENTS.items():
        expected.append(("plan", f"deploy-plan-{env}-{run.run_id}", config.plan_role_name))
        expected.append(("apply", f"deploy-{env}-{run.run_id}", config.apply_role_name))
    assert [(r["job"], r["session"], r["role"].rsplit("/", 1)[-1]) for r in roles] == expected
    for env in ENVIRONMENTS:
        assert _deployment_record(env)["commit"] == pushed
        FLOW.setdefault("resources", {})[env] = _state_resources(env)
    FLOW["deployed"] = pushed


def test_second_push_with_nothing_changed_applies_nothing(rehearsal: harness.Rehearsal) -> None:
    before = FLOW["deployed"]
    script = rehearsal.repo / "scripts" / "aws-account.sh"
    harness.commit(
        rehearsal.repo,
        "a script comment: nothing to apply",
        files={"scripts/aws-account.sh": script.read_text() + "# (no infrastructure change)\n"},
    )
    pushed = harness.git(rehearsal.repo, "rev-parse", "HEAD")
    run = _push(rehearsal, before)

    assert run.results() == _deploy_jobs("success"), _explain(run)
    for env in ENVIRONMENTS:
        summary_zip = rehearsal.records / "artifacts" / run.run_id / f"deploy-plan-{env}-1.zip"
        with zipfile.ZipFile(summary_zip) as archive:
            summary = json.loads(archive.read("plan-summary.json"))
        assert summary["has_changes"] is False, (env, summary["counts"])
        # Nothing created, destroyed or replaced (an update shows in the summary above).
        assert _state_resources(env) == FLOW["resources"][env], f"{env}: resources changed"
        assert _deployment_record(env)["commit"] == pushed
    FLOW["deployed"] = pushed


def test_failing_staging_stops_prod(rehearsal: harness.Rehearsal) -> None:
    before = FLOW["deployed"]
    harness.commit(rehearsal.repo, "a push whose staging cannot resolve its account")
    # Staging's account is missing: its plan job fails at "Resolve the environment's account".
    broken = {"AWS_ACCOUNT_IDS": json.dumps({"dev": ACCOUNT_ID, "prod": ACCOUNT_ID})}
    run = _push(rehearsal, before, variables=broken)

    results = run.results()
    assert results["dev/deploy-environment/plan dev"] == "success", _explain(run)
    assert results["dev/deploy-environment/apply dev"] == "success", _explain(run)
    assert results["staging/deploy-environment/plan staging"] == "failure", _explain(run)
    assert results.get("staging/deploy-environment/apply staging", "skipped") == "skipped"
    assert all(
        result == "skipped" for name, result in results.items() if name.startswith("prod")
    ), results
    assert {r["session"].split("-")[-2] for r in _roles(rehearsal, run)} == {"dev"}
    assert _deployment_record("prod")["commit"] == before
    assert _deployment_record("staging")["commit"] == before


def _drift(rehearsal: harness.Rehearsal) -> harness.ActRun:
    run = rehearsal.run("drift.yml", "schedule", {"schedule": "17 5 * * *"})
    expected = {
        "environments": "success",
        **{f"drift check ({env})": "success" for env in ENVIRONMENTS},
        "drift issues": "success",
    }
    assert run.results() == expected, _explain(run)
    return run


def _drift_issues(github: fake_github.FakeGitHub) -> dict[str, fake_github.Issue]:
    found = {}
    for issue in github.state.issues.values():
        for env in ENVIRONMENTS:
            if issue.body.startswith(drift_issue_marker(env)):
                assert env not in found, f"two drift issues for {env}"
                found[env] = issue
    return found


def _vpc(env: str) -> dict[str, Any]:
    vpcs = FLOW["ec2"].describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": [env]}])
    (vpc,) = vpcs["Vpcs"]
    return vpc


def test_drift(
    rehearsal: harness.Rehearsal, github: fake_github.FakeGitHub, moto_server: Any
) -> None:
    """drift.yml on schedule: nothing before; a change by hand opens one issue per drifted
    environment; a second run updates it; reverting the change closes it."""
    FLOW["ec2"] = tf_harness.boto3_client("ec2", endpoint=moto_server.endpoint)
    _drift(rehearsal)
    assert _drift_issues(github) == {}

    drifted = ("dev", "staging")
    original = {}
    for env in drifted:
        vpc = _vpc(env)
        original[env] = {t["Key"]: t["Value"] for t in vpc.get("Tags", [])}
        FLOW["ec2"].create_tags(
            Resources=[vpc["VpcId"]], Tags=[{"Key": "Owner", "Value": "changed-by-hand"}]
        )
    _drift(rehearsal)
    issues = _drift_issues(github)
    assert sorted(issues) == sorted(drifted)
    assert all(i.state == "OPEN" and set(i.labels) == {"drift", env} for env, i in issues.items())
    numbers = {env: i.number for env, i in issues.items()}

    _drift(rehearsal)
    issues = _drift_issues(github)
    assert {env: i.number for env, i in issues.items()} == numbers
    assert all(i.edits == 1 and i.state == "OPEN" for i in issues.values())

    for env in drifted:
        vpc = _vpc(env)
        if "Owner" in original[env]:
            tags = [{"Key": "Owner", "Value": original[env]["Owner"]}]
            FLOW["ec2"].create_tags(Resources=[vpc["VpcId"]], Tags=tags)
        else:
            FLOW["ec2"].delete_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "Owner"}])
    _drift(rehearsal)
    issues = _drift_issues(github)
    assert all(i.state == "CLOSED" for i in issues.values())
    closing = [c for c in github.state.comments if c.issue in numbers.values()]
    assert sorted(c.issue for c in closing) == sorted(numbers.values())
    assert github.state.unhandled == []


def _cache_records(rehearsal: harness.Rehearsal, run: harness.ActRun) -> list[dict[str, Any]]:
    return [r for r in rehearsal.records_of("cache.jsonl") if r["run_id"] == run.run_id]


def test_caches(rehearsal: harness.Rehearsal) -> None:
    """caches.yml on a push to main: with no entry for this Pipfile.lock it builds .venv and
    saves it under the key pr-plan.yml restores; with one, it only looks it up."""
    harness.git(rehearsal.repo, "checkout", "-q", "main")
    head = harness.git(rehearsal.repo, "rev-parse", "HEAD")
    payload = _push_payload(before=head, after=head)
    entry = rehearsal.records / "cache" / ".venv"
    away = entry.with_name(".venv-away")
    entry.rename(away)  # a cold cache: nothing saved for this lock file yet
    try:
        cold = rehearsal.run("caches.yml", "push", payload)
    finally:
        away.rename(entry)
    warm = rehearsal.run("caches.yml", "push", payload)

    assert cold.results() == {"write the .venv cache": "success"}, _explain(cold)
    assert warm.results() == {"write the .venv cache": "success"}, _explain(warm)
    key = _cache_records(rehearsal, cold)[0]["key"]
    assert key.startswith("venv-Linux-py3.11-") and key.endswith("-caches.yml"), key
    assert [
        (r.get("lookup"), r.get("save"), r.get("hit")) for r in _cache_records(rehearsal, cold)
    ] == [
        (True, None, False),
        (None, True, None),
    ]
    assert all(r["key"] == key for r in _cache_records(rehearsal, cold))
    assert [
        (r.get("lookup"), r.get("save"), r.get("hit")) for r in _cache_records(rehearsal, warm)
    ] == [(True, None, True)]
    # What pr-plan.yml restored in its runs is exactly this entry.
    restored = {
        r["key"]
        for r in rehearsal.records_of("cache.jsonl")
        if r["workflow"] == "pr-plan" and r["path"] == ".venv"
    }
    assert restored == {key}
