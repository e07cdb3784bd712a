"""API Gateway: REST methods, HTTP API routes and CORS settings AWS rejects."""

from __future__ import annotations

from typing import Any

from policies.toolkit.rows import Block, Row, custom, register, required
from policies.toolkit.values import flag, read

HTTP_API = "aws_apigatewayv2_api"


def _credentials_with_any_origin(block: Block) -> str | None:
    origins = read(block, "allow_origins")
    if flag(read(block, "allow_credentials", False)) is not True or not isinstance(origins, list):
        return None
    return "allows credentials for allow_origins '*'" if "*" in origins else None


_HTTP_API: dict[str, Any] = {"name": "catalog-api", "protocol_type": "HTTP"}


register(
    Row(
        id="AT133",
        title="HTTP API CORS allows credentials for any origin",
        service="apigateway",
        failure_class="value-combination",
        resource_types=(HTTP_API,),
        scope=("cors_configuration",),
        predicate=custom(_credentials_with_any_origin),
        error=("BadRequestException: allow-credentials is not supported if 'allow-origin' is *"),
        source="https://github.com/aws/aws-cdk/issues/9076",
        extra_sources=(
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html",
        ),
        why=(
            "Browsers never send credentials to a wildcard origin, and API Gateway refuses the "
            "combination: with `allow_credentials = true` the origins must be listed. The "
            'provider accepts `allow_origins = ["*"]` with credentials, and the API fails at '
            "create or update."
        ),
        fix="List the allowed origins (https://app.example.com) or drop allow_credentials.",
        failing={
            **_HTTP_API,
            "cors_configuration": [{"allow_credentials": True, "allow_origins": ["*"]}],
        },
        passing={
            **_HTTP_API,
            "cors_configuration": [
                {"allow_credentials": True, "allow_origins": ["https://catalog.example.com"]}
            ],
        },
        more_passing=({**_HTTP_API, "cors_configuration": [{"allow_origins": ["*"]}]},),
    ),
)
REST_METHOD = "aws_api_gateway_method"
HTTP_ROUTE = "aws_apigatewayv2_route"


register(
    Row(
        id="AT306",
        title="API Gateway method with CUSTOM or Cognito authorization but no authorizer_id",
        service="apigateway",
        failure_class="value-combination",
        resource_types=(REST_METHOD,),
        predicate=required(
            "authorizer_id", when={"authorization": {"CUSTOM", "COGNITO_USER_POOLS"}}
        ),
        error=(
            "BadRequestException: Invalid authorizer ID specified. Setting the authorization "
            "type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
        ),
        source="https://github.com/aws/aws-cdk/issues/5618",
        extra_sources=(
            "https://github.com/serverless-operations/serverless-apigateway-service-proxy/issues/51",
            "https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html",
        ),
        why=(
            '`authorization = "CUSTOM"` (a Lambda authorizer) and `"COGNITO_USER_POOLS"` '
            "name an `aws_api_gateway_authorizer` through `authorizer_id`. The provider keeps "
            "`authorizer_id` optional, and API Gateway rejects the method at create."
        ),
        fix="Set authorizer_id = aws_api_gateway_authorizer.<name>.id, or another authorization.",
        failing={
            "rest_api_id": "a1b2c3d4e5",
            "resource_id": "abc123",
            "http_method": "GET",
            "authorization": "COGNITO_USER_POOLS",
        },
        passing={
            "rest_api_id": "a1b2c3d4e5",
            "resource_id": "abc123",
            "http_method": "GET",
            "authorization": "COGNITO_USER_POOLS",
            "authorizer_id": "x1y2z3",
        },
    ),
    Row(
        id="AT307",
        title="HTTP API route with JWT or CUSTOM authorization but no authorizer_id",
        service="apigateway",
        failure_class="value-combination",
        resource_types=(HTTP_ROUTE,),
        predicate=required("authorizer_id", when={"authorization_type": {"JWT", "CUSTOM"}}),
        error=(
            "BadRequestException: Invalid authorizer ID specified. Setting the authorization "
            "type to JWT requires a valid JWT authorizer."
        ),
        source="https://github.com/anomalyco/ion/issues/1104",
        extra_sources=(
            "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html",
        ),
        why=(
            'A route with `authorization_type = "JWT"` or `"CUSTOM"` must name its '
            "`aws_apigatewayv2_authorizer`. The provider accepts the route without "
            "`authorizer_id`, and API Gateway rejects it at create."
        ),
        fix=(
            "Set authorizer_id = aws_apigatewayv2_authorizer.<name>.id, or authorization_type NONE."
        ),
        failing={"api_id": "a1b2c3d4e5", "route_key": "GET /items", "authorization_type": "JWT"},
        passing={
            "api_id": "a1b2c3d4e5",
            "route_key": "GET /items",
            "authorization_type": "JWT",
            "authorizer_id": "x1y2z3",
        },
    ),
)
