"""cdk-nag acknowledgements: each names the finding and says why it is acceptable.

cdk-nag 3 reads CDK's own ``Validations.of(scope).acknowledge(...)``; an acknowledgement applies to
the scope and everything under it, so it is made on the narrowest construct that holds the finding
(for a grant: the grantee's role, whose default policy holds the statement)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Acknowledgment, Aws, Validations
from aws_cdk import aws_iam as iam
from constructs import IConstruct


def acknowledge(scope: IConstruct, reason: str, *findings: str) -> None:
    Validations.of(scope).acknowledge(*(Acknowledgment(id=finding, reason=reason) for finding in findings))


def principal_scope(grantee: iam.IGrantable) -> IConstruct:
    """Where a grant's statement lands: the role of a function or the role itself."""
    principal = grantee.grant_principal
    if isinstance(principal, iam.Role):
        return principal
    role = getattr(grantee, "role", None)
    if isinstance(role, iam.Role):
        return role
    raise TypeError(f"no role to acknowledge a finding on: {grantee!r}")


def wildcard_resource(pattern: str) -> str:
    """The IAM5 finding of a statement on ``pattern`` (as cdk-nag prints it)."""
    return f"AwsSolutions-IAM5[Resource::{pattern}]"


@dataclass(frozen=True)
class AccountArn:
    """An ARN in the stack's own account and region: as CloudFormation gets it (``token``) and as
    cdk-nag prints it in a finding (``printed``), so a grant and its acknowledgement name one thing."""

    service: str
    resource: str

    @property
    def token(self) -> str:
        return f"arn:{Aws.PARTITION}:{self.service}:{Aws.REGION}:{Aws.ACCOUNT_ID}:{self.resource}"

    @property
    def printed(self) -> str:
        return f"arn:<AWS::Partition>:{self.service}:<AWS::Region>:<AWS::AccountId>:{self.resource}"


def grant_on_pattern(grantee: iam.IGrantable, *, actions: Sequence[str], arn: AccountArn, why: str) -> None:
    """Grant ``actions`` on resources made at run time under one pattern, acknowledging the wildcard."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=list(actions), resources=[arn.token])
    )
    acknowledge(principal_scope(grantee), why, wildcard_resource(arn.printed))


KEY_GRANT_FINDINGS = (
    "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
    "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
)
KEY_GRANT_REASON = (
    "CDK's grant on Okaeri's one customer-managed key: the resource is that key; the wildcards are "
    "the GenerateDataKey/ReEncrypt variants DynamoDB, SQS and Secrets Manager use"
)
