"""The real-Terraform test tier's machinery: moto, fake credentials, test-only overrides.

Nothing here is product code. The product's stacks are used as synth writes them; the test
points them at moto only through ``*_override.tf.json`` files dropped next to ``cdk.tf.json``
(Terraform merges those last) and through the standard AWS environment variables.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MOTO_EMULATOR = Path(__file__).with_name("moto_emulator.py")
FAKE_ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "eu-north-1"
MIN_TERRAFORM = (1, 10)
# moto's random generator is seeded with this before the state key is created, so every
# module's fresh emulator hands out the same key id the session synthesized into the backend.
MOTO_SEED = 8
ENDPOINTS_OVERRIDE = "moto_endpoints_override.tf.json"
VERSION_OVERRIDE = "provider_version_override.tf.json"
# The provider's `endpoints` names for every AWS service our stacks use (including the data
# sources). AWS_ENDPOINT_URL also points at moto, as a catch-all for anything not listed.
PROVIDER_ENDPOINT_SERVICES = (
    "acm",
    "appautoscaling",
    "cloudfront",
    "cloudwatch",
    "cloudwatchlogs",
    "ec2",
    "ecs",
    "elbv2",
    "iam",
    "kms",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sts",
)
# Variables that could make Terraform, the provider or boto3 use real credentials or a
# real endpoint; the tier removes them from every subprocess environment.
_AWS_VARIABLE = re.compile(r"^(AWS_|TF_VAR_|TF_CLI_ARGS|TF_CLI_CONFIG_FILE$|TF_LOG|TF_DATA_DIR$)")


class HarnessError(RuntimeError):
    """The test environment could not be set up (not a product failure)."""


def terraform_version(binary: str) -> tuple[tuple[int, ...], str, str]:
    """(numeric version, version text, platform) of the terraform binary."""
    output = subprocess.run(
        [binary, "version", "-json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**_clean_environ(os.environ), "CHECKPOINT_DISABLE": "1"},
    ).stdout
    try:
        data = json.loads(output)
        text = str(data["terraform_version"])
        platform = str(data.get("platform", "linux_amd64"))
    except (ValueError, KeyError):
        return (0,), "unknown", "linux_amd64"
    numbers = tuple(int(n) for n in re.findall(r"\d+", text)[:3])
    return numbers, text, platform


def assert_loopback(url: str) -> str:
    """``url`` itself, or an error when it could reach anything but this machine."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost" or (host and ipaddress.ip_address(host).is_loopback):
        return url
    raise HarnessError(f"refusing a non-loopback AWS endpoint: {url}")


def _clean_environ(environ: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in environ.items() if not _AWS_VARIABLE.match(k)}


# werkzeug's start-up line, with the port the kernel gave moto's listening socket.
_MOTO_LISTENING = re.compile(r"Running on http://127\.0\.0\.1:(\d+)")


@dataclass
class MotoServer:
    """One moto server process on 127.0.0.1 (with the emulator additions of moto_emulator)."""

    endpoint: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    def start(cls, *, log_path: Path, python: str = sys.executable) -> MotoServer:
        """Start moto on a port the kernel picks as moto binds it (``-p 0``); the port is read
        from moto's own start-up line. Choosing a free port first and passing it on leaves a
        window in which another process (another xdist worker's moto, a provider plugin) takes
        it, and a readiness probe of that port could then reach the other process's server."""
        # The log is appended to: only what this start writes may name the port.
        offset = log_path.stat().st_size if log_path.exists() else 0
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [python, str(MOTO_EMULATOR), "-H", "127.0.0.1", "-p", "0"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={
                    **_clean_environ(os.environ),
                    "PYTHONUNBUFFERED": "1",
                    # AWS managed policies (ReadOnlyAccess, PowerUserAccess) the bootstrap
                    # attaches; moto loads them only when asked.
                    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
                    # moto keeps a DNS-validated certificate PENDING_VALIDATION for 60 s by
                    # default; nothing here tests that wait, and each deploy would sit it out.
                    "MOTO_ACM_VALIDATION_WAIT": "0",
                },
            )
        server = cls(endpoint="", process=process, log_path=log_path)
        try:
            port = server._wait_for_port(offset=offset, timeout=180)  # slow import under load
            server.endpoint = f"http://127.0.0.1:{port}"
            server._wait_ready(timeout=60)
        except HarnessError as exc:
            server.stop()
            raise HarnessError(f"moto server did not start: {exc} (log: {log_path})") from None
        return server

    def _wait_for_port(self, *, offset: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                found = _MOTO_LISTENING.search(log.read().decode("utf-8", errors="replace"))
            if found:
                return int(found.group(1))
            if self.process.poll() is not None:
                raise HarnessError(f"moto exited with code {self.process.returncode}")
            time.sleep(0.2)
        raise HarnessError(f"moto named no port within {timeout:.0f}s")

    def _wait_ready(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HarnessError(f"moto exited with code {self.process.returncode}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=2),
            ):
                return
            time.sleep(0.2)
        raise HarnessError(f"moto did not answer on {self.endpoint} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def post(self, path: str) -> None:
        request = urllib.request.Request(f"{self.endpoint}{path}", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def reset(self) -> None:
        """Forget every emulated resource, then reseed moto's random ids (see MOTO_SEED)."""
        self.post("/moto-api/reset")
        self.post(f"/moto-api/seed?a={MOTO_SEED}")


def aws_environ(base: Mapping[str, str], *, endpoint: str) -> dict[str, str]:
    """``base`` without real AWS settings, with fake credentials and every endpoint at moto."""
    environ = _clean_environ(base)
    environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts any; nothing real is reachable
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": assert_loopback(endpoint),
            "AWS_EC2_METADATA_DISABLED": "true",
            # No credential or config files: an empty path, never the user's ~/.aws.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
        }
    )
    return environ


def boto3_client(service: str, *, endpoint: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=assert_loopback(endpoint),
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def provider_aliases(stack: Mapping[str, Any]) -> list[str | None]:
    """The aliases of the stack's aws provider blocks (None for the default one)."""
    blocks = stack.get("provider", {}).get("aws", [])
    if isinstance(blocks, dict):
        blocks = [blocks]
    return [block.get("alias") for block in blocks] or [None]


def endpoints_override(stack: Mapping[str, Any], *, endpoint: str) -> dict[str, Any]:
    """Every aws provider block of ``stack`` sends every service to moto."""
    settings = {
        "endpoints": [{name: assert_loopback(endpoint) for name in PROVIDER_ENDPOINT_SERVICES}],
        "s3_use_path_style": True,
        "skip_metadata_api_check": "true",
        "skip_region_validation": True,
    }
    blocks = []
    for alias in provider_aliases(stack):
        blocks.append({**settings, **({"alias": alias} if alias else {})})
    return {"provider": {"aws": blocks}}


def write_overrides(
    directory: Path, *, stack: Mapping[str, Any], endpoint: str, version_override: dict | None
) -> list[Path]:
    """The test-only override files for ``stack`` in ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / ENDPOINTS_OVERRIDE]
    written[0].write_text(json.dumps(endpoints_override(stack, endpoint=endpoint), indent=2))
    if version_override is not None:
        path = directory / VERSION_OVERRIDE
        path.write_text(json.dumps(version_override, indent=2))
        written.append(path)
    return written


def check_override_endpoints(directory: Path) -> None:
    """Fail unless every endpoint in the directory's override files is loopback."""
    for path in directory.glob("*_override.tf.json"):
        for block in json.loads(path.read_text()).get("provider", {}).get("aws", []):
            for endpoints in block.get("endpoints", []):
                for url in endpoints.values():
                    assert_loopback(url)


def prepare_stack_dir(
    destination: Path, *, stack_file: Path, overrides_dir: Path | None = None
) -> Path:
    """A working copy of one synthesized stack (cdk.tf.json as synth wrote it) + overrides."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(stack_file, destination / "cdk.tf.json")
    if overrides_dir is not None:
        for override in sorted(overrides_dir.glob("*_override.tf.json")):
            shutil.copy2(override, destination / override.name)
    return destination


def run_terraform(
    args: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 600,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``terraform -chdir=cwd ARGS`` with stdout and stderr combined in ``.stdout``."""
    completed = subprocess.run(
        ["terraform", f"-chdir={cwd}", *args],
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=timeout,
        check=False,
    )
    completed = subprocess.CompletedProcess(
        completed.args, completed.returncode, completed.stdout + completed.stderr, ""
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"terraform {' '.join(args)} failed (exit {completed.returncode}) in {cwd}:\n"
            f"{completed.stdout[-6000:]}"
        )
    return completed


@contextlib.contextmanager
def background_terraform(
    args: list[str], *, cwd: Path, env: Mapping[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A terraform run in the background; killed (never left behind) when the block exits."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["terraform", f"-chdir={cwd}", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@dataclass(frozen=True, kw_only=True)
class SeededAccount:
    """What each module's fresh emulator holds before its tests run."""

    state_bucket: str
    kms_key_arn: str
    hosted_zone: str
    hosted_zone_id: str


def seed_account(
    *,
    endpoint: str,
    state_bucket: str,
    hosted_zone: str,
    expected_key_arn: str | None = None,
    create_bucket: bool = True,
) -> SeededAccount:
    """The state key first (its id depends on MOTO_SEED), then the bucket and the DNS zone.

    The bucket is versioned and encrypted by default with the key, like the bootstrap makes it.
    """
    kms = boto3_client("kms", endpoint=endpoint)
    key_arn = kms.create_key(Description="catalog-api Terraform state (test)")["KeyMetadata"]["Arn"]
    if expected_key_arn is not None and key_arn != expected_key_arn:
        raise HarnessError(
            f"moto created state key {key_arn}, but the stacks were synthesized with "
            f"{expected_key_arn}; the emulator's random seed no longer decides key ids"
        )
    if create_bucket:
        s3 = boto3_client("s3", endpoint=endpoint)
        s3.create_bucket(
            Bucket=state_bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        s3.put_bucket_versioning(Bucket=state_bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(
            Bucket=state_bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": key_arn,
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        )
    zone = boto3_client("route53", endpoint=endpoint).create_hosted_zone(
        Name=hosted_zone, CallerReference=f"catalog-api-tests-{time.time_ns()}"
    )
    return SeededAccount(
        state_bucket=state_bucket,
        kms_key_arn=key_arn,
        hosted_zone=hosted_zone,
        hosted_zone_id=zone["HostedZone"]["Id"].rsplit("/", 1)[-1],
    )
