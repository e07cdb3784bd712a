"""`pipeline unpack-artifact`: the PR's synthesized stacks are hostile input until checked."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from pipeline.artifact import Limits, unpack
from tests.pipeline.support import assert_one_line_error
from tfjson.reader import InputError

STACK = {
    "terraform": {"backend": {"s3": {"bucket": "b", "key": "catalog-api/dev/terraform.tfstate"}}},
    "resource": {"aws_s3_bucket": {"logs": {"bucket": "x"}}},
}


def make_zip(path: Path, entries: dict[str, bytes | str], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, content in entries.items():
            bundle.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, "/etc/passwd")
    return path


def good_entries() -> dict[str, bytes | str]:
    return {
        "catalog-api-dev/cdk.tf.json": json.dumps(STACK),
        "catalog-api-prod/cdk.tf.json": json.dumps(STACK),
    }


def test_a_clean_artifact_is_unpacked_into_the_plan_layout(run_cli, tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", good_entries())
    out = tmp_path / "untrusted"

    result = run_cli("unpack-artifact", archive, "--output", out)

    assert result.code == 0, result.err
    assert "unpacked 2 stack(s)" in result.out
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["stacks/catalog-api-dev/cdk.tf.json", "stacks/catalog-api-prod/cdk.tf.json"]
    assert json.loads((out / "stacks/catalog-api-dev/cdk.tf.json").read_text()) == STACK


def test_the_stacks_prefix_and_directory_entries_are_accepted(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "a.zip",
        {"stacks/": "", "stacks/catalog-api-dev/": "", "stacks/catalog-api-dev/cdk.tf.json": "{}"},
    )
    assert unpack(archive, tmp_path / "out") == ["catalog-api-dev"]


def test_what_is_written_is_what_was_parsed(tmp_path: Path) -> None:
    """Re-serialized: comments-by-whitespace or odd encodings never reach Terraform."""
    raw = '{"resource":   {"aws_s3_bucket": {"b": {"bucket": "\\u0078"}}}}'
    archive = make_zip(tmp_path / "a.zip", {"s/cdk.tf.json": raw})
    unpack(archive, tmp_path / "out")
    written = (tmp_path / "out/stacks/s/cdk.tf.json").read_text(encoding="utf-8")
    assert json.loads(written) == {"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}}
    assert written != raw


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"../evil/cdk.tf.json": "{}"}, "only <stack>/cdk.tf.json"),
        ({"/etc/cdk.tf.json": "{}"}, "only <stack>/cdk.tf.json"),
        ({"catalog-api-dev\\cdk.tf.json": "{}"}, "only <stack>/cdk.tf.json"),
        ({"catalog-api-dev/main.tf": 'resource "x" "y" {}'}, "only <stack>/cdk.tf.json"),
        ({"catalog-api-dev/evil.tf.json": "{}"}, "only <stack>/cdk.tf.json"),
        ({"catalog-api-dev/terraform.tfvars.json": "{}"}, "only <stack>/cdk.tf.json"),
        ({"a/b/cdk.tf.json": "{}"}, "only <stack>/cdk.tf.json"),
        ({"Catalog/cdk.tf.json": "{}"}, "only <stack>/cdk.tf.json"),
        ({"x/../cdk.tf.json": "{}"}, "only <stack>/cdk.tf.json"),
        ({"s/cdk.tf.json": "not json"}, "invalid JSON"),
        ({"s/cdk.tf.json": b"\xff\xfe{}"}, "not UTF-8"),
        ({"s/cdk.tf.json": "[1, 2]"}, "expected a JSON object"),
        ({"s/cdk.tf.json": '{"resource": {}, "resource": {}}'}, "duplicate key 'resource'"),
        ({"s/cdk.tf.json": '{"data": {"http": {"a": {}, "a": {}}}}'}, "duplicate key 'a'"),
        ({"s/cdk.tf.json": '{"locals": {"x": NaN}}'}, "NaN is not JSON"),
        ({"s/cdk.tf.json": '{"format_version": "1.2"}'}, "not Terraform JSON configuration"),
        ({"evil/": ""}, "no <stack>/cdk.tf.json"),
        ({}, "no <stack>/cdk.tf.json"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_hostile_artifacts_are_refused_and_nothing_is_written(
    run_cli, tmp_path: Path, entries: dict[str, str], message: str
) -> None:
    archive = make_zip(tmp_path / "a.zip", {"ok/cdk.tf.json": "{}", **entries})
    if not entries or entries == {"evil/": ""}:
        archive = make_zip(tmp_path / "a.zip", entries)
    out = tmp_path / "out"

    result = run_cli("unpack-artifact", archive, "--output", out)

    assert_one_line_error(result, message)
    assert not out.exists() or not any(out.rglob("*"))


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep = '{"locals": ' + "[" * 5000 + "]" * 5000 + "}"
    archive = make_zip(tmp_path / "a.zip", {"s/cdk.tf.json": deep})
    with pytest.raises(InputError, match="nested"):
        unpack(archive, tmp_path / "out", limits=Limits(compression_ratio=10**6))


def test_a_link_entry_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", good_entries(), symlink="catalog-api-qa/cdk.tf.json")
    with pytest.raises(InputError, match="links are not allowed"):
        unpack(archive, tmp_path / "out")


def test_a_repeated_stack_is_refused(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "a.zip", {"s/cdk.tf.json": "{}", "stacks/s/cdk.tf.json": '{"data": {}}'}
    )
    with pytest.raises(InputError, match="appears twice"):
        unpack(archive, tmp_path / "out")


def test_size_limits(tmp_path: Path) -> None:
    # Numbers that do not repeat: compresses about 3:1, like real stacks do.
    big = json.dumps({"locals": {"x": [i * 7919 % 100003 for i in range(1200)]}})
    archive = make_zip(tmp_path / "a.zip", {"s/cdk.tf.json": big})
    with pytest.raises(InputError, match="more than the 100 allowed"):
        unpack(archive, tmp_path / "o1", limits=Limits(zip_bytes=100))
    with pytest.raises(InputError, match="bytes, more than 1000"):
        unpack(archive, tmp_path / "o2", limits=Limits(member_bytes=1000))
    with pytest.raises(InputError, match="compression ratio above 2:1"):
        unpack(archive, tmp_path / "o3", limits=Limits(compression_ratio=2))
    many = make_zip(tmp_path / "m.zip", {f"s{i}/cdk.tf.json": "{}" for i in range(5)})
    with pytest.raises(InputError, match="5 entries, more than the 4 allowed"):
        unpack(many, tmp_path / "o4", limits=Limits(members=4))
    with pytest.raises(InputError, match="once unpacked"):
        unpack(
            make_zip(tmp_path / "t.zip", {"a/cdk.tf.json": big, "b/cdk.tf.json": big}),
            tmp_path / "o5",
            limits=Limits(total_bytes=len(big) + 10),
        )


def test_a_forged_size_header_does_not_bypass_the_member_cap(tmp_path: Path) -> None:
    """The header says 10 bytes; inflating yields more, and the reader stops at the cap."""
    payload = json.dumps({"locals": {"x": "a" * 4000}}).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as bundle:
        bundle.writestr("s/cdk.tf.json", payload)
    data = bytearray(buffer.getvalue())
    # Rewrite the central directory's uncompressed size (offset 24 in the entry) to 10.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    archive = tmp_path / "forged.zip"
    archive.write_bytes(bytes(data))
    with pytest.raises((InputError, zipfile.BadZipFile)):
        unpack(archive, tmp_path / "out", limits=Limits(member_bytes=1000))
    assert not (tmp_path / "out" / "stacks").exists()


@pytest.mark.parametrize("case", ["not-a-zip", "missing", "output-not-empty"])
def test_bad_arguments(run_cli, tmp_path: Path, case: str) -> None:
    archive = make_zip(tmp_path / "a.zip", good_entries())
    out = tmp_path / "out"
    expected = {
        "not-a-zip": "not a zip archive",
        "missing": "no such file",
        "output-not-empty": "must be a new or empty directory",
    }[case]
    if case == "not-a-zip":
        archive.write_text("{}", encoding="utf-8")
    elif case == "missing":
        archive = tmp_path / "nope.zip"
    else:
        out.mkdir()
        (out / "keep").write_text("x", encoding="utf-8")
    assert_one_line_error(run_cli("unpack-artifact", archive, "--output", out), expected)
    if case == "output-not-empty":
        assert (out / "keep").read_text(encoding="utf-8") == "x"


def _with_comment(path: Path) -> Path:
    with zipfile.ZipFile(path, "a") as bundle:
        bundle.comment = b"[profile pwn]\ncredential_process = id\n"
    return path


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: p.write_bytes(b"[profile pwn]\ncredential_process = id\n" + p.read_bytes()),
         "bytes before the first zip entry"),
        (lambda p: p.write_bytes(p.read_bytes() + b"\n[profile pwn]\n"),
         "bytes after the zip archive"),
        (_with_comment, "bytes after the zip archive or an archive comment"),
    ],
    ids=["ini-prefix", "trailing-bytes", "archive-comment"],
)  # fmt: skip
def test_a_zip_that_is_also_another_file_is_refused(tamper, message: str, tmp_path: Path) -> None:
    """Python's zipfile accepts bytes before the archive and a comment; an INI reader would
    read the same file as a shared config file with a credential_process (issue 15)."""
    archive = make_zip(tmp_path / "a.zip", good_entries())
    tamper(archive)
    assert zipfile.is_zipfile(archive)  # the reader alone would have taken it
    with pytest.raises(InputError, match=message):
        unpack(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
