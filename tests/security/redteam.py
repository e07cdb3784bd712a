"""The PR-plan path as pr-plan.yml runs it, driven with a hostile artifact and canaries.

``PrPlanRun`` repeats the workflow's two steps on a zip, in a fresh directory:

1. "Check the stacks": ``pipeline pr-stack`` (``pipeline unpack-artifact`` on a checkout from
   before the boundary existed, so the same test can be run there), then the policy pack; on a
   refusal, the refusal comment is rendered as the workflow does;
2. "Plan the checked stacks": ``scripts/plan.sh --env dev --stacks-dir``, then the comment is
   appended to the job summary.

Every step runs with canaries in its environment: fake AWS credentials, a session token and an
OIDC request token and URL. After a run, ``leaks()`` lists every canary value (plain or base64)
found in any output: step logs, reports, comment, summary, the unpacked stacks, the plan.
``Listener`` stands in for the attacker's endpoint on 127.0.0.1 and counts connections.
"""

from __future__ import annotations

import base64
import io
import json
import socket
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fixture_paths import REPO_ROOT

ENV = "dev"
STACK = "catalog-api-dev"
MEMBER = f"stacks/{STACK}/cdk.tf.json"
CANARIES = {
    "AWS_ACCESS_KEY_ID": "AKIACANARY7Q2W4E6R8T",
    "AWS_SECRET_ACCESS_KEY": "canary-secret-key-5b9d1f3a7c",
    "AWS_SESSION_TOKEN": "canary-session-token-8e2c4a6b",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "canary-oidc-request-token-3f7a",
    "ACTIONS_RUNTIME_TOKEN": "canary-runtime-token-9c1e",
}


def _encodings(value: str) -> set[str]:
    """``value`` and its base64 forms at each alignment (the stable inner part)."""
    forms = {value}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + value.encode()).decode()
        forms.add(encoded[4:-4])
    return forms


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection (the attacker's endpoint)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    data = conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 500 no\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                except OSError:
                    data = b""
            self.connections.append(data)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def zip_bytes(document: Any, *, prefix: bytes = b"", raw: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(MEMBER, raw if raw is not None else json.dumps(document, indent=1))
    return prefix + buffer.getvalue()


@dataclass
class Step:
    name: str
    returncode: int
    output: str


@dataclass
class PrPlanRun:
    base: Path
    env: dict[str, str]
    steps: list[Step] = field(default_factory=list)
    planned: bool = False
    attacker_ran: bool = False  # set by the test: whether the attacker's provider was started

    @property
    def zip_path(self) -> Path:
        return self.base / "pr-stacks.zip"

    @property
    def reports(self) -> Path:
        return self.base / "reports" / "plan" / ENV

    @property
    def canary_file(self) -> Path:
        return self.base / "pwned"

    def _run(self, name: str, args: list[str], *, extra: dict[str, str] | None = None) -> Step:
        result = subprocess.run(
            args,
            cwd=self.base,
            env={**self.env, **(extra or {})},
            capture_output=True,
            text=True,
            check=False,
            timeout=1200,
        )
        step = Step(name, result.returncode, result.stdout + result.stderr)
        self.steps.append(step)
        return step

    def pipeline(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "pipeline", *args]

    def has_pr_stack(self) -> bool:
        probe = subprocess.run(
            self.pipeline("pr-stack", "--help"),
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            check=False,
            timeout=120,
        )
        return probe.returncode == 0

    def run(self, archive: bytes) -> PrPlanRun:
        """Both steps of the plan job, stopping where the workflow stops."""
        self.zip_path.write_bytes(archive)
        self.reports.mkdir(parents=True)
        check_log = self.reports / "artifact-check.log"
        if self.has_pr_stack():
            unpack = self.pipeline("pr-stack", str(self.zip_path), "--env", ENV)
        else:  # the workflow before the boundary existed
            unpack = self.pipeline("unpack-artifact", str(self.zip_path))
        step = self._run("unpack", [*unpack, "--output", str(self.base / "pr-stacks")])
        check_log.write_text(step.output)
        status = step.returncode
        if status == 0:
            policies = [sys.executable, "-m", "policies", "check", str(self.base / "pr-stacks")]
            findings = [
                "--format",
                "markdown",
                "--output",
                str(self.reports / "artifact-policies.md"),
            ]
            status = self._run("policies", [*policies, *findings, "--format", "text"]).returncode
        if status != 0:
            comment = [
                "plan-comment", "--env", ENV, "--refused", str(check_log),
                "--findings", str(self.reports / "artifact-policies.md"),
                "--output", str(self.reports / "comment.md"),
            ]  # fmt: skip
            self._run("refusal comment", self.pipeline(*comment))
            self._summary()
            return self
        self.planned = True
        self._run(
            "plan",
            ["bash", str(REPO_ROOT / "scripts" / "plan.sh"), "--env", ENV,
             "--stacks-dir", str(self.base / "pr-stacks")],
            extra={"REPORTS_DIR": str(self.base / "reports")},
        )  # fmt: skip
        self._summary()
        return self

    def _summary(self) -> None:
        comment = self.reports / "comment.md"
        if comment.is_file():
            (self.base / "step-summary.md").write_text(comment.read_text())

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    def leaks(self) -> list[str]:
        """Every (canary name, where) found in a step's output or a file under the run."""
        found: list[str] = []
        haystacks = [(f"step {s.name}", s.output) for s in self.steps]
        for path in sorted(self.base.rglob("*")):
            if path.is_file() and ".terraform" not in path.parts:
                haystacks.append(
                    (str(path.relative_to(self.base)), path.read_text("utf-8", "replace"))
                )
        for name, value in CANARIES.items():
            forms = _encodings(value)
            for where, text in haystacks:
                if any(form in text for form in forms):
                    found.append(f"{name} in {where}")
        return found
