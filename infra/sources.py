"""The infra/ line that constructed each resource, recorded at synth into its ``//`` metadata.

Reviewers read Python; the gate's tools speak of synthesized JSON. So every resource and data
source in ``cdk.tf.json`` carries where it came from, beside cdktf's own metadata::

    "//": {"metadata": {"path": ..., "uniqueId": ...},
           "source": {"file": "infra/components/database.py", "line": 70}}

Terraform ignores ``//``; the record travels with the file, so a copied or edited stack still
maps. It is captured at construction time, while ``SourceMappedApp.recording()`` is active:
every construct's JS object is created through one hook (``jsii.create``), which walks the
Python stack to the innermost frame under infra/ that runs a construct's own code
(``__init__``, another method, or a loop or comprehension inside one). A module-level helper
(``block_all_public_access``) is skipped, so its resources map to the helper's call site in
the component. The hook makes no jsii call: the construct path is built in Python from each
construction's scope and id, as the constructs library builds ``node.path`` (asking jsii for
each resource's path would cost ~5% of synth).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import jsii
from cdktf import App, TerraformDataSource, TerraformResource
from constructs import Construct

from tfjson.source import METADATA_KEY, SOURCE_KEY, SourceLine

REPO_ROOT = Path(__file__).resolve().parent.parent
INFRA_DIR = REPO_ROOT / "infra"
# What constructs.Node does to an id: the path separator and the address separator become "--".
_ID_SEPARATORS = ("/", "\n")
_BLOCK_KINDS = ("resource", "data")


def _sanitize_id(construct_id: str) -> str:
    for separator in _ID_SEPARATORS:
        construct_id = construct_id.replace(separator, "--")
    return construct_id


def _child_path(parent: str, construct_id: str) -> str:
    child = _sanitize_id(construct_id)
    return f"{parent}/{child}" if parent else child


class _FrameLocator:
    """Finds the construction's line; per-code-object answers are cached (frames repeat)."""

    def __init__(self, infra_dir: Path, repo_root: Path) -> None:
        self._infra_dir = infra_dir
        self._repo_root = repo_root
        self._files: dict[CodeType, str | None] = {}
        self._construct_code: dict[CodeType, bool] = {}

    def _file(self, code: CodeType) -> str | None:
        if code not in self._files:
            path = Path(code.co_filename).resolve()
            # Only real modules: "<string>" (exec'd code) resolves against the working
            # directory, which is infra/ when the cdktf CLI runs main.py.
            inside = (
                path.suffix == ".py"
                and path.is_relative_to(self._infra_dir)
                and path != Path(__file__).resolve()
            )
            self._files[code] = path.relative_to(self._repo_root).as_posix() if inside else None
        return self._files[code]

    def _is_construct_code(self, frame: FrameType) -> bool:
        """Code of a Construct subclass: a method, or a comprehension/closure inside one."""
        code = frame.f_code
        if code not in self._construct_code:
            owner = frame.f_globals.get(code.co_qualname.split(".", 1)[0])
            self._construct_code[code] = isinstance(owner, type) and issubclass(owner, Construct)
        return self._construct_code[code]

    def locate(self, frame: FrameType | None) -> SourceLine | None:
        innermost: SourceLine | None = None
        while frame is not None:
            file = self._file(frame.f_code)
            if file is not None:
                here = SourceLine(file=file, line=frame.f_lineno)
                if self._is_construct_code(frame):
                    return here
                innermost = innermost or here
            frame = frame.f_back
        # No construct on the stack (a resource built by a plain function): its innermost line.
        return innermost


class SourceMappedApp(App):
    """An App whose ``synth()`` also writes each resource's construction line into its ``//``.

    Build the stacks inside ``with app.recording():``; constructs made outside it stay unmapped
    (their findings fall back to the JSON location).
    """

    def __init__(self, *, outdir: str) -> None:
        super().__init__(outdir=outdir)
        # Construct path (as in "//".metadata.path) -> where it was constructed.
        self.sources: dict[str, SourceLine] = {}

    @contextmanager
    def recording(self) -> Iterator[None]:
        locator = _FrameLocator(INFRA_DIR, REPO_ROOT)
        # id(construct) -> (construct, path); holding the construct keeps its id from being reused.
        paths: dict[int, tuple[Any, str]] = {id(self): (self, "")}
        original_create = jsii.create

        def create_and_record(klass: type, obj: Any, args: list[Any] | None = None) -> Any:
            created = original_create(klass, obj, args)
            if isinstance(obj, Construct) and args and len(args) >= 2:
                parent = paths.get(id(args[0]))
                if parent is not None and isinstance(args[1], str):
                    path = _child_path(parent[1], args[1])
                    paths[id(obj)] = (obj, path)
                    if isinstance(obj, TerraformResource | TerraformDataSource):
                        source = locator.locate(sys._getframe(1))
                        if source is not None:
                            self.sources[path] = source
            return created

        # Every construct's constructor (a binding's, or Construct.__init__ reached through
        # super() from our components) creates its JS object with jsii.create(cls, self,
        # [scope, id, ...]) before any child exists, so this one hook sees the whole tree.
        # It is removed again when the block ends.
        jsii.create = create_and_record
        try:
            yield
        finally:
            jsii.create = original_create

    def synth(self) -> None:
        super().synth()
        write_sources(Path(self.outdir), self.sources)


def annotate_stack(stack: dict[str, Any], sources: Mapping[str, SourceLine]) -> tuple[int, int]:
    """Add ``source`` to the ``//`` of every resource/data block whose path was recorded.

    Returns (mapped, total) over the stack's resource and data blocks.
    """
    mapped = total = 0
    for kind in _BLOCK_KINDS:
        for blocks in (stack.get(kind) or {}).values():
            for body in blocks.values():
                total += 1
                metadata = body.get(METADATA_KEY) if isinstance(body, dict) else None
                path = (metadata or {}).get("metadata", {}).get("path")
                source = sources.get(path) if isinstance(path, str) else None
                if source is not None:
                    metadata[SOURCE_KEY] = source.to_json()
                    mapped += 1
    return mapped, total


def write_sources(outdir: Path, sources: Mapping[str, SourceLine]) -> None:
    """Rewrite each synthesized stack of ``outdir`` (per its manifest) with the sources."""
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    for stack in manifest.get("stacks", {}).values():
        stack_file = outdir / stack["synthesizedStackPath"]
        document = json.loads(stack_file.read_text(encoding="utf-8"))
        annotate_stack(document, sources)
        # The layout cdktf writes (two-space indent, no final newline), so diffs stay readable.
        stack_file.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
