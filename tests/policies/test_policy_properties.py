"""Property tests: whatever bytes arrive, the CLI answers 0, 1 or 2 and never crashes."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.cli import run
from tfjson.kind import CONFIG_KEYS, PLAN_KEYS

FIXTURES = Path(__file__).parent / "fixtures"
SEED_FILES = [
    FIXTURES / "plan_stateful_replace.json",
    FIXTURES / "scenario_ecs_launch_type_with_capacity_provider_strategy.tf.json",
    FIXTURES / "scenario_s3_backend_encrypt_false_unknown_argument.tf.json",
]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)
# Random JSON rarely looks like Terraform; these keys steer it into the loader's deeper paths.
terraform_keys = st.sampled_from(
    [
        *sorted(CONFIG_KEYS),
        *PLAN_KEYS,
        "format_version",
        "change",
        "after",
        "after_unknown",
        "actions",
        "address",
        "type",
        "backend",
        "s3",
        "aws",
        "aws_s3_bucket",
        "configuration",
        "root_module",
    ]
)
terraform_like = st.recursive(
    scalars | terraform_keys,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(terraform_keys | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=40,
)


def check_file(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(["check", str(path), "--format", "json"])
    return code, err.getvalue()


def assert_contract(code: int, err: str) -> None:
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    # Neither the CLI ("policies: error: internal error") nor a rule ("policies: internal
    # error: rule ...") may crash on any input: bad input is a one-line error, nothing else.
    assert "internal error" not in err, err
    if code == 2:
        assert err.startswith("policies: error:"), err
        assert err.count("\n") == 1, err
    else:
        assert err == "", err


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property-inputs")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values | terraform_like)
def test_arbitrary_json_gives_0_1_or_2(workdir: Path, value: Any) -> None:
    path = workdir / "input.tf.json"
    path.write_text(json.dumps(value))
    assert_contract(*check_file(path))


@settings(max_examples=150, deadline=None)
@given(
    seed=st.sampled_from(SEED_FILES),
    fraction=st.floats(min_value=0.0, max_value=1.0),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_truncated_files_give_0_1_or_2(
    workdir: Path, seed: Path, fraction: float, encoding: str
) -> None:
    raw = seed.read_text(encoding="utf-8").encode(encoding)
    path = workdir / "truncated.json"
    path.write_bytes(raw[: int(len(raw) * fraction)])
    assert_contract(*check_file(path))


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_give_0_1_or_2(workdir: Path, raw: bytes) -> None:
    path = workdir / "bytes.json"
    path.write_bytes(raw)
    assert_contract(*check_file(path))
