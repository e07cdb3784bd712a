"""The deploy's apply retries Terraform's lock-release race and nothing else (lock_race.py).

The real race, with real Terraform, is in tests/terraform/test_deploy_lock_race.py; here the
decision and the time budget, over Terraform's real output and variations of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import lock_race
from pipeline.lock_race import Attempt, apply_with_race_retry, is_lock_release_race

RACE = (Path(__file__).parent / "fixtures" / "lock-race" / "race.txt").read_text(encoding="utf-8")
PLAIN_RACE = re.sub(r"\x1b\[[0-9;]*m", "", RACE)
GET_404 = (
    "unable to retrieve file from S3 bucket 'catalog-api-terraform-state' with\n"
    "│ key 'catalog-api/dev/terraform.tfstate.tflock': operation error S3:\n"
    "│ GetObject, https response error StatusCode: 404, RequestID:\n"
    "│ aKtZHWIvTccrhhyjuRYH6bFMsMvZlRtuwhGmt4QNlwlk08ds19ZJ, HostID:\n"
    "│ 9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg=,\n"
    "│ NoSuchKey: \n"
)
HELD = PLAIN_RACE.replace(
    GET_404,
    "Lock Info:\n│   ID:        0d6c3f35-5b1e-4f0c-9d0e-5a5f0e4b1c11\n"
    "│   Path:      catalog-api-terraform-state/catalog-api/dev/terraform.tfstate\n"
    "│   Operation: OperationTypeApply\n│   Who:       runner@ci\n",
)


def test_the_fixture_is_the_race_as_terraform_prints_it() -> None:
    assert "\x1b[" in RACE and GET_404 in PLAIN_RACE and HELD != PLAIN_RACE


@pytest.mark.parametrize(
    ("output", "race"),
    [
        pytest.param(RACE, True, id="real-output-with-colours"),
        pytest.param(PLAIN_RACE, True, id="real-output-no-color"),
        pytest.param(HELD, False, id="lock-really-held-shows-its-info"),
        pytest.param(
            PLAIN_RACE.replace("StatusCode: 404", "StatusCode: 403").replace(
                "NoSuchKey", "AccessDenied"
            ),
            False,
            id="lock-unreadable-403",
        ),
        pytest.param(PLAIN_RACE.replace(".tflock'", "'"), False, id="nosuchkey-on-another-key"),
        pytest.param(
            PLAIN_RACE.replace("StatusCode: 412", "StatusCode: 403").replace(
                "PreconditionFailed", "AccessDenied"
            ),
            False,
            id="put-denied-not-412",
        ),
        pytest.param(
            PLAIN_RACE + "\n╷\n│ Error: Saved plan is stale\n╵\n", False, id="another-error-too"
        ),
        pytest.param("╷\n│ Error: Saved plan is stale\n╵\n", False, id="stale-plan"),
        pytest.param(
            "╷\n│ Error: reading S3 Object (x): operation error S3: GetObject, https response "
            "error StatusCode: 404, NoSuchKey\n╵\n",
            False,
            id="nosuchkey-elsewhere",
        ),
        pytest.param("", False, id="no-output"),
    ],
)
def test_only_the_race_is_recognised(output: str, race: bool) -> None:
    assert is_lock_release_race(output) is race


class FakeTerraform:
    """Answers each apply with the next scripted attempt and advances the clock."""

    def __init__(self, attempts: list[tuple[Attempt, float]]) -> None:
        self.attempts = attempts
        self.calls: list[list[str]] = []
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def run(self, args: list[str]) -> Attempt:
        self.calls.append(args)
        attempt, seconds = self.attempts[len(self.calls) - 1]
        self.now += seconds
        return attempt


RACED = Attempt(returncode=1, output=RACE)
APPLIED = Attempt(
    returncode=0, output="Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
)


def _apply(fake: FakeTerraform, timeout: str = "5m") -> tuple[int, list[str]]:
    said: list[str] = []
    code = apply_with_race_retry(
        chdir="/stack",
        plan="tfplan",
        lock_timeout=timeout,
        run=fake.run,
        say=said.append,
        clock=fake.clock,
    )
    return code, said


def test_after_the_race_it_applies_again_within_what_is_left_of_the_timeout() -> None:
    fake = FakeTerraform([(RACED, 13.4), (RACED, 30.0), (APPLIED, 5.0)])
    code, said = _apply(fake)
    assert code == 0
    assert [c[-2] for c in fake.calls] == [
        "-lock-timeout=5m",
        "-lock-timeout=286s",
        "-lock-timeout=256s",
    ]
    assert all(c[:4] == ["terraform", "-chdir=/stack", "apply", "-input=false"] for c in fake.calls)
    assert all(c[-1] == "tfplan" for c in fake.calls)
    assert len(said) == 2 and "nothing was applied" in said[0]


def test_the_race_after_the_timeout_has_run_out_is_not_retried() -> None:
    fake = FakeTerraform([(RACED, 299.5)])
    code, said = _apply(fake)
    assert (code, len(fake.calls)) == (1, 1)
    assert "timeout has run out" in said[0]


@pytest.mark.parametrize(
    "failure",
    [
        Attempt(returncode=1, output=HELD),
        Attempt(returncode=1, output="╷\n│ Error: Saved plan is stale\n╵\n"),
        Attempt(returncode=1, output="╷\n│ Error: creating S3 Bucket: AccessDenied\n╵\n"),
        Attempt(returncode=2, output=""),
    ],
    ids=["lock-held-past-timeout", "stale-plan", "apply-error", "crash"],
)
def test_any_other_failure_is_returned_at_once(failure: Attempt) -> None:
    fake = FakeTerraform([(failure, 1.0)])
    code, said = _apply(fake)
    assert (code, len(fake.calls), said) == (failure.returncode, 1, [])


def test_a_zero_timeout_never_retries() -> None:
    fake = FakeTerraform([(RACED, 0.2)])
    assert _apply(fake, "0s")[0] == 1 and len(fake.calls) == 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5m", 300),
        ("120s", 120),
        ("1m30s", 90),
        ("1.5h", 5400),
        ("0s", 0),
        ("0", 0),
        ("250ms", 0.25),
    ],
)
def test_lock_timeouts_read_like_terraform_reads_them(text: str, seconds: float) -> None:
    assert lock_race.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5 minutes", "m", "-5m", "5m!", "5d"])
def test_a_bad_lock_timeout_is_refused(text: str) -> None:
    with pytest.raises(lock_race.UsageError):
        lock_race.parse_duration(text)


@pytest.mark.parametrize(
    "args",
    [
        ["--chdir", "d", "--plan", "p", "--lock-timeout", "5m"],
        ["--chdir", "d", "--plan", "p", "--lock-timeout", "soon", "--log", "l"],
        ["--chdir", "d", "--plan", "p", "--lock-timeout", "5m", "--log", "l", "--force"],
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert lock_race.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not list(tmp_path.iterdir())
