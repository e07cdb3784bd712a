"""policies.toolkit.prior_state: what exists before a plan applies and who uses what, by value."""

from __future__ import annotations

from policies.toolkit.prior_state import PriorState, deleted_identifiers


def _plan(root, **extra):
    return {"prior_state": {"values": {"root_module": root}}, **extra}


ROOT = {
    "resources": [
        {"address": "aws_security_group.app", "mode": "managed", "type": "aws_security_group",
         "values": {"id": "sg-1", "name": "app"}},
        {"address": "aws_lb_listener.http", "mode": "managed", "type": "aws_lb_listener",
         "values": {"default_action": [{"forward": [{"target_group": [{"arn": "arn:tg"}]}],
                                        "target_group_arn": ""}]}},
        {"address": "data.aws_security_group.app", "mode": "data", "type": "aws_security_group",
         "values": {"id": "sg-1", "vpc_security_group_ids": ["sg-1"]}},
    ],
    "child_modules": [
        {"address": "module.net", "resources": [
            {"address": "module.net.aws_network_interface.a", "mode": "managed",
             "type": "aws_network_interface",
             "values": {"security_groups": ["sg-1", "sg-2"], "user_data": "sg-1" * 1000}},
        ], "child_modules": [
            {"address": "module.net.module.deep", "resources": [
                {"address": "module.net.module.deep.aws_instance.b", "mode": "managed",
                 "type": "aws_instance", "values": {"vpc_security_group_ids": ["sg-1"]}},
            ]},
        ]},
    ],
}  # fmt: skip


def test_no_prior_state_is_none_and_an_empty_one_is_empty() -> None:
    assert PriorState.from_plan({"resource_changes": []}) is None
    assert PriorState.from_plan({"prior_state": {"format_version": "1.0"}}) == PriorState()


def test_resources_come_from_every_module_level() -> None:
    state = PriorState.from_plan(_plan(ROOT))
    assert state is not None
    assert [r.address for r in state.resources] == [
        "aws_security_group.app",
        "aws_lb_listener.http",
        "data.aws_security_group.app",
        "module.net.aws_network_interface.a",
        "module.net.module.deep.aws_instance.b",
    ]
    assert state.resource("module.net.aws_network_interface.a").type == "aws_network_interface"
    assert state.resource("aws_s3_bucket.nope") is None


def test_users_are_found_by_value_in_managed_resources_only() -> None:
    state = PriorState.from_plan(_plan(ROOT))
    uses = state.users_of(
        ["sg-1"], paths=("security_groups", "vpc_security_group_ids"), exclude="x"
    )
    assert [(u.user.address, u.path) for u in uses] == [
        ("module.net.aws_network_interface.a", "security_groups"),
        ("module.net.module.deep.aws_instance.b", "vpc_security_group_ids"),
    ]  # the data source reads the group, it does not use it


def test_a_path_matches_by_its_last_steps_and_types_narrow_it() -> None:
    state = PriorState.from_plan(_plan(ROOT))
    uses = state.users_of(["arn:tg"], paths=("target_group.arn",))
    assert [(u.user.address, u.path) for u in uses] == [
        ("aws_lb_listener.http", "default_action.forward.target_group.arn")
    ]
    assert state.users_of(["arn:tg"], paths=("arn",), types=("aws_lb_listener_rule",)) == []
    # "group.arn" is not a step boundary of "target_group.arn".
    assert state.users_of(["arn:tg"], paths=("group.arn",)) == []


def test_exclude_unknown_and_long_values() -> None:
    state = PriorState.from_plan(_plan(ROOT))
    paths = ("security_groups", "vpc_security_group_ids", "user_data")
    everyone = {(u.user.address, u.path) for u in state.users_of(["sg-1"], paths=paths)}
    assert ("module.net.aws_network_interface.a", "user_data") not in everyone
    without = state.users_of(["sg-1"], paths=paths, exclude="module.net.aws_network_interface.a")
    assert {u.user.address for u in without} == {"module.net.module.deep.aws_instance.b"}
    assert state.users_of([None, "", 3], paths=paths) == []
    # A 4,000-character user_data is no identifier: not indexed at all.
    assert state.users_of(["sg-1" * 1000], paths=paths) == []


def test_malformed_entries_are_skipped_not_fatal() -> None:
    root = {"resources": [None, {"address": 1}, {"address": "a.b", "type": "a", "values": []}],
            "child_modules": ["x", {"resources": "nope"}]}  # fmt: skip
    state = PriorState.from_plan(_plan(root))
    assert [r.address for r in state.resources] == ["a.b"]
    assert state.resource("a.b").values == {}


def test_the_index_is_built_once_and_is_linear() -> None:
    # 20,000 users of 20,000 groups: one pass builds the index; each lookup is a dict hit.
    resources = [
        {"address": f"aws_instance.i{n}", "mode": "managed", "type": "aws_instance",
         "values": {"vpc_security_group_ids": [f"sg-{n}"]}}
        for n in range(20_000)
    ]  # fmt: skip
    state = PriorState.from_plan(_plan({"resources": resources}))
    for n in range(0, 20_000, 997):
        (use,) = state.users_of([f"sg-{n}"], paths=("vpc_security_group_ids",))
        assert use.user.address == f"aws_instance.i{n}"
    assert len(state._full_index) == 20_000


def test_only_the_identifiers_of_deleted_objects_are_indexed_and_others_still_found() -> None:
    wanted = deleted_identifiers([{"id": "sg-1", "name": "app", "n": 3}, None])
    assert wanted == {"sg-1", "app"}
    assert deleted_identifiers([{"bucket": "logs"}]) == {"logs", "arn:aws:s3:::logs"}
    state = PriorState.from_plan(_plan(ROOT), wanted=wanted)
    (use,) = state.users_of(["sg-1"], paths=("vpc_security_group_ids",))
    assert use.user.address == "module.net.module.deep.aws_instance.b"
    assert set(state._wanted_index) == {"sg-1", "app"}  # "sg-2" is not looked up: not indexed
    # Asked for something outside the set: the full index answers, nothing is missed.
    (use,) = state.users_of(["sg-2"], paths=("security_groups",))
    assert use.user.address == "module.net.aws_network_interface.a"
    # A plan that deletes nothing indexes nothing.
    empty = PriorState.from_plan(_plan(ROOT), wanted=frozenset())
    assert empty._wanted_index == {}
    assert empty.users_of([], paths=("security_groups",)) == []
