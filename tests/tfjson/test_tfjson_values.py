"""The one unknown/sensitive model: UNKNOWN, the merge of after_unknown, and masking."""

from __future__ import annotations

import copy

import pytest

from tfjson.values import (
    KNOWN_AFTER_APPLY,
    SENSITIVE,
    UNKNOWN,
    get_path,
    is_known,
    mask,
    merge_sensitivity,
    merge_unknown,
)


def test_unknown_has_no_truth_value_and_survives_copies() -> None:
    with pytest.raises(TypeError, match="is_known"):
        bool(UNKNOWN)
    assert copy.deepcopy({"a": [UNKNOWN]})["a"][0] is UNKNOWN


def test_merge_unknown_replaces_marked_leaves_and_adds_absent_keys() -> None:
    after = {"name": "x", "tags": {"A": "1"}, "rule": [{"port": 1}]}
    unknown = {"id": True, "tags": {}, "rule": [{"cidr": True}, True], "arn": False}

    merged = merge_unknown(after, unknown)

    assert merged == {
        "name": "x",
        "tags": {"A": "1"},
        "rule": [{"port": 1, "cidr": UNKNOWN}, UNKNOWN],
        "id": UNKNOWN,
    }
    assert "arn" not in merged  # false marks nothing, and adds nothing
    assert after == {"name": "x", "tags": {"A": "1"}, "rule": [{"port": 1}]}  # not mutated


@pytest.mark.parametrize("unknown", [None, False, {}, []])
def test_nothing_unknown_keeps_after_as_it_is(unknown: object) -> None:
    after = {"a": None}
    assert merge_unknown(after, unknown) is after
    assert merge_unknown(None, unknown) is None


def test_is_known_and_get_path_see_through_blocks() -> None:
    values = {"logging": [{"bucket": UNKNOWN}], "tags": {"A": "1"}}
    assert not is_known(values)
    assert is_known(values["tags"])
    assert get_path(values, "logging.bucket") is UNKNOWN
    assert get_path(values, "logging.0.bucket") is UNKNOWN
    assert get_path(values, "tags.A") == "1"
    assert get_path(values, "tags.B", "default") == "default"


def test_mask_replaces_sensitive_leaves_and_whole_subtrees() -> None:
    value = {"user": "app", "password": "s3cret", "nested": {"token": "t0k", "n": 1}, "l": ["a"]}
    sensitive = {"password": True, "nested": True, "l": [False]}

    assert mask(value, sensitive) == {
        "user": "app",
        "password": SENSITIVE,
        "nested": SENSITIVE,
        "l": ["a"],
    }


def test_mask_marks_unknown_values_even_when_absent_from_after() -> None:
    assert mask({"name": "x"}, {}, {"id": True, "arn": True}) == {
        "name": "x",
        "id": KNOWN_AFTER_APPLY,
        "arn": KNOWN_AFTER_APPLY,
    }


def test_mask_output_is_plain_json() -> None:
    import json

    masked = mask({"a": UNKNOWN, "s": "x", "n": None}, {"s": True, "n": True})
    assert json.loads(json.dumps(masked)) == {
        "a": "(known after apply)",
        "s": "(sensitive)",
        "n": None,
    }


def test_sensitivity_trees_merge_as_a_union() -> None:
    assert merge_sensitivity({"a": True}, {"b": {"c": True}}) == {"a": True, "b": {"c": True}}
    assert merge_sensitivity([False], True) is True
    assert merge_sensitivity(None, [True]) == [True]
