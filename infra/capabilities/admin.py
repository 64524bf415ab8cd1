"""Admin: the operators' Cognito user pool (from ``infra/identity.py``), the HTTP API (routes from
``infra/resources.GATEWAY_ROUTES``, a JWT authorizer on the private ones) and the admin function,
which also serves the admin page (its built files ship inside the function's asset)."""

from __future__ import annotations

import json
import re
from typing import Any

import jsii
from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from infra.capabilities.scheduling import Scheduling
from infra.capabilities.sending import SECRET_MANAGE_ACTIONS, Sending, secrets_named
from infra.capabilities.storage import Storage
from infra.identity import (
    MFA_CONFIGURATION,
    MFA_METHODS,
    create_client_request,
    create_groups_requests,
    create_user_pool_request,
)
from infra.lambda_function import LambdaFactory, log_retention
from infra.nag import acknowledge, grant_on_pattern
from infra.resources import AUTHORIZER_TOKEN_USE, GATEWAY_ROUTES, GatewayRoute, cognito_issuer
from infra.settings import DeploymentSettings
from infra.tables import TABLES

#: What the users adapter calls (okaeri/aws/users.py); tests/infra checks the two agree.
COGNITO_ACTIONS = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminListGroupsForUser",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:ListUsers",
    "cognito-idp:ListUsersInGroup",
)
SHOPIFY_SECRET_PREFIX = "okaeri/shopify/"
#: One JSON line per request in the API's access log.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "method": "$context.httpMethod",
    "route": "$context.routeKey",
    "path": "$context.path",
    "status": "$context.status",
    "latencyMs": "$context.responseLatency",
    "integrationMs": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "user": "$context.authorizer.claims.email",
}


def cfn_properties(request: dict[str, Any], renames: dict[str, str] | None = None) -> dict[str, Any]:
    """A boto3 request (what the local stack sends) as an L1 construct's keyword arguments:
    CloudFormation uses the same property names, in snake case for Python, but for a few renames."""
    renames = renames or {}

    def snake(name: str) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()

    def convert(value: Any) -> Any:  # nested structs as dicts: jsii wants their camelCase names
        if isinstance(value, dict):
            return {key[:1].lower() + key[1:]: convert(item) for key, item in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return {snake(renames.get(key, key)): convert(value) for key, value in request.items()
            if key != "UserPoolId"}  # fmt: skip


class Admin(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        storage: Storage,
        scheduling: Scheduling,
        sending: Sending,
        functions: LambdaFactory,
    ) -> None:
        super().__init__(scope, construct_id)
        self._log_key = functions.log_key
        self._user_pool()
        self.function = functions.function(
            self,
            "Api",
            source="admin",
            description="Okaeri admin: the admin API and page, unsubscribe links, the Shopify webhook",
            environment={
                **sending.environment,  # test sends and unsubscribe links (AdminSettings' MailMixin)
                "USER_POOL_ID": self.user_pool.ref,
                "USER_POOL_CLIENT_ID": self.client.ref,
                "SEND_RATE": str(settings.send_rate),  # the dashboard's sending pace
            },
            memory_mb=1024,
            timeout_seconds=29,  # API Gateway answers 503 after 30 s
            no_dead_letter_queue="api",
        )
        self._grant(storage=storage, scheduling=scheduling, sending=sending)
        self._http_api(settings)

    def _user_pool(self) -> None:
        """The pool exactly as the local stack makes it (``infra/identity.py``), plus what only the
        cloud has: MFA, threat protection (the Plus tier), deletion protection."""
        pool = cognito.CfnUserPool(
            self,
            "Operators",
            **cfn_properties(create_user_pool_request(), {"PoolName": "UserPoolName"}),
            mfa_configuration=MFA_CONFIGURATION,
            enabled_mfas=list(MFA_METHODS),
            account_recovery_setting={"recoveryMechanisms": [{"name": "verified_email", "priority": 1}]},
            user_pool_tier="PLUS",
            user_pool_add_ons={"advancedSecurityMode": "ENFORCED"},
            deletion_protection="ACTIVE",
        )
        pool.apply_removal_policy(RemovalPolicy.RETAIN)
        client = cognito.CfnUserPoolClient(
            self, "PageClient", user_pool_id=pool.ref, **cfn_properties(create_client_request(pool.ref))
        )
        for group in create_groups_requests(pool.ref):
            cognito.CfnUserPoolGroup(
                self,
                f"Group-{group['GroupName']}",
                user_pool_id=pool.ref,
                group_name=group["GroupName"],
                description=group["Description"],
                precedence=group["Precedence"],
            )
        self.user_pool = pool
        self.client = client

    def _grant(self, *, storage: Storage, scheduling: Scheduling, sending: Sending) -> None:
        function = self.function
        storage.grant_tables(function, *TABLES, write=True)
        storage.grant_raw_mail_read(function)  # the reception log's raw mail, parse again
        scheduling.grant_manage_schedules(function)  # stop, reschedule, resend
        sending.grant_send_mail(function)  # test sends
        sending.grant_relay_credentials(function, write=True)
        sending.unsubscribe_key.grant_read(function)
        grant_on_pattern(
            function,
            actions=SECRET_MANAGE_ACTIONS,
            arn=secrets_named(SHOPIFY_SECRET_PREFIX),
            why="Each shop's Shopify webhook secret is made at run time, when the shop connects Shopify",
        )
        function.add_to_role_policy(
            iam.PolicyStatement(actions=list(COGNITO_ACTIONS), resources=[self.user_pool.attr_arn])
        )

    def _http_api(self, settings: DeploymentSettings) -> None:
        integration = integrations.HttpLambdaIntegration("Admin", self.function)
        authorizer = authorizers.HttpJwtAuthorizer(
            "Operators",
            jwt_issuer=cognito_issuer(Aws.REGION, self.user_pool.ref),
            jwt_audience=[self.client.ref],  # only ID tokens carry the client id as "aud"
            identity_source=["$request.header.Authorization"],
        )
        assert AUTHORIZER_TOKEN_USE == "id"
        public = apigwv2.HttpNoneAuthorizer()
        default_route = next(route for route in GATEWAY_ROUTES if route.key == "$default")
        self.api = apigwv2.HttpApi(
            self,
            "HttpApi",
            description="Okaeri admin API and page",
            create_default_stage=False,
            default_integration=integration,
            default_authorizer=authorizer if default_route.authorized else public,
        )
        routes: dict[GatewayRoute, IConstruct] = {default_route: self.api.node.find_child("DefaultRoute")}
        for route in GATEWAY_ROUTES:
            if route is default_route:
                continue
            method, path = route.key.split(" ", 1)
            (routes[route],) = self.api.add_routes(
                path=path,
                methods=[apigwv2.HttpMethod(method)],
                integration=integration,
                authorizer=authorizer if route.authorized else public,
            )
        for route, construct in routes.items():
            if not route.authorized:
                acknowledge(construct, route.why_public, "AwsSolutions-APIG4", "AwsSolutions-COG4")
        self.access_log = logs.LogGroup(
            self,
            "AccessLog",
            retention=log_retention(settings.log_retention_days),
            encryption_key=self._log_key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.stage = apigwv2.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            access_log_settings=_AccessLog(self.access_log),
            throttle=apigwv2.ThrottleSettings(
                rate_limit=settings.api_throttle.rate, burst_limit=settings.api_throttle.burst
            ),
        )


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLog:
    """The stage's access log: one JSON object per request."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS, separators=(",", ":")))
