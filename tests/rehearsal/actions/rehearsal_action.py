"""What the rehearsal's replacement actions do (each action.yml calls one subcommand).

Runs with $REHEARSAL_PYTHON (the test session's interpreter: boto3 and jsonschema), inside an act
job, so GITHUB_* variables describe the job. Everything it records goes under $REHEARSAL_DIR,
where the tests read it; nothing here talks to anything but moto on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import fnmatch
import glob
import json
import os
import sys
import time
import zipfile
from pathlib import Path

RECORDS = Path(os.environ.get("REHEARSAL_DIR", "/nonexistent"))
SARIF_SCHEMA = Path(__file__).parent / "codeql-action" / "upload-sarif" / "sarif-schema-2.1.0.json"
GLOB_CHARS = set("*?[")


def _append(name: str, record: dict) -> None:
    record = {
        "at": time.time(),
        "workflow": os.environ.get("GITHUB_WORKFLOW", ""),
        "job": os.environ.get("GITHUB_JOB", ""),
        "run_id": os.environ.get("GITHUB_RUN_ID", ""),
        "sha": os.environ.get("GITHUB_SHA", ""),
        **record,
    }
    with (RECORDS / name).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


def _outputs(**values: str) -> None:
    with Path(os.environ["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as handle:
        for key, value in values.items():
            handle.write(f"{key}={value}\n")


def _fail(message: str) -> int:
    print(f"::error::{message}")
    return 1


# --- configure-aws-credentials ---------------------------------------------------------------
def assume_role(args: argparse.Namespace) -> int:
    import boto3

    endpoint = os.environ["AWS_ENDPOINT_URL"]  # the rehearsal's moto; never a real endpoint
    if not endpoint.startswith(("http://127.0.0.1:", "http://localhost:")):
        return _fail(f"refusing a non-loopback AWS endpoint {endpoint}")
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=args.region,
        aws_access_key_id="rehearsal",
        aws_secret_access_key="rehearsal",
    )
    # What GitHub's OIDC token would claim (moto does not verify the token).
    claims = {
        "repository": os.environ.get("GITHUB_REPOSITORY", ""),
        "ref": os.environ.get("GITHUB_REF", ""),
        "workflow": os.environ.get("GITHUB_WORKFLOW", ""),
        "job": os.environ.get("GITHUB_JOB", ""),
    }
    credentials = sts.assume_role_with_web_identity(
        RoleArn=args.role,
        RoleSessionName=args.session,
        WebIdentityToken=json.dumps(claims),
    )["Credentials"]
    with Path(os.environ["GITHUB_ENV"]).open("a", encoding="utf-8") as handle:
        handle.write(f"AWS_ACCESS_KEY_ID={credentials['AccessKeyId']}\n")
        handle.write(f"AWS_SECRET_ACCESS_KEY={credentials['SecretAccessKey']}\n")
        handle.write(f"AWS_SESSION_TOKEN={credentials['SessionToken']}\n")
        handle.write(f"AWS_REGION={args.region}\nAWS_DEFAULT_REGION={args.region}\n")
    workspace = Path(os.environ.get("GITHUB_WORKSPACE", "."))
    _append(
        "roles.jsonl",
        {
            "role": args.role,
            "session": args.session,
            "region": args.region,
            # What the job's workspace held at that moment: the PR plan proves the artifact
            # check and the policies ran first by the files they leave.
            "workspace_files": sorted(
                str(p.relative_to(workspace)) for p in workspace.glob("reports/**/*") if p.is_file()
            )
            + (["pr-stacks/"] if (workspace / "pr-stacks").is_dir() else []),
        },
    )
    print(f"rehearsal configure-aws-credentials: assumed {args.role} as {args.session} (moto)")
    return 0


# --- upload-sarif ----------------------------------------------------------------------------
def upload_sarif(args: argparse.Namespace) -> int:
    import jsonschema

    path = Path(args.sarif_file)
    if not path.is_file():
        return _fail(f"no SARIF file at {path}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return _fail(f"{path} is not JSON: {exc}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    _append(
        "sarif.jsonl",
        {
            "file": str(path),
            "category": args.category,
            "valid": not errors,
            "errors": [f"{list(e.absolute_path)}: {e.message}"[:300] for e in errors[:20]],
            "results": sum(len(run.get("results", [])) for run in document.get("runs", []))
            if isinstance(document, dict)
            else 0,
        },
    )
    if errors:
        for error in errors[:20]:
            print(f"::error::{path}: {list(error.absolute_path)}: {error.message[:300]}")
        return 1
    print(f"rehearsal upload-sarif: {path} is valid SARIF 2.1.0 (category {args.category})")
    return 0


# --- upload-artifact / download-artifact ------------------------------------------------------
def _search_path(pattern: str) -> Path:
    """The part of a pattern before its first glob segment (@actions/glob's search path)."""
    parts: list[str] = []
    for part in Path(pattern).parts:
        if GLOB_CHARS & set(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path()


def _matches(pattern: str) -> list[Path]:
    found: list[Path] = []
    # glob.glob, not Path.glob: the pattern may be absolute, like the action's.
    for match in glob.glob(pattern, recursive=True):  # noqa: PTH207
        path = Path(match)
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            found.append(path)
    return found


def _hidden(path: Path) -> bool:
    absolute, workspace = path.resolve(), Path.cwd().resolve()
    relative = absolute.relative_to(workspace) if workspace in absolute.parents else absolute
    return any(part.startswith(".") for part in relative.parts)


def upload_artifact(args: argparse.Namespace) -> int:
    patterns = [line.strip() for line in args.path.splitlines() if line.strip()]
    includes = [p for p in patterns if not p.startswith("!")]
    excludes = [p[1:] for p in patterns if p.startswith("!")]
    files = sorted(
        {
            f.resolve()
            for pattern in includes
            for f in _matches(pattern)
            if not any(fnmatch.fnmatch(str(f), e) for e in excludes)
            # upload-artifact v5 leaves hidden files out unless include-hidden-files.
            and not _hidden(f)
        }
    )
    if not files:
        message = f"no files were found with the provided path: {args.path.strip()}"
        if args.if_no_files_found == "error":
            return _fail(message)
        if args.if_no_files_found == "warn":
            print(f"::warning::{message}. No artifacts will be uploaded.")
        return 0
    # The real action's root: the least common ancestor of the search paths (for one search
    # path that is a file, its directory).
    roots = [_search_path(p).resolve() for p in includes]
    if len(roots) == 1 and roots[0].is_file():
        root = roots[0].parent
    else:
        root = Path(os.path.commonpath([str(r) for r in roots]))
        if root.is_file():
            root = root.parent
    store = RECORDS / "artifacts" / os.environ["GITHUB_RUN_ID"]
    store.mkdir(parents=True, exist_ok=True)
    target = store / f"{args.name}.zip"
    if target.exists():
        return _fail(f"an artifact named {args.name} already exists in run (409 Conflict)")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, str(file.relative_to(root)))
    _append(
        "artifacts.jsonl",
        {
            "action": "upload",
            "name": args.name,
            "entries": [str(f.relative_to(root)) for f in files],
        },
    )
    print(f"rehearsal upload-artifact: {args.name} with {len(files)} file(s), root {root}")
    return 0


def download_artifact(args: argparse.Namespace) -> int:
    store = RECORDS / "artifacts" / os.environ["GITHUB_RUN_ID"]
    destination = Path(args.path or ".")
    if args.name:
        zips = [store / f"{args.name}.zip"]
        if not zips[0].is_file():
            return _fail(f"artifact not found: {args.name}")
        targets = {zips[0]: destination}
    else:
        zips = sorted(
            p for p in store.glob("*.zip") if fnmatch.fnmatch(p.stem, args.pattern or "*")
        )
        targets = {z: destination / z.stem for z in zips}
    for archive_path, target in targets.items():
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(archive_path) as archive:
            archive.extractall(target)
        _append("artifacts.jsonl", {"action": "download", "name": archive_path.stem})
    print(f"rehearsal download-artifact: {len(targets)} artifact(s) into {destination}")
    return 0


# --- cache -------------------------------------------------------------------------------------
def cache_restore(args: argparse.Namespace) -> int:
    path = Path(args.path.strip())
    entry = RECORDS / "cache" / path.as_posix().strip("/").replace("/", "__")
    hit = entry.is_dir() and any(entry.iterdir())
    if args.lookup_only == "true":
        _append("cache.jsonl", {"path": str(path), "key": args.key, "hit": hit, "lookup": True})
        _outputs(**{"cache-hit": "true" if hit else "false"})
        print(f"rehearsal cache: lookup only, {'hit' if hit else 'miss'} for {path}")
        return 0
    if path.exists() or path.is_symlink():
        print(f"rehearsal cache: {path} already exists; left as it is")
    elif hit:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(entry.resolve(), target_is_directory=True)
    _append("cache.jsonl", {"path": str(path), "key": args.key, "hit": hit})
    _outputs(**{"cache-hit": "true" if hit else "false"})
    if hit:
        print(f"rehearsal cache: hit, {path} -> {entry} (key {args.key})")
    else:
        print(f"rehearsal cache: miss for {path} (key {args.key}); nothing restored or saved")
    return 0


def cache_save(args: argparse.Namespace) -> int:
    path = Path(args.path.strip())
    if not path.exists():
        return _fail(f"cache save: {path} does not exist")
    _append("cache.jsonl", {"path": str(path), "key": args.key, "save": True})
    print(f"rehearsal cache: save of {path} (key {args.key}) recorded; nothing is stored")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("assume-role")
    sub.add_argument("--role", required=True)
    sub.add_argument("--session", required=True)
    sub.add_argument("--region", required=True)
    sub.set_defaults(run=assume_role)
    sub = commands.add_parser("upload-sarif")
    sub.add_argument("--sarif-file", required=True)
    sub.add_argument("--category", default="")
    sub.set_defaults(run=upload_sarif)
    sub = commands.add_parser("upload-artifact")
    sub.add_argument("--name", required=True)
    sub.add_argument("--path", required=True)
    sub.add_argument("--if-no-files-found", default="warn")
    sub.set_defaults(run=upload_artifact)
    sub = commands.add_parser("download-artifact")
    sub.add_argument("--name", default="")
    sub.add_argument("--pattern", default="")
    sub.add_argument("--path", default="")
    sub.set_defaults(run=download_artifact)
    sub = commands.add_parser("cache-restore")
    sub.add_argument("--path", required=True)
    sub.add_argument("--key", required=True)
    sub.add_argument("--lookup-only", choices=("true", "false"), default="false")
    sub.set_defaults(run=cache_restore)
    sub = commands.add_parser("cache-save")
    sub.add_argument("--path", required=True)
    sub.add_argument("--key", required=True)
    sub.set_defaults(run=cache_save)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
