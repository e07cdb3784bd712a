"""Where a rule lives: its module matches its ``service``, and the lazy-loading map is exact."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from policies.registry import SERVICES
from policies.rules import MODULES, all_rules, module_of, modules_for

RULES_DIR = Path(__file__).resolve().parents[3] / "policies" / "rules"
# Rules that span services or sit at the Terraform level get one module per concern.
CROSS_CUTTING = {
    "names",
    "tags",
    "encryption",
    "plaintext_secrets",
    "destructive",
    "plan_replacements",
    "backend",
    "trust_boundary",
}
RULES = all_rules()


def _home(rule_module: str) -> str:
    """``policies.rules.ecs.services`` -> ``ecs``."""
    return rule_module.split(".")[2]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_each_rule_lives_in_the_module_of_its_service(rule) -> None:
    home = _home(module_of(rule))
    if home in CROSS_CUTTING:
        assert rule.service in ("aws", "terraform"), f"{rule.id} is about {rule.service}"
        return
    assert rule.service in SERVICES
    assert home == ("lambda_" if rule.service == "lambda" else rule.service)


def test_every_rule_module_is_in_the_map_and_every_map_entry_exists() -> None:
    on_disk = {
        path.stem if path.is_file() else path.name
        for path in RULES_DIR.iterdir()
        if not path.name.startswith(("_", "."))
        and (path.suffix == ".py" or (path / "__init__.py").is_file())
    }
    assert set(MODULES) == on_disk


def test_the_map_names_exactly_the_resource_types_of_each_module() -> None:
    found: dict[str, set[str]] = {name: set() for name in MODULES}
    document_level: set[str] = set()
    for rule in RULES:
        home = _home(module_of(rule))
        found[home] |= set(rule.resource_types)
        if not rule.resource_types or any(not t.startswith("aws_") for t in rule.resource_types):
            document_level.add(home)
    for name, types in MODULES.items():
        if name in CROSS_CUTTING:
            assert types is None, f"{name} spans services: always imported (None)"
        else:
            assert name not in document_level, f"{name} reads the document: make it cross-cutting"
            assert types is not None and set(types) == found[name], name


def test_a_document_of_one_service_loads_only_its_modules_and_the_document_level_ones() -> None:
    wanted = modules_for({"aws_sqs_queue"})
    always = {name for name, types in MODULES.items() if types is None}
    assert "sqs" in wanted and "ecs" not in wanted and always <= set(wanted)
    assert {r.id for r in all_rules({"aws_sqs_queue"})} >= {"AT321", "SEC010"}
    assert "AT003" not in {r.id for r in all_rules({"aws_sqs_queue"})}


def test_the_registry_imports_no_rule_module() -> None:
    registry = RULES_DIR.parent / "registry.py"
    imported = {
        node.module or ""
        for node in ast.walk(ast.parse(registry.read_text()))
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(ast.parse(registry.read_text()))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not any(name.startswith("policies.rules") for name in imported)
    importlib.import_module("policies.registry")  # and it imports on its own
