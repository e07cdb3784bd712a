"""Where ``terraform init`` can get the AWS provider from, and what that means for a run.

Order: the public registry when it answers; otherwise a filesystem mirror named by
``TF_PROVIDER_MIRROR``; otherwise a mirror found on this machine by a bounded search. A mirror
is a directory in Terraform's filesystem-mirror layout
(``<dir>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_v…``,
or the packed ``…/aws/terraform-provider-aws_<version>_<os_arch>.zip``).

Used by the gate's terraform step (validate only with the pinned version) and by the real-
Terraform test tier (which may relax the pin to the mirror's version, and says so).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
ENV_PROVIDER_MIRROR = "TF_PROVIDER_MIRROR"
REGISTRY_URL = "https://registry.terraform.io/.well-known/terraform.json"

# Terraform's implied local mirror directories (CLI configuration docs), then common places
# an administrator or an image puts a mirror. The search never leaves these roots.
_SEARCH_ROOTS = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt",
    "/usr/local",
    "/srv",
    "~",
)
# <root>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/<binary> is 6 levels below root.
_MAX_DEPTH = 7
_PRUNE = frozenset(
    {
        "proc",
        "sys",
        "dev",
        "node_modules",
        ".git",
        "__pycache__",
        "site-packages",
        ".venv",
        ".venv-checkov",
        ".cache",
        ".npm",
        "cdktf.out",
    }
)
_UNPACKED_BINARY = re.compile(r"^terraform-provider-aws_v(?P<version>\d+\.\d+\.\d+[^_]*)(_x\d+)?$")
_PACKED_ARCHIVE = re.compile(
    r"^terraform-provider-aws_(?P<version>\d+\.\d+\.\d+[^_]*)_(?P<platform>[a-z0-9]+_[a-z0-9]+)\.zip$"
)


@dataclass(frozen=True, kw_only=True)
class ProviderSource:
    """Where the AWS provider comes from for this run."""

    kind: str  # "registry" | "mirror" | "none"
    origin: str  # how it was found, for messages: "registry", "$TF_PROVIDER_MIRROR", "search"
    mirror: Path | None = None
    versions: tuple[str, ...] = field(default_factory=tuple)  # mirror versions for `platform`

    def offers(self, version: str) -> bool:
        return self.kind == "registry" or version in self.versions

    def describe(self) -> str:
        if self.kind == "registry":
            return "the provider registry"
        if self.kind == "mirror":
            return (
                f"the filesystem mirror {self.mirror} ({self.origin}) with "
                f"hashicorp/aws {', '.join(self.versions)}"
            )
        return "no provider source (registry unreachable, no mirror found)"


def platform_name(terraform_version_json: str) -> str:
    """``linux_amd64`` from ``terraform version -json`` output (the platform it installs for)."""
    try:
        return str(json.loads(terraform_version_json)["platform"])
    except (ValueError, KeyError, TypeError):
        return "linux_amd64"


def registry_reachable(*, url: str = REGISTRY_URL, timeout: float = 3.0) -> bool:
    """True when the registry's discovery document answers; any network error is False."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def mirror_versions(mirror: Path, *, platform: str) -> tuple[str, ...]:
    """Versions of hashicorp/aws the mirror holds for ``platform``, oldest first."""
    provider_dir = mirror / PROVIDER_ADDRESS
    found: set[str] = set()
    if provider_dir.is_dir():
        for entry in provider_dir.iterdir():
            packed = _PACKED_ARCHIVE.match(entry.name)
            if packed and packed["platform"] == platform:
                found.add(packed["version"])
            elif entry.is_dir() and any(
                _UNPACKED_BINARY.match(p.name) for p in _children(entry / platform)
            ):
                found.add(entry.name)
    return tuple(sorted(found, key=_version_key))


def search_mirrors(
    *, roots: tuple[str, ...] = _SEARCH_ROOTS, max_depth: int = _MAX_DEPTH
) -> Iterator[Path]:
    """Mirror directories holding hashicorp/aws under ``roots``, by a bounded walk."""
    seen: set[Path] = set()
    for root in roots:
        start = Path(root).expanduser()
        if not start.is_dir():
            continue
        for binary in _walk_for_provider(start, max_depth=max_depth):
            mirror = _mirror_root(binary)
            if mirror is not None and mirror not in seen:
                seen.add(mirror)
                yield mirror


def discover(
    environ: Mapping[str, str],
    *,
    platform: str,
    check_registry: bool = True,
    roots: tuple[str, ...] = _SEARCH_ROOTS,
) -> ProviderSource:
    """The first usable source, in the documented order."""
    if check_registry and registry_reachable():
        return ProviderSource(kind="registry", origin="registry")
    named = environ.get(ENV_PROVIDER_MIRROR, "").strip()
    if named:
        mirror = Path(named).expanduser().resolve()
        return ProviderSource(
            kind="mirror",
            origin=f"${ENV_PROVIDER_MIRROR}",
            mirror=mirror,
            versions=mirror_versions(mirror, platform=platform),
        )
    for mirror in search_mirrors(roots=roots):
        versions = mirror_versions(mirror, platform=platform)
        if versions:
            return ProviderSource(kind="mirror", origin="search", mirror=mirror, versions=versions)
    return ProviderSource(kind="none", origin="none")


def cli_config(mirror: Path) -> str:
    """A Terraform CLI configuration that installs hashicorp/aws from ``mirror`` only.

    Every other provider still goes to the registry (there are none in our stacks; the
    built-in ``terraform_data`` needs no provider).
    """
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        f"    include = [{json.dumps(PROVIDER_ADDRESS)}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{json.dumps(PROVIDER_ADDRESS)}]\n"
        "  }\n"
        "}\n"
    )


def pinned_aws_version(stack: Mapping[str, object]) -> str | None:
    """The exact version a synthesized stack pins for the AWS provider (None when not exact)."""
    terraform = stack.get("terraform")
    if not isinstance(terraform, Mapping):
        return None
    providers = terraform.get("required_providers")
    if not isinstance(providers, Mapping):
        return None
    aws = providers.get("aws")
    if not isinstance(aws, Mapping):
        return None
    version = str(aws.get("version", "")).strip().removeprefix("=").strip()
    return version if re.fullmatch(r"\d+\.\d+\.\d+", version) else None


def version_override(version: str) -> dict[str, object]:
    """An ``*_override.tf.json`` body that replaces the AWS provider constraint by ``version``."""
    return {
        "terraform": {
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": version}}
        }
    }


def _children(directory: Path) -> list[Path]:
    try:
        return list(directory.iterdir())
    except OSError:
        return []


def _walk_for_provider(start: Path, *, max_depth: int) -> Iterator[Path]:
    stack = [(start, 0)]
    while stack:
        directory, depth = stack.pop()
        for entry in _children(directory):
            name = entry.name
            if name.startswith("terraform-provider-aws"):
                if entry.is_file():
                    yield entry
                continue
            if depth + 1 < max_depth and name not in _PRUNE and _is_real_dir(entry):
                stack.append((entry, depth + 1))


def _is_real_dir(path: Path) -> bool:
    try:
        return path.is_dir() and not path.is_symlink()
    except OSError:
        return False


def _mirror_root(binary: Path) -> Path | None:
    """The mirror directory a provider file lives in, when it is in a mirror layout."""
    parts = binary.parts
    suffix = tuple(PROVIDER_ADDRESS.split("/"))
    if _UNPACKED_BINARY.match(binary.name) and len(parts) >= 6 and parts[-6:-3] == suffix:
        return Path(*parts[:-6])
    if _PACKED_ARCHIVE.match(binary.name) and len(parts) >= 4 and parts[-4:-1] == suffix:
        return Path(*parts[:-4])
    return None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])
