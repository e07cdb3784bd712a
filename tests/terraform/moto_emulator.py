"""moto's server, plus the one AWS API the dev stack needs that moto 5.2 lacks (tests only).

Emulator gap: moto implements no tagging for Application Auto Scaling. The AWS provider tags an
``aws_appautoscaling_target`` (``default_tags``) and reads the tags back with
``ListTagsForResource`` after creating it; moto answers 500 "not implemented", which the provider
retries until its create timeout, so the apply seems to hang forever. Rather than drop the
resource (and the scaling policy that depends on it) from the applied stack, this launcher adds
``TagResource``, ``UntagResource`` and ``ListTagsForResource`` over an in-memory map and records
the tags ``RegisterScalableTarget`` is given. Everything else is moto, unchanged.

Run: python tests/terraform/moto_emulator.py -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import json
import sys

_TAGS: dict[str, dict[str, str]] = {}


def _install_application_autoscaling_tagging() -> None:
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    register = ApplicationAutoScalingResponse.register_scalable_target

    def register_scalable_target(self: ApplicationAutoScalingResponse) -> str:
        body = register(self)
        arn = json.loads(body)["ScalableTargetARN"]
        _TAGS.setdefault(arn, {}).update(self._get_param("Tags") or {})
        return body

    def tag_resource(self: ApplicationAutoScalingResponse) -> str:
        _TAGS.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
        return json.dumps({})

    def untag_resource(self: ApplicationAutoScalingResponse) -> str:
        tags = _TAGS.setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return json.dumps({})

    def list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
        return json.dumps({"Tags": _TAGS.get(self._get_param("ResourceARN"), {})})

    ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target
    ApplicationAutoScalingResponse.tag_resource = tag_resource
    ApplicationAutoScalingResponse.untag_resource = untag_resource
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource


def main(argv: list[str]) -> None:
    _install_application_autoscaling_tagging()
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
