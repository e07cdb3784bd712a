"""The unknown cases of a table row, for the table test and the catalog test.

Every value in which a row's failing and passing examples differ is what makes the row fire;
made UNKNOWN (a reference, a value known after apply), it must not fire.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from policies.model import UNKNOWN
from policies.toolkit.rows import Row

_Path = tuple[Any, ...]


def _differences(failing: Any, passing: Any, path: _Path = ()) -> Iterator[_Path]:
    """Paths at which ``failing`` differs from ``passing``.

    Where a nested object has different keys (a map such as Lambda's environment variables),
    the whole object is the difference: its keys are what the rule reads.
    """
    if isinstance(failing, Mapping) and isinstance(passing, Mapping):
        if path and set(failing) != set(passing):
            yield path
            return
        for key in failing:
            if key not in passing:
                yield (*path, key)
            else:
                yield from _differences(failing[key], passing[key], (*path, key))
        for key in passing:
            if key not in failing:
                yield (*path, key)  # made UNKNOWN below: "might be set"
        return
    if isinstance(failing, list) and isinstance(passing, list) and len(failing) == len(passing):
        for index, (a, b) in enumerate(zip(failing, passing, strict=True)):
            yield from _differences(a, b, (*path, index))
        return
    if failing != passing:
        yield path


def _with_unknown(values: Mapping[str, Any], path: _Path) -> dict[str, Any]:
    copied = copy.deepcopy(dict(values))
    target: Any = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = UNKNOWN
    return copied


def unknown_variants(row: Row) -> list[tuple[str, dict[str, Any]]]:
    """The row's unknown cases: its failing example with ONE differing value made UNKNOWN.

    Every value in which the failing and the passing example differ is what makes the row
    fire; unknown (a reference, a value known after apply) it must not fire. The table test
    runs these, and the catalog test requires at least one.
    """
    return [
        (".".join(str(p) for p in path), _with_unknown(row.failing, path))
        for path in _differences(row.failing, row.passing)
    ]
