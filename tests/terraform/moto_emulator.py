"""moto's server with two emulator gaps closed, for the real-Terraform tier (tests only).

Gap 1, bucket policy conditions: moto 5.2 passes no request context (no ``aws:SecureTransport``,
no ``aws:PrincipalArn``) when it evaluates a bucket policy, yet treats a condition on such a
missing key as met, and a Deny with ``NotResource`` as an Allow. The bootstrap's state bucket
policy has conditional Deny statements (no TLS; a CI role outside its own prefix), so every
request to the bucket got 403, even the administrator's ``init -migrate-state``. Here a statement
whose condition names a key the request context lacks does not apply, which is AWS's rule for
absent keys. Those Deny statements therefore never fire on the emulator: what they allow and
refuse is proved by the policy-evaluation tests of the bootstrap (tests/infra), not here.

Gap 2: moto implements no tagging for Application Auto Scaling. The AWS provider tags an
``aws_appautoscaling_target`` (``default_tags``) and reads the tags back with
``ListTagsForResource`` after creating it; moto answers 500 "not implemented", which the provider
retries until its create timeout, so the apply seems to hang forever. Rather than drop the
resource (and the scaling policy that depends on it) from the applied stack, this launcher adds
``TagResource``, ``UntagResource`` and ``ListTagsForResource`` over an in-memory map and records
the tags ``RegisterScalableTarget`` is given. Everything else is moto, unchanged.

Run: python tests/terraform/moto_emulator.py -H 127.0.0.1 -p PORT (0: a port the kernel picks; the
start-up line "Running on http://127.0.0.1:PORT" names it)
"""

from __future__ import annotations

import json
import sys
from typing import Any

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


def _ignore_statements_conditioned_on_absent_keys() -> None:
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    evaluate = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(
        self: IAMPolicyStatement,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> PermissionResult:
        context = incoming_condition_values or {}
        for operator_values in (self._statement.get("Condition") or {}).values():
            if any(key not in context for key in operator_values):
                return PermissionResult.NEUTRAL
        return evaluate(self, action, resource, principal, incoming_condition_values)

    IAMPolicyStatement.is_action_permitted = is_action_permitted


def _answer_cloudfront_defaults_like_aws() -> None:
    """Emulator gap (found by test_loop's redeploy): moto fills in a legacy ``ForwardedValues``
    block beside a cache policy, and ``CloudFrontDefaultCertificate=true`` beside an ACM
    certificate. AWS returns neither, so the provider read them into the state, the policy pack
    then (rightly) flagged that state (AT002, AT010), and every plan showed a diff. Answer like
    AWS: no ForwardedValues when a cache policy is set, the default certificate off when an ACM
    certificate is given."""
    from moto.cloudfront import models

    behaviour_init = models.DefaultCacheBehaviour.__init__
    certificate_init = models.ViewerCertificate.__init__

    def default_cache_behaviour_init(self: Any, config: dict[str, Any]) -> None:
        behaviour_init(self, config)
        if config.get("CachePolicyId") and "ForwardedValues" not in config:
            self.forwarded_values = None

    def viewer_certificate_init(self: Any, config: dict[str, Any]) -> None:
        certificate_init(self, config)
        if "CloudFrontDefaultCertificate" not in config and config.get("ACMCertificateArn"):
            self.cloud_front_default_certificate = False

    models.DefaultCacheBehaviour.__init__ = default_cache_behaviour_init  # type: ignore[method-assign]
    models.ViewerCertificate.__init__ = viewer_certificate_init  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    _ignore_statements_conditioned_on_absent_keys()
    _install_application_autoscaling_tagging()
    _answer_cloudfront_defaults_like_aws()
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
