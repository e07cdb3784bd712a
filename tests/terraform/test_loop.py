"""The whole loop on the real dev stack: deploy, redeploy, drift, revert, stale plan, order.

The workflows' own scripts run here, with real Terraform, the real AWS provider and moto:
``scripts/deploy-environment.sh`` (plan job and apply job steps), ``scripts/drift-check.sh``,
``scripts/drift-issue.sh`` (with a fake ``gh``, the only fake), and ``scripts/plan.sh``. They
reach moto only through the test seam ``PIPELINE_TF_OVERRIDES_DIR`` (provider endpoints, the
relaxed provider version) and the standard AWS variables (boto3 and the S3 backend).

The tests build on each other in file order (one deployed environment per module, as in life);
a failed step makes the later ones fail too, each naming its own problem.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.fixture_paths import REPO_ROOT
from tests.terraform import emulator_gaps, harness

STACK = "catalog-api-dev"
SCRIPTS = REPO_ROOT / "scripts"
# A test-only override that marks one output sensitive, so the summary's masking is exercised
# on a real `terraform output -json` (the dev stack has no sensitive output of its own).
SENSITIVE_OUTPUT = "db_cluster_endpoint"

# Emulator gaps: what moto 5.2 answers differently from AWS, so the real provider would re-plan
# it on every run here (never on AWS). Found by the redeploy test; each is ignored by a test-only
# lifecycle override on exactly these attributes of these resource types, and nothing else.
# (CloudFront's legacy defaults are answered like AWS by moto_emulator.py instead: ignoring them
# would leave moto's values in the state, where the policy pack rightly flags them.)
# None of the re-plans it found was a stack bug.
FAKE_GH = r"""#!/usr/bin/env python3
# A fake `gh` for scripts/drift-issue.sh: issues live in $FAKE_GH_STATE (JSON), calls in the log.
import json, os, sys
state_path = os.environ["FAKE_GH_STATE"]
try:
    issues = json.load(open(state_path))
except FileNotFoundError:
    issues = []
args = sys.argv[1:]
with open(state_path + ".log", "a") as log:
    log.write(" ".join(args) + "\n")
def value(flag):
    return args[args.index(flag) + 1]
if args[:2] == ["issue", "list"]:
    print(json.dumps([{"number": i["number"], "body": i["body"]} for i in issues
                      if i["state"] == "open"]))
elif args[:2] == ["issue", "create"]:
    number = len(issues) + 1
    issues.append({"number": number, "state": "open", "title": value("--title"),
                   "body": open(value("--body-file")).read()})
    print(f"https://github.invalid/issues/{number}")
elif args[:2] == ["issue", "edit"]:
    issues[int(args[2]) - 1]["body"] = open(value("--body-file")).read()
elif args[:2] == ["issue", "close"]:
    issues[int(args[2]) - 1]["state"] = "closed"
    issues[int(args[2]) - 1]["comment"] = value("--comment")
elif args[:2] != ["label", "create"]:
    sys.exit(f"fake gh: unexpected call {args}")
json.dump(issues, open(state_path, "w"))
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


@dataclass
class Loop:
    """Everything the scripts need, in tmp_path: reports, synth output, git history, fake gh."""

    base: Path
    env: dict[str, str]
    endpoint: str
    overrides: Path
    commits: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def stack_dir(self) -> Path:
        return self.base / "cdktf.out" / "stacks" / STACK

    @property
    def reports(self) -> Path:
        return self.base / "reports"

    def run(
        self, script: str, *args: str, expect: int = 0, **extra: str
    ) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
        """Run scripts/SCRIPT ARGS; returns the process and the step outputs it wrote."""
        output = self.base / "github-output"
        output.write_text("")
        env = self.env | {"GITHUB_OUTPUT": str(output)} | extra
        result = subprocess.run(
            ["bash", str(SCRIPTS / script), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=1200,
        )
        assert result.returncode == expect, (
            f"{script} {' '.join(args)}: exit {result.returncode}, expected {expect}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-8000:]}"
        )
        outputs = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        return result, outputs

    def deploy_step(self, step: str, *, expect: int = 0, **extra: str) -> Any:
        return self.run("deploy-environment.sh", step, "dev", expect=expect, **extra)

    def terraform(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return harness.run_terraform(list(args), cwd=self.stack_dir, env=self.env, check=check)

    def client(self, service: str) -> Any:
        return harness.boto3_client(service, endpoint=self.endpoint)

    def state(self) -> dict[str, Any]:
        return json.loads(self.terraform("show", "-json").stdout)

    def resources(self, type_: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.state()["values"]["root_module"]["resources"]
            if r["type"] == type_ and r["mode"] == "managed"
        ]

    def state_object(self) -> dict[str, Any]:
        head = self.client("s3").head_object(
            Bucket=self.env["CATALOG_STATE_BUCKET"], Key="catalog-api/dev/terraform.tfstate"
        )
        return {"version": head.get("VersionId"), "etag": head["ETag"]}


@pytest.fixture(scope="module")
def loop(
    terraform_env: dict[str, str],
    moto_server: harness.MotoServer,
    tier_overrides_dir: Path,
    tier_stacks_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Loop:
    base = tmp_path_factory.mktemp("loop")
    # The history the order check reads: main = c1 - c2 - c3, and a branch that diverged.
    repo = base / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "loop")
    _git(repo, "config", "user.email", "loop@example.invalid")
    commits = {}
    for name in ("c1", "c2", "c3"):
        _git(repo, "commit", "-q", "--allow-empty", "-m", name)
        commits[name] = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-q", "-b", "side", commits["c1"])
    _git(repo, "commit", "-q", "--allow-empty", "-m", "side")
    commits["side"] = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-q", "main")

    overrides = base / "overrides"
    shutil.copytree(tier_overrides_dir, overrides)
    (overrides / "loop_sensitive_output_override.tf.json").write_text(
        json.dumps({"output": {SENSITIVE_OUTPUT: {"sensitive": True}}})
    )
    stack = json.loads((tier_stacks_dir / "stacks" / STACK / "cdk.tf.json").read_text())
    (overrides / "loop_emulator_gaps_override.tf.json").write_text(
        json.dumps(emulator_gaps.override(stack), indent=1)
    )
    bin_dir = base / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
    env = terraform_env | {
        "PATH": f"{bin_dir}{os.pathsep}{terraform_env['PATH']}",
        "PIPELINE_TF_OVERRIDES_DIR": str(overrides),
        "REPORTS_DIR": str(base / "reports"),
        "CDKTF_OUTDIR": str(base / "cdktf.out"),
        "GATE_CACHE_DIR": str(base / "gate-cache"),
        "GIT_DIR": str(repo / ".git"),
        "GITHUB_STEP_SUMMARY": str(base / "step-summary.md"),
        "GITHUB_REPOSITORY": "example-org/catalog-api-infra",
        "GITHUB_SERVER_URL": "https://github.invalid",
        "GITHUB_RUN_ID": "4242",
        "FAKE_GH_STATE": str(base / "gh-issues.json"),
        "CATALOG_ENVIRONMENTS": "dev",
    }
    for name in ("GITHUB_SHA", "PLAN_SHA256", "PLAN_KEY", "TF_LOCK_TIMEOUT"):
        env.pop(name, None)
    return Loop(
        base=base,
        env=env,
        endpoint=moto_server.endpoint,
        overrides=overrides,
        commits=commits,
    )


def _plan_job(loop: Loop, commit: str) -> dict[str, str]:
    """deploy-environment.yml's plan job: describe, synth, check-config, plan, check-plan,
    store-plan. Returns the store-plan outputs (plan_sha256, plan_key, commit)."""
    sha = {"GITHUB_SHA": commit}
    loop.deploy_step("describe", **sha)
    loop.deploy_step("synth", **sha)
    loop.deploy_step("check-config", **sha)
    loop.deploy_step("plan", **sha)
    loop.deploy_step("check-plan", **sha)
    _, stored = loop.deploy_step("store-plan", **sha)
    return stored


def _apply_job(loop: Loop, commit: str, stored: dict[str, str]) -> str:
    """The apply job on a fresh runner: no local plan; fetch the reviewed one, check the
    order, record the deployment as in progress, apply it, complete the record, publish the
    outputs. Returns the apply output."""
    (loop.stack_dir / "tfplan").unlink()
    job = {
        "GITHUB_SHA": commit,
        "PLAN_SHA256": stored["plan_sha256"],
        "PLAN_KEY": stored["plan_key"],
    }
    loop.deploy_step("describe", **job)
    loop.deploy_step("fetch-plan", **job)
    loop.deploy_step("check-order", **job)
    loop.deploy_step("record-start", **job)
    # Before Terraform runs, the record already names this commit: a job that dies during the
    # apply leaves it "in-progress", never the older commit as the newest.
    started = _record(loop)
    assert (started["commit"], started["status"]) == (commit, "in-progress")
    applied, _ = loop.deploy_step("apply", **job)
    loop.deploy_step("record", **job)
    assert _record(loop)["status"] == "applied"
    loop.deploy_step("outputs", **job)
    return applied.stdout


def _record(loop: Loop) -> dict[str, Any]:
    body = loop.client("s3").get_object(
        Bucket=loop.env["CATALOG_STATE_BUCKET"], Key="catalog-api/dev/deployment.json"
    )["Body"]
    return json.loads(body.read())


def test_deploy_dev_from_a_fresh_state_applies_exactly_its_saved_plan(loop: Loop) -> None:
    stored = _plan_job(loop, loop.commits["c1"])

    plan = json.loads((loop.reports / "deploy/dev/plan.json").read_text())
    planned = {
        r["address"]
        for r in plan["resource_changes"]
        if r["mode"] == "managed" and r["change"]["actions"] == ["create"]
    }
    assert len(planned) > 60, f"the dev plan creates only {len(planned)} resources"
    assert stored["plan_key"] == f"plans/dev/{loop.commits['c1']}.tfplan"
    stored_object = loop.client("s3").head_object(
        Bucket=loop.env["CATALOG_STATE_BUCKET"], Key=stored["plan_key"]
    )
    assert stored_object["ServerSideEncryption"] == "aws:kms"
    assert stored_object["SSEKMSKeyId"] == loop.env["CATALOG_STATE_KMS_KEY_ID"]

    applied = _apply_job(loop, loop.commits["c1"], stored)

    # Exactly the saved plan: every planned resource, nothing else, nothing planned anew.
    assert f"Apply complete! Resources: {len(planned)} added, 0 changed, 0 destroyed." in applied
    listed = set(loop.terraform("state", "list").stdout.split())
    assert {a for a in listed if not a.startswith("data.")} == planned
    record = _record(loop)
    assert record["commit"] == loop.commits["c1"]
    assert record["plan_sha256"] == stored["plan_sha256"]
    assert (
        record["run_url"]
        == "https://github.invalid/example-org/catalog-api-infra/actions/runs/4242"
    )

    real = json.loads(loop.terraform("output", "-json").stdout)
    summary = (loop.base / "step-summary.md").read_text()
    outputs_md = (loop.reports / "deploy/dev/outputs.md").read_text()
    assert outputs_md in summary
    assert real[SENSITIVE_OUTPUT]["sensitive"] is True
    assert real[SENSITIVE_OUTPUT]["value"] not in summary
    assert f"| `{SENSITIVE_OUTPUT}` | `(sensitive)` |" in outputs_md
    assert f'| `ecs_cluster_name` | `"{real["ecs_cluster_name"]["value"]}"` |' in outputs_md
    assert stored["plan_sha256"] in summary  # what the reviewer approved


def test_redeploy_with_nothing_changed_plans_nothing(loop: Loop) -> None:
    """Our guard against perpetual diffs: a second plan of the same code is empty."""
    _, outputs = loop.deploy_step("plan", GITHUB_SHA=loop.commits["c2"])

    summary = json.loads((loop.reports / "deploy/dev/plan-summary.json").read_text())
    plan = json.loads((loop.reports / "deploy/dev/plan.json").read_text())
    replanned = [
        (r["address"], r["change"]["actions"])
        for r in plan["resource_changes"]
        if r["change"]["actions"] not in (["no-op"], ["read"])
    ]
    assert replanned == [], f"resources re-plan on an unchanged redeploy: {replanned}"
    assert outputs["changes"] == "false", summary

    # The (empty) plan of a newer commit deploys and moves the record forward.
    loop.deploy_step("check-plan", GITHUB_SHA=loop.commits["c2"])
    _, stored = loop.deploy_step("store-plan", GITHUB_SHA=loop.commits["c2"])
    _apply_job(loop, loop.commits["c2"], stored)
    assert _record(loop)["commit"] == loop.commits["c2"]


def test_the_pr_plan_of_the_deployed_code_is_empty_and_takes_no_lock(loop: Loop) -> None:
    """scripts/plan.sh on the synthesized artifact (--stacks-dir), as the workflow_run does."""
    before = loop.state_object()

    loop.run("plan.sh", "--env", "dev", "--stacks-dir", str(loop.base / "cdktf.out"))

    out = loop.reports / "plan" / "dev"
    assert "**No changes.**" in (out / "summary.md").read_text()
    assert (out / "comment.md").read_text().startswith("<!-- catalog-api-plan:dev -->")
    assert loop.state_object() == before


@pytest.mark.parametrize(
    ("commit", "says"),
    [("c1", "it is older than"), ("side", "has diverged from the deployed")],
)
def test_applying_an_older_or_diverged_commit_after_a_newer_one_is_refused(
    loop: Loop, commit: str, says: str
) -> None:
    """Issue 9: a re-run of an old deploy run must not go backwards."""
    before = loop.state_object()

    result, _ = loop.deploy_step("check-order", expect=1, GITHUB_SHA=loop.commits[commit])

    assert says in result.stderr
    assert loop.commits["c2"][:12] in result.stderr
    assert loop.state_object() == before
    assert _record(loop)["commit"] == loop.commits["c2"]


@pytest.fixture(scope="module")
def hand_changes(loop: Loop) -> dict[str, Any]:
    """What the drift test changes by hand, and how to put it back."""
    rule = next(
        r for r in loop.resources("aws_vpc_security_group_ingress_rule")
        if r["values"].get("referenced_security_group_id") and r["values"]["from_port"] == 5432
    )  # fmt: skip
    bucket = loop.resources("aws_s3_bucket")[0]
    service = loop.resources("aws_ecs_service")[0]
    log_group = loop.resources("aws_cloudwatch_log_group")[0]
    return {"rule": rule, "bucket": bucket, "service": service, "log_group": log_group}


def _change_by_hand(loop: Loop, changes: dict[str, Any], *, revert: bool) -> None:
    ec2, s3, ecs = loop.client("ec2"), loop.client("s3"), loop.client("ecs")
    rule = changes["rule"]["values"]
    port = rule["from_port"] if revert else rule["from_port"] + 1
    ec2.modify_security_group_rules(
        GroupId=rule["security_group_id"],
        SecurityGroupRules=[
            {
                "SecurityGroupRuleId": rule["security_group_rule_id"],
                "SecurityGroupRule": {
                    "IpProtocol": rule["ip_protocol"],
                    "FromPort": port,
                    "ToPort": port,
                    "ReferencedGroupId": rule["referenced_security_group_id"],
                    **({"Description": rule["description"]} if rule.get("description") else {}),
                },
            }
        ],
    )
    bucket = changes["bucket"]["values"]
    tags = dict(bucket["tags_all"]) | ({} if revert else {"ChangedBy": "hand"})
    s3.put_bucket_tagging(
        Bucket=bucket["bucket"],
        Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]},
    )
    service = changes["service"]["values"]
    ecs.update_service(
        cluster=service["cluster"],
        service=service["name"],
        desiredCount=service["desired_count"] if revert else service["desired_count"] + 2,
    )


def _pending_code_change(loop: Loop, changes: dict[str, Any]) -> str:
    """A merged but unapplied code change: the log retention, through a test override."""
    log_group = changes["log_group"]
    override = {
        "resource": {"aws_cloudwatch_log_group": {log_group["name"]: {"retention_in_days": 30}}}
    }
    assert log_group["values"]["retention_in_days"] != 30
    (loop.overrides / "loop_pending_change_override.tf.json").write_text(json.dumps(override))
    return log_group["address"]


def test_drift_is_reported_exactly_and_told_apart_from_a_pending_code_change(
    loop: Loop, hand_changes: dict[str, Any]
) -> None:
    _change_by_hand(loop, hand_changes, revert=False)
    pending = _pending_code_change(loop, hand_changes)

    loop.run("drift-check.sh", "dev")

    out = loop.reports / "drift" / "dev"
    assert (out / "verdict").read_text() == "drift\n"
    report = json.loads((out / "drift-report.json").read_text())
    drifted = {d["address"]: {a["path"] for a in d["attributes"]} for d in report["drifted"]}
    rule, bucket, service = (hand_changes[k]["address"] for k in ("rule", "bucket", "service"))
    # The rule's security group lists its rules in the computed `ingress` attribute, so the same
    # hand change shows there too (as it does on AWS); nothing else may drift.
    group = next(
        r["address"] for r in loop.resources("aws_security_group")
        if r["values"]["id"] == hand_changes["rule"]["values"]["security_group_id"]
    )  # fmt: skip
    assert set(drifted) == {rule, bucket, service, group}
    assert {"from_port", "to_port"} <= drifted[rule]
    assert drifted[bucket] >= {"tags_all.ChangedBy"}
    assert drifted[service] == {"desired_count"}
    assert {path.split("[")[0] for path in drifted[group]} == {"ingress"}
    next_apply = {d["address"]: d["next_apply"] for d in report["drifted"]}
    # desired_count is ignore_changes (autoscaling owns it), and `ingress` is not in the code:
    # the next deploy keeps those.
    assert next_apply == {rule: "reverts", bucket: "reverts", service: "keeps", group: "keeps"}
    assert [p["address"] for p in report["pending_changes"]] == [pending]
    assert report["promotion"]["commit"] == loop.commits["c2"]
    assert report["promotion"]["commits_behind_main"] == 1

    body = (out / "issue-body.md").read_text()
    for address in (rule, bucket, service):
        assert address in body
    pending_section = body.split("Pending code changes (not drift)", 1)[1]
    assert pending in pending_section
    assert "**1 commit(s) behind main**: pending promotion, not drift" in body
    assert not (out / "drift.plan.json").exists(), "the raw plan must not outlive the script"

    loop.run("drift-issue.sh", "dev", str(out))
    issues = json.loads(Path(loop.env["FAKE_GH_STATE"]).read_text())
    assert [(i["number"], i["state"]) for i in issues] == [(1, "open")]
    assert issues[0]["body"] == body


def test_reverting_the_changes_gives_no_drift_and_closes_the_issue(
    loop: Loop, hand_changes: dict[str, Any]
) -> None:
    _change_by_hand(loop, hand_changes, revert=True)

    loop.run("drift-check.sh", "dev")

    out = loop.reports / "drift" / "dev"
    assert (out / "verdict").read_text() == "clean\n"
    report = json.loads((out / "drift-report.json").read_text())
    assert report["drifted"] == []
    # The code change is still pending: listed, and still not drift.
    assert [p["address"] for p in report["pending_changes"]] == [
        hand_changes["log_group"]["address"]
    ]
    loop.run("drift-issue.sh", "dev", str(out))
    issues = json.loads(Path(loop.env["FAKE_GH_STATE"]).read_text())
    assert [(i["number"], i["state"]) for i in issues] == [(1, "closed")]
    assert "found no drift in dev" in issues[0]["comment"]


def test_a_plan_gone_stale_is_refused_and_leaves_the_state_intact(loop: Loop) -> None:
    """Reviewed plan A; meanwhile someone applies plan B; applying A must stop."""
    commit = {"GITHUB_SHA": loop.commits["c3"]}
    loop.deploy_step("plan", **commit)
    plan_a = loop.base / "plan-a.tfplan"
    shutil.copy2(loop.stack_dir / "tfplan", plan_a)
    loop.deploy_step("plan", **commit)  # plan B, applied in between
    loop.deploy_step("apply", **commit)
    before = loop.state_object()
    shutil.copy2(plan_a, loop.stack_dir / "tfplan")

    result, _ = loop.deploy_step("apply", expect=1, **commit)

    assert "Saved plan is stale" in result.stdout + result.stderr
    assert "the reviewed plan for dev is stale" in result.stderr
    assert "Nothing was applied and the state is untouched" in result.stderr
    assert loop.state_object() == before
    lock = loop.client("s3").list_objects_v2(
        Bucket=loop.env["CATALOG_STATE_BUCKET"], Prefix="catalog-api/dev/terraform.tfstate.tflock"
    )
    assert lock.get("KeyCount", 0) == 0, "the refused apply left the state lock behind"


def test_an_interrupted_apply_refuses_older_reruns_and_a_rerun_of_it_finishes(loop: Loop) -> None:
    """Issue 15: the apply job of c3 records c3 as in progress and dies before Terraform ends.
    A re-run of c2's older deploy run is refused; a re-run of c3's own run completes it."""
    c2, c3 = loop.commits["c2"], loop.commits["c3"]
    assert _record(loop)["commit"] == c2
    loop.deploy_step("plan", GITHUB_SHA=c3)
    _, stored = loop.deploy_step("store-plan", GITHUB_SHA=c3)
    (loop.stack_dir / "tfplan").unlink()
    job = {"GITHUB_SHA": c3, "PLAN_SHA256": stored["plan_sha256"], "PLAN_KEY": stored["plan_key"]}
    for step in ("fetch-plan", "check-order", "record-start"):
        loop.deploy_step(step, **job)
    # ... the runner is lost here: no apply result, no `record`.
    before = loop.state_object()

    older = {"GITHUB_SHA": c2, "PLAN_SHA256": "0" * 64, "PLAN_KEY": f"plans/dev/{c2}.tfplan"}
    for step in ("check-order", "record-start"):
        result, _ = loop.deploy_step(step, expect=1, **older)
        assert "whose apply started and did not complete" in result.stderr
        assert c3[:12] in result.stderr
    assert loop.state_object() == before
    assert (_record(loop)["commit"], _record(loop)["status"]) == (c3, "in-progress")

    for step in ("check-order", "record-start", "apply", "record"):
        loop.deploy_step(step, **job)
    record = _record(loop)
    assert (record["commit"], record["status"]) == (c3, "applied")
    assert record["plan_sha256"] == stored["plan_sha256"]


def test_plan_exit_codes_from_real_terraform_map_to_verdicts(loop: Loop) -> None:
    """0: no changes, 2: changes; tested on the real stack through scripts/lib/terraform.sh."""
    caller = (
        'set -euo pipefail; root="$ROOT"; source "$ROOT/scripts/lib/terraform.sh"; '
        'terraform_plan "$DIR" verdict.tfplan "$@"'
    )
    env = loop.env | {"ROOT": str(REPO_ROOT), "DIR": str(loop.stack_dir)}

    def verdict(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", caller, "verdict", *args],
            env=env, capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip

    clean = verdict()
    assert (clean.returncode, clean.stdout) == (0, "no-changes\n"), clean.stderr
    log_group = next(
        iter(
            json.loads((loop.stack_dir / "cdk.tf.json").read_text())["resource"][
                "aws_cloudwatch_log_group"
            ]
        )
    )
    (loop.stack_dir / "loop_verdict_override.tf.json").write_text(
        json.dumps(
            {"resource": {"aws_cloudwatch_log_group": {log_group: {"retention_in_days": 60}}}}
        )
    )
    try:
        changed = verdict()
    finally:
        (loop.stack_dir / "loop_verdict_override.tf.json").unlink()
    assert (changed.returncode, changed.stdout) == (0, "changes\n"), changed.stderr


def test_a_failing_plan_is_never_no_drift(loop: Loop) -> None:
    """The zone the stack looks up disappears: Terraform errors, and no verdict is written."""
    route53 = loop.client("route53")
    zone_id = next(
        z["Id"] for z in route53.list_hosted_zones()["HostedZones"]
        if z["Name"] == "catalog.example.com."
    )  # fmt: skip
    out = loop.reports / "drift" / "dev"
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    changes = [
        {"Action": "DELETE", "ResourceRecordSet": r}
        for r in records
        if r["Type"] not in ("NS", "SOA")
    ]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
    route53.delete_hosted_zone(Id=zone_id)

    result, outputs = loop.run("drift-check.sh", "dev", expect=1)

    assert "error: terraform plan failed (exit code 1)" in result.stderr
    assert not (out / "verdict").exists()
    assert "drift" not in outputs
    # With no verdict, drift-issue.sh refuses rather than closing or opening an issue.
    refused, _ = loop.run("drift-issue.sh", "dev", str(out), expect=2)
    assert "verdict not found" in refused.stderr
