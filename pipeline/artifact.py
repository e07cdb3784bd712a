"""Unpack the PR workflow's synthesized stacks: untrusted input, checked before anything reads it.

pr.yml (``pull_request``, no credentials) uploads ``cdktf.out/stacks/*/cdk.tf.json``; pr-plan.yml
(``workflow_run``, from the default branch) downloads that artifact as a zip and plans it with an
AWS role. Whoever wrote the PR wrote the artifact, so it is read here as hostile:

- framing: the file starts with the first entry and ends with the end-of-central-directory
  record, with no archive comment: bytes before or after the archive (text a reader of another
  format would see, e.g. an INI file in front of it) are refused;
- size: the zip, each member and their sum are capped; compression ratios are capped and the
  bytes actually read are counted (a header can lie);
- paths: only ``<stack>/cdk.tf.json`` (optionally under ``stacks/``), stack names of lowercase
  letters, digits and dashes; no absolute paths, ``..``, backslashes, links or duplicates;
- content: UTF-8 JSON objects without duplicate keys (Terraform's JSON reader would see both
  copies of a repeated key where Python sees one, so the policy check could miss one), without
  NaN/Infinity, and only Terraform's top-level block names;
- output: each stack is written back from the parsed value to ``OUTPUT/stacks/<stack>/
  cdk.tf.json``, so Terraform reads exactly the JSON the policy check read. Nothing is written
  unless every member passes.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from pipeline.files import write_text
from tfjson.kind import CONFIG_KEYS
from tfjson.reader import InputError

MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_MEMBER_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024
MAX_MEMBERS = 32
# Synthesized Terraform JSON compresses about 10:1; a zip bomb compresses thousands to one.
MAX_COMPRESSION_RATIO = 100
MAX_DEPTH = 64  # deeper JSON than any stack needs; keeps the walk below far from recursion limits

_MEMBER = re.compile(r"(?:stacks/)?([a-z0-9][a-z0-9-]{0,62})/cdk\.tf\.json")
_DIRECTORY = re.compile(r"(?:stacks/)?(?:[a-z0-9][a-z0-9-]{0,62}/)?")
# Terraform's JSON configuration syntax: its top-level keys, defined once in tfjson.
TOP_LEVEL_KEYS = CONFIG_KEYS


@dataclass(frozen=True, kw_only=True)
class Limits:
    zip_bytes: int = MAX_ZIP_BYTES
    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    members: int = MAX_MEMBERS
    compression_ratio: int = MAX_COMPRESSION_RATIO


def unpack(archive: Path, output: Path, *, limits: Limits = Limits()) -> list[str]:
    """Check ``archive`` completely, then write its stacks under ``output``; the stack names."""
    if not archive.is_file():
        raise InputError(f"{archive}: no such file")
    size = archive.stat().st_size
    if size > limits.zip_bytes:
        raise InputError(f"{archive}: {size} bytes, more than the {limits.zip_bytes} allowed")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise InputError(f"{output}: must be a new or empty directory")
    if not zipfile.is_zipfile(archive):
        raise InputError(f"{archive}: not a zip archive")
    _check_framing(archive)
    stacks: dict[str, Any] = {}
    try:
        with zipfile.ZipFile(archive) as bundle:
            if bundle.comment:
                raise InputError(f"{archive}: archive comments are not allowed")
            members = bundle.infolist()
            if len(members) > limits.members:
                raise InputError(
                    f"{archive}: {len(members)} entries, more than the {limits.members} allowed"
                )
            total = 0
            for member in members:
                stack = _check_member(member, limits)
                if stack is None:
                    continue  # a directory entry
                if stack in stacks:
                    raise InputError(f"{member.filename}: stack {stack} appears twice")
                data = _read(bundle, member, limits)
                total += len(data)
                if total > limits.total_bytes:
                    raise InputError(
                        f"{archive}: more than {limits.total_bytes} bytes once unpacked"
                    )
                stacks[stack] = parse_stack(member.filename, data)
    except zipfile.BadZipFile as exc:
        raise InputError(f"{archive}: damaged zip archive ({exc})") from None
    if not stacks:
        raise InputError(f"{archive}: no <stack>/cdk.tf.json in the artifact")
    for stack, document in sorted(stacks.items()):
        write_stack(output / "stacks" / stack / "cdk.tf.json", document)
    return sorted(stacks)


def write_stack(path: Path, document: dict[str, Any]) -> None:
    """A stack file as the PR-plan path writes every one: indented UTF-8 JSON."""
    write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


_LOCAL_HEADER = b"PK\x03\x04"
_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22


def _check_framing(archive: Path) -> None:
    """The archive's first bytes are its first entry; its last 22 the end record, no comment.

    Python's zipfile, like most readers, finds an archive from its end and accepts anything in
    front of it; a file that is both a zip and, say, an INI file must never reach Terraform.
    """
    with archive.open("rb") as stream:
        head = stream.read(4)
        stream.seek(-_END_RECORD_SIZE, 2)
        tail = stream.read(_END_RECORD_SIZE)
    if head not in (_LOCAL_HEADER, _END_RECORD):  # an empty archive is only its end record
        raise InputError(f"{archive}: bytes before the first zip entry are not allowed")
    if not tail.startswith(_END_RECORD) or tail[-2:] != b"\x00\x00":
        raise InputError(f"{archive}: bytes after the zip archive or an archive comment")


def _check_member(member: zipfile.ZipInfo, limits: Limits) -> str | None:
    name = member.filename
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise InputError(f"{name!r}: links are not allowed in the artifact")
    if member.is_dir():
        if not _DIRECTORY.fullmatch(name):
            raise InputError(f"{name!r}: unexpected directory in the artifact")
        return None
    match = _MEMBER.fullmatch(name)
    if not match:
        raise InputError(
            f"{name!r}: only <stack>/cdk.tf.json entries are allowed "
            "(stack names: lowercase letters, digits and dashes)"
        )
    if member.flag_bits & 0x1:
        raise InputError(f"{name!r}: encrypted entries are not allowed")
    if member.file_size > limits.member_bytes:
        raise InputError(f"{name!r}: {member.file_size} bytes, more than {limits.member_bytes}")
    if member.file_size > max(member.compress_size, 1) * limits.compression_ratio:
        raise InputError(f"{name!r}: compression ratio above {limits.compression_ratio}:1")
    return match.group(1)


def _read(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> bytes:
    """The member's bytes, counted as they are inflated: a forged header cannot bypass the cap."""
    chunks: list[bytes] = []
    read = 0
    with bundle.open(member) as stream:
        while chunk := stream.read(64 * 1024):
            read += len(chunk)
            if read > limits.member_bytes:
                raise InputError(f"{member.filename!r}: more than {limits.member_bytes} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_stack(name: str, data: bytes) -> dict[str, Any]:
    """One stack file of a PR, parsed strictly: UTF-8, no repeated keys, no NaN, bounded depth."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name!r}: not UTF-8") from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise InputError(f"{name!r}: JSON nested too deeply") from None
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise InputError(f"{name!r}: invalid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise InputError(f"{name!r}: expected a JSON object at the top level")
    unknown = sorted(set(document) - TOP_LEVEL_KEYS)
    if unknown:
        raise InputError(f"{name!r}: not Terraform JSON configuration (keys {unknown})")
    if _depth(document) > MAX_DEPTH:
        raise InputError(f"{name!r}: JSON nested more than {MAX_DEPTH} levels")
    return document


def _depth(value: Any) -> int:
    depth, level = 0, [value]
    while level:
        depth += 1
        following: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                following.extend(item.values())
            elif isinstance(item, list):
                following.extend(item)
        level = following
    return depth - 1


@click.command("unpack-artifact")
@click.argument("archive", metavar="ZIP", type=click.Path(path_type=Path))
@click.option(
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="New or empty directory; the stacks go to OUTPUT/stacks/<stack>/cdk.tf.json.",
)
def unpack_artifact_command(archive: Path, output: Path) -> int:
    """Check the PR's synthesized-stacks artifact (untrusted) and unpack it if it is safe."""
    stacks = unpack(archive, output)
    click.echo(f"unpacked {len(stacks)} stack(s) to {output}/stacks: {', '.join(stacks)}")
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(unpack_artifact_command)
