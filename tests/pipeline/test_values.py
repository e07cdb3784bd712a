"""Attribute diffs: masked with the sensitivity tree, unknowns shown as known after apply."""

from __future__ import annotations

from pipeline.values import diff_attributes, format_path
from tfjson.values import KNOWN_AFTER_APPLY, SENSITIVE, merge_sensitivity, merge_unknown


def test_sensitive_on_either_side_masks_both_sides() -> None:
    merged = merge_sensitivity({"a": True}, {"b": {"c": True}})

    changes = diff_attributes(
        {"a": "old-a", "b": {"c": "old-c"}},
        {"a": "new-a", "b": {"c": "new-c"}},
        sensitive=merged,
    )

    assert [(c.path, c.before, c.after) for c in changes] == [
        ("a", SENSITIVE, SENSITIVE),
        ("b.c", SENSITIVE, SENSITIVE),
    ]


def test_unchanged_sensitive_value_is_not_reported() -> None:
    assert diff_attributes({"p": "same"}, {"p": "same"}, sensitive={"p": True}) == []


def test_nested_lists_and_maps_are_diffed_per_leaf() -> None:
    changes = diff_attributes(
        {"rule": [{"port": 443, "cidrs": ["10.0.0.0/8"]}], "tags": {"A": "1"}},
        {"rule": [{"port": 22, "cidrs": ["0.0.0.0/0"]}], "tags": {"A": "1", "B c": "2"}},
    )

    assert [(c.path, c.before, c.after) for c in changes] == [
        ("rule[0].port", 443, 22),
        ("rule[0].cidrs", ["10.0.0.0/8"], ["0.0.0.0/0"]),
        ('tags["B c"]', None, "2"),
    ]


def test_a_block_that_appears_is_one_change() -> None:
    changes = diff_attributes({"logging": None}, {"logging": {"bucket": "b", "prefix": "p"}})

    assert [(c.path, c.after) for c in changes] == [("logging", {"bucket": "b", "prefix": "p"})]


def test_unknown_after_apply() -> None:
    after = merge_unknown({"x": 1}, {"id": True})

    changes = diff_attributes({"id": "1", "x": 1}, after)

    assert [(c.path, c.before, c.after) for c in changes] == [("id", "1", KNOWN_AFTER_APPLY)]


def test_unknown_sensitive_value_shows_that_it_changes_not_what_it_was() -> None:
    after = merge_unknown({"password": None}, {"password": True})

    changes = diff_attributes({"password": "old"}, after, sensitive={"password": True})

    assert [(c.path, c.before, c.after) for c in changes] == [
        ("password", SENSITIVE, KNOWN_AFTER_APPLY)
    ]


def test_format_path() -> None:
    assert format_path(("a", 0, "b-c", "d e")) == 'a[0].b-c["d e"]'
    assert format_path(()) == "(whole value)"
