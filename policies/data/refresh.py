"""Regenerate ``policies/data/rds_engine_versions.json`` (rule AT006) from the RDS API.

    pipenv run python -m policies.data.refresh [REGION ...] [--engine ENGINE ...]

For each region and engine it calls ``rds:DescribeDBEngineVersions`` (read-only; the plan role
may call it) and records the versions a new database can be created with there; deprecated
versions are left out, as the API does by default. The file is replaced only when every call
succeeded, so a failure loses no data. Review the diff and commit it.

Credentials and endpoint come from the usual AWS sources (environment, profile, role);
``AWS_ENDPOINT_URL`` points it elsewhere (the tests use a stub).
Exit codes: 0 written, 1 an AWS call failed, 2 bad arguments. Errors are one line on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from facts.aws import SUPPORTED_REGIONS

PROG = "refresh-rds-engine-versions"
DATA_FILE = Path(__file__).resolve().parent / "rds_engine_versions.json"
DEFAULT_ENGINES = ("aurora-postgresql", "aurora-mysql", "postgres", "mysql")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_ENGINE = re.compile(r"^[a-z][a-z0-9-]*$")


class RefreshError(Exception):
    """An AWS call failed; the message is one line naming the region and engine."""


ClientFactory = Callable[[str], Any]


def _rds_client(region: str) -> Any:
    import boto3  # deferred: --help and bad arguments need no AWS SDK

    return boto3.client("rds", region_name=region)


def version_key(version: str) -> list[tuple[int, int, str]]:
    """Numeric parts compare as numbers: 16.10 sorts after 16.6."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split(".")]


def fetch(
    regions: Iterable[str], engines: Iterable[str], *, client_for: ClientFactory | None = None
) -> dict[str, dict[str, list[str]]]:
    """region -> engine -> sorted versions; RefreshError on the first failed call."""
    from botocore.exceptions import BotoCoreError, ClientError

    offered: dict[str, dict[str, list[str]]] = {}
    for region in sorted(set(regions)):
        client = (client_for or _rds_client)(region)
        offered[region] = {}
        for engine in sorted(set(engines)):
            click.echo(f"describe-db-engine-versions {region} {engine}", err=True)
            versions: set[str] = set()
            try:
                pages = client.get_paginator("describe_db_engine_versions").paginate(Engine=engine)
                for page in pages:
                    versions |= {
                        v["EngineVersion"]
                        for v in page.get("DBEngineVersions", ())
                        if "EngineVersion" in v
                    }
            except (BotoCoreError, ClientError) as exc:
                raise RefreshError(f"{region} {engine}: {' '.join(str(exc).split())}") from None
            offered[region][engine] = sorted(versions, key=version_key)
    return offered


def document(offered: dict[str, dict[str, list[str]]], *, today: dt.date) -> dict[str, Any]:
    return {
        "source": (
            "rds:DescribeDBEngineVersions (deprecated versions excluded) for every region and "
            "engine listed, written by `python -m policies.data.refresh`"
        ),
        "as_of": today.isoformat(),
        "generated_by": "python -m policies.data.refresh",
        "regions": offered,
    }


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("regions", nargs=-1, metavar="[REGION]...")
@click.option(
    "--engine",
    "engines",
    multiple=True,
    metavar="ENGINE",
    help=f"Engine to record; repeat it. Default: {' '.join(DEFAULT_ENGINES)}.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DATA_FILE,
    show_default="policies/data/rds_engine_versions.json",
    help="File to write.",
)
def command(regions: tuple[str, ...], engines: tuple[str, ...], output: Path) -> None:
    """Record the RDS engine versions each REGION offers (default: the supported regions).

    The new file holds exactly these regions and engines: to add a region, pass it together
    with every region you keep (AT006 warns about, and no longer checks, a region the file
    does not have).
    """
    regions = regions or SUPPORTED_REGIONS
    engines = engines or DEFAULT_ENGINES
    for region in regions:
        if not _REGION.match(region):
            raise click.UsageError(f"'{region}' is not an AWS region name")
    for engine in engines:
        if not _ENGINE.match(engine):
            raise click.UsageError(f"'{engine}' is not an RDS engine name")
    if not output.parent.is_dir():
        raise click.UsageError(f"{output.parent}: no such directory")
    offered = fetch(regions, engines)
    write_atomically(output, document(offered, today=dt.datetime.now(dt.UTC).date()))
    click.echo(f"wrote {output}: {len(offered)} regions x {len(set(engines))} engines", err=True)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        command.main(args=argv, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(f"{PROG}: error: {exc.format_message()}", err=True)
        return 2
    except RefreshError as exc:
        click.echo(f"{PROG}: error: {exc}", err=True)
        return 1
    except OSError as exc:
        click.echo(f"{PROG}: error: cannot write: {exc}", err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
