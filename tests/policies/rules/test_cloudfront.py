"""CloudFront rules: AT002 forwarded_values vs policies, AT010 viewer certificate, SEC005 TLS."""

from __future__ import annotations

from dataclasses import replace

import pytest

from policies.model import UNKNOWN, Severity

E, W = Severity.ERROR, Severity.WARNING
CF = "aws_cloudfront_distribution"
FORWARDED = {"query_string": False, "cookies": {"forward": "none"}}
ACM_US = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
ACM_EU = "arn:aws:acm:eu-north-1:123456789012:certificate/abc"
HTTPS = {"viewer_protocol_policy": "redirect-to-https"}


def behavior(**values):
    return {"target_origin_id": "alb", **HTTPS, **values}


def cert(**values):
    return {"viewer_certificate": values}


def logging_setup(k, *, ownership, kind="config", bucket_actions=()):
    """A distribution logging to a literal bucket domain, and that bucket's ownership controls."""
    resources = [
        k.resource(CF, values={"logging_config": {"bucket": "logs.s3.amazonaws.com"}}),
        k.resource("aws_s3_bucket", "logs", values={"bucket": "logs"}, actions=bucket_actions),
    ]
    if ownership is not None:
        resources.append(
            k.resource(
                "aws_s3_bucket_ownership_controls",
                "logs",
                values={"bucket": UNKNOWN, "rule": [{"object_ownership": ownership}]},
                references={"bucket": "aws_s3_bucket.logs"},
            )
        )
    return k.document(*resources, kind=kind)


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        pytest.param(
            "AT002",
            lambda k: k.document(
                k.resource(CF, values={"default_cache_behavior": behavior(cache_policy_id="p1")})
            ),
            [],
            id="AT002-pass-policy-only",
        ),
        pytest.param(
            "AT002",
            lambda k: k.document(
                k.resource(
                    CF,
                    values={
                        "default_cache_behavior": behavior(forwarded_values=FORWARDED),
                        "ordered_cache_behavior": [
                            behavior(path_pattern="/api/*", cache_policy_id="p1"),
                            behavior(
                                path_pattern="/img/*",
                                origin_request_policy_id="o1",
                                forwarded_values=[FORWARDED],
                            ),
                        ],
                    },
                )
            ),
            [(E, "ordered_cache_behavior[1] sets forwarded_values together with origin_request")],
            id="AT002-fail-ordered-behavior",
        ),
        pytest.param(
            "AT002",
            lambda k: k.document(
                k.resource(
                    CF,
                    values={
                        "default_cache_behavior": [
                            behavior(forwarded_values=[FORWARDED], cache_policy_id=UNKNOWN)
                        ]
                    },
                    references={
                        "default_cache_behavior.0.cache_policy_id": "aws_cloudfront_cache_policy.x"
                    },
                )
            ),
            [(E, "default_cache_behavior sets forwarded_values together with cache_policy_id")],
            id="AT002-fail-policy-by-reference",
        ),
        pytest.param(
            "AT002",
            lambda k: k.document(
                k.resource(
                    CF,
                    values={
                        "default_cache_behavior": behavior(
                            forwarded_values=FORWARDED, cache_policy_id=UNKNOWN
                        )
                    },
                )
            ),
            [],
            id="AT002-unknown-policy-without-reference",
        ),
        pytest.param(
            "AT002",
            lambda k: k.document(
                k.resource(
                    CF,
                    values={
                        "default_cache_behavior": behavior(forwarded_values=[], cache_policy_id="p")
                    },
                ),
                kind="plan",
            ),
            [],
            id="AT002-pass-plan-empty-forwarded-values",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(
                k.resource(
                    CF, values=cert(acm_certificate_arn=ACM_US, ssl_support_method="sni-only")
                )
            ),
            [],
            id="AT010-pass-acm",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(k.resource(CF, values=cert(cloudfront_default_certificate=True))),
            [],
            id="AT010-pass-default",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(
                k.resource(
                    CF,
                    values=cert(
                        acm_certificate_arn=ACM_US,
                        cloudfront_default_certificate=True,
                        ssl_support_method="sni-only",
                    ),
                )
            ),
            # The provider sends only the ACM certificate: no apply error, a perpetual diff.
            [
                (
                    W,
                    "cloudfront_default_certificate = true together with acm_certificate_arn; "
                    "the provider sends CloudFront only acm_certificate_arn",
                )
            ],
            id="AT010-warn-acm-and-default",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(
                k.resource(
                    CF,
                    values=cert(
                        acm_certificate_arn=ACM_US,
                        iam_certificate_id="ASCAEXAMPLE",
                        ssl_support_method="sni-only",
                    ),
                )
            ),
            [(W, "the provider sends only iam_certificate_id, so acm_certificate_arn is ignored")],
            id="AT010-warn-acm-and-iam",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(k.resource(CF, values=cert(acm_certificate_arn=ACM_US))),
            [(E, "without ssl_support_method")],
            id="AT010-fail-no-ssl-support-method",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(
                k.resource(
                    CF, values=cert(acm_certificate_arn=ACM_EU, ssl_support_method="sni-only")
                )
            ),
            [
                (
                    E,
                    "ACM certificate in eu-north-1; CloudFront only accepts certificates from",
                )
            ],
            id="AT010-fail-acm-literal-wrong-region",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(
                k.resource(
                    CF,
                    values=cert(acm_certificate_arn=UNKNOWN, ssl_support_method="sni-only"),
                    references={
                        "viewer_certificate.acm_certificate_arn": "aws_acm_certificate.site"
                    },
                ),
                k.resource("aws_acm_certificate", "site", values={"domain_name": "x.example"}),
            ),
            [(E, "ACM certificate in eu-north-1")],
            id="AT010-fail-acm-reference-default-provider-region",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(
                k.resource(
                    CF,
                    values=cert(acm_certificate_arn=UNKNOWN, ssl_support_method="sni-only"),
                    references={
                        "viewer_certificate.acm_certificate_arn": "aws_acm_certificate.site"
                    },
                ),
                k.resource(
                    "aws_acm_certificate", "site", provider="aws.us_east_1", region="us-east-1"
                ),
            ),
            [],
            id="AT010-pass-acm-reference-us-east-1",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(
                k.resource(
                    CF,
                    values=cert(
                        acm_certificate_arn=UNKNOWN,
                        cloudfront_default_certificate=UNKNOWN,
                        ssl_support_method=UNKNOWN,
                    ),
                )
            ),
            [],
            id="AT010-unknown",
        ),
        pytest.param(
            "SEC005",
            lambda k: k.document(
                k.resource(
                    CF,
                    values={
                        "default_cache_behavior": behavior(),
                        **cert(
                            acm_certificate_arn=ACM_US,
                            ssl_support_method="sni-only",
                            minimum_protocol_version="TLSv1.2_2021",
                        ),
                    },
                ),
                environment="prod",
            ),
            [],
            id="SEC005-pass",
        ),
        pytest.param(
            "SEC005",
            lambda k: k.document(
                k.resource(
                    CF,
                    values={
                        "default_cache_behavior": behavior(viewer_protocol_policy="allow-all"),
                        **cert(acm_certificate_arn=ACM_US, ssl_support_method="sni-only"),
                    },
                ),
                environment="prod",
            ),
            [
                (E, 'default_cache_behavior has viewer_protocol_policy = "allow-all"'),
                (E, "minimum_protocol_version is TLSv1,"),
            ],
            id="SEC005-fail-prod-http-and-provider-default-policy",
        ),
        pytest.param(
            "SEC005",
            lambda k: k.document(
                k.resource(
                    CF,
                    values=cert(
                        acm_certificate_arn=ACM_US,
                        ssl_support_method="sni-only",
                        minimum_protocol_version="TLSv1.1_2016",
                    ),
                ),
                environment="dev",
            ),
            [(W, "TLSv1.1_2016")],
            id="SEC005-warn-dev-weak-policy",
        ),
        pytest.param(
            "SEC005",
            lambda k: k.document(
                k.resource(CF, values=cert(cloudfront_default_certificate=True)),
                environment="prod",
            ),
            [(W, "default *.cloudfront.net certificate always allows TLSv1")],
            id="SEC005-warn-default-certificate-prod",
        ),
        pytest.param(
            "SEC005",
            lambda k: k.document(
                k.resource(
                    CF,
                    values={
                        "default_cache_behavior": behavior(viewer_protocol_policy=UNKNOWN),
                        **cert(
                            acm_certificate_arn=ACM_US,
                            ssl_support_method="sni-only",
                            minimum_protocol_version=UNKNOWN,
                        ),
                    },
                ),
                environment="prod",
            ),
            [],
            id="SEC005-unknown",
        ),
        pytest.param(
            "AT010",
            lambda k: k.document(
                k.resource(
                    CF,
                    values=cert(acm_certificate_arn=UNKNOWN, ssl_support_method="sni-only"),
                    references={
                        "viewer_certificate.acm_certificate_arn": "aws_acm_certificate_validation.v"
                    },
                ),
                k.resource(
                    "aws_acm_certificate_validation",
                    "v",
                    references={"certificate_arn": "aws_acm_certificate.site"},
                ),
                k.resource("aws_acm_certificate", "site", region="eu-west-1"),
            ),
            [(E, "ACM certificate in eu-west-1")],
            id="AT010-fail-through-certificate-validation",
        ),
        pytest.param(
            "AT015",
            lambda k: logging_setup(k, ownership="BucketOwnerPreferred"),
            [],
            id="AT015-pass-acls-enabled",
        ),
        pytest.param(
            "AT015",
            lambda k: logging_setup(k, ownership="BucketOwnerEnforced"),
            [(E, "whose ownership controls are BucketOwnerEnforced")],
            id="AT015-fail-acls-disabled",
        ),
        pytest.param(
            "AT015",
            lambda k: logging_setup(k, ownership=None, kind="plan", bucket_actions=("create",)),
            [(E, "a new bucket without aws_s3_bucket_ownership_controls")],
            id="AT015-fail-plan-new-bucket-default-ownership",
        ),
        pytest.param(
            "AT015",
            lambda k: logging_setup(k, ownership=None),
            [],
            id="AT015-pass-config-existing-bucket-may-have-acls",
        ),
        pytest.param(
            "AT015",
            lambda k: logging_setup(k, ownership=UNKNOWN),
            [],
            id="AT015-unknown-ownership",
        ),
        pytest.param(
            "AT015",
            lambda k: k.document(
                k.resource(CF, values={"logging_config": {"bucket": UNKNOWN}}),
                k.resource("aws_s3_bucket", "logs", values={"bucket": "logs"}),
            ),
            [],
            id="AT015-unknown-bucket-link",
        ),
    ],
)
def test_cloudfront_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)


def distribution(k, *, aliases, certificate, extra=()):
    return k.document(
        k.resource(
            "aws_cloudfront_distribution",
            values={"aliases": aliases, "viewer_certificate": certificate},
        ),
        *extra,
    )


def edge(k, lambda_arn, *, template=None, publish=None, region="us-east-1"):
    values = {"function_name": "edge"}
    if publish is not None:
        values["publish"] = publish
    behavior = {
        "lambda_function_association": [{"event_type": "viewer-request", "lambda_arn": lambda_arn}]
    }
    cdn = k.resource("aws_cloudfront_distribution", values={"default_cache_behavior": behavior})
    if template is not None:
        cdn = replace(
            cdn,
            templates={"default_cache_behavior.lambda_function_association.0.lambda_arn": template},
        )
    return k.document(cdn, k.resource("aws_lambda_function", "edge", values=values), region=region)


EDGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:edge"


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [
        # AT216 aliases with the default certificate
        pytest.param(
            "AT216",
            lambda k: distribution(
                k,
                aliases=["cdn.example.com"],
                certificate={"acm_certificate_arn": UNKNOWN, "ssl_support_method": "sni-only"},
            ),
            [],
            id="AT216-pass",
        ),
        pytest.param(
            "AT216",
            lambda k: distribution(
                k,
                aliases=["cdn.example.com"],
                certificate={"cloudfront_default_certificate": True},
            ),
            [(E, "you must attach a trusted certificate")],
            id="AT216-fail",
        ),
        pytest.param(
            "AT216",
            lambda k: distribution(
                k, aliases=[], certificate={"cloudfront_default_certificate": True}
            ),
            [],
            id="AT216-pass-no-aliases",
        ),
        pytest.param(
            "AT216",
            lambda k: distribution(
                k, aliases=UNKNOWN, certificate={"cloudfront_default_certificate": True}
            ),
            [],
            id="AT216-unknown-aliases",
        ),
        # AT217 Lambda@Edge versions
        pytest.param("AT217", lambda k: edge(k, f"{EDGE_ARN}:7"), [], id="AT217-pass-literal"),
        pytest.param(
            "AT217",
            lambda k: edge(k, f"{EDGE_ARN}:$LATEST"),
            [(E, "names no function version")],
            id="AT217-fail-latest",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(k, f"{EDGE_ARN}:live"),
            [(E, "names alias live")],
            id="AT217-fail-alias",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(k, UNKNOWN, template="${aws_lambda_function.edge.arn}"),
            [(E, "aws_lambda_function.edge.arn is the unqualified function ARN")],
            id="AT217-fail-unqualified-reference",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(k, UNKNOWN, template="${aws_lambda_function.edge.qualified_arn}"),
            [(E, "ends in $LATEST because the function does not set publish = true")],
            id="AT217-fail-unpublished",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(
                k, UNKNOWN, template="${aws_lambda_function.edge.qualified_arn}", publish=True
            ),
            [],
            id="AT217-pass-published",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(
                k,
                UNKNOWN,
                template="${aws_lambda_function.edge.qualified_arn}",
                publish=True,
                region="eu-north-1",
            ),
            [(E, "Lambda@Edge functions must be in us-east-1")],
            id="AT217-fail-region",
        ),
        pytest.param(
            "AT217",
            lambda k: edge(k, UNKNOWN, template="${var.edge_arn}"),
            [],
            id="AT217-unknown",
        ),
    ],
)
def test_relation_rules(kit, rule_id, build, expected):
    kit.expect(rule_id, build(kit), expected)
