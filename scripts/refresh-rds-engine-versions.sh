#!/usr/bin/env bash
# Regenerate policies/data/rds_engine_versions.json (used by rule AT006) from the RDS API.
#
# Usage:
#   scripts/refresh-rds-engine-versions.sh [REGION ...]
#
#   REGION   regions to record (default: eu-north-1 eu-west-1 eu-central-1, the regions
#            infra/config.py supports). Engines: $RDS_ENGINES, default
#            "aurora-postgresql aurora-mysql postgres mysql". The new file holds exactly these
#            regions and engines, so to add a region pass it together with every region you
#            keep (AT006 warns, and no longer checks, for a region the file does not have).
#
# Needs the AWS CLI v2 and credentials allowed to call rds:DescribeDBEngineVersions (read-only;
# the plan role is enough). For each region and engine it runs
#
#   aws rds describe-db-engine-versions --region R --engine E \
#       --query 'DBEngineVersions[].EngineVersion' --output json
#
# which lists the versions a new database can be created with in that region (deprecated
# versions are left out unless --include-all is given, which we do not want). The result
# replaces the data file only when every call succeeded, so a failure loses no data.
# Review the diff and commit it; the file records the date and the command in source/as_of.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUTPUT="${RDS_ENGINE_VERSIONS_FILE:-$ROOT/policies/data/rds_engine_versions.json}"
read -r -a ENGINES <<<"${RDS_ENGINES:-aurora-postgresql aurora-mysql postgres mysql}"
if [[ $# -gt 0 ]]; then
  REGIONS=("$@")
else
  REGIONS=(eu-north-1 eu-west-1 eu-central-1)
fi

die() {
  echo "refresh-rds-engine-versions: $*" >&2
  exit 2
}

command -v aws >/dev/null 2>&1 || die "the AWS CLI (aws) is not installed"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to write the JSON"
for region in "${REGIONS[@]}"; do
  [[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$ ]] || die "'$region' is not an AWS region name"
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for region in "${REGIONS[@]}"; do
  for engine in "${ENGINES[@]}"; do
    echo "describe-db-engine-versions $region $engine" >&2
    if ! aws rds describe-db-engine-versions --region "$region" --engine "$engine" \
      --query 'DBEngineVersions[].EngineVersion' --output json \
      >"$WORK/$region.$engine.json" 2>"$WORK/error"; then
      die "$region $engine: $(tr '\n' ' ' <"$WORK/error")"
    fi
  done
done

python3 - "$WORK" "$OUTPUT" "${REGIONS[@]}" -- "${ENGINES[@]}" <<'PY'
import datetime
import json
import os
import sys

work, output, *rest = sys.argv[1:]
split = rest.index("--")
regions, engines = rest[:split], rest[split + 1 :]


def version_key(version: str) -> list:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split(".")]


data = {
    "source": (
        "aws rds describe-db-engine-versions --region R --engine E "
        "--query 'DBEngineVersions[].EngineVersion' for every region and engine listed, "
        "written by scripts/refresh-rds-engine-versions.sh"
    ),
    "as_of": datetime.date.today().isoformat(),
    "generated_by": "scripts/refresh-rds-engine-versions.sh",
    "regions": {},
}
for region in sorted(regions):
    data["regions"][region] = {}
    for engine in sorted(engines):
        with open(os.path.join(work, f"{region}.{engine}.json"), encoding="utf-8") as handle:
            versions = json.load(handle) or []
        data["regions"][region][engine] = sorted(set(versions), key=version_key)

temporary = output + ".tmp"
with open(temporary, "w", encoding="utf-8") as handle:
    json.dump(data, handle, indent=2)
    handle.write("\n")
os.replace(temporary, output)
print(f"wrote {output}: {len(regions)} regions x {len(engines)} engines", file=sys.stderr)
PY
