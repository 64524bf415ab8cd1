"""cdk-nag acknowledgements: each names the finding and says why it is acceptable.

cdk-nag 3 reads CDK's own ``Validations.of(scope).acknowledge(...)``; an acknowledgement applies to
the scope and everything under it, so it is made on the narrowest construct that holds the finding
(for a grant: the grantee's role, whose default policy holds the statement)."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
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


def arn_in_account(service: str, rest: str) -> str:
    """An ARN as cdk-nag prints it: ``arn:<AWS::Partition>:<service>:<AWS::Region>:<AWS::AccountId>:…``."""
    return f"arn:<AWS::Partition>:{service}:<AWS::Region>:<AWS::AccountId>:{rest}"


KEY_GRANT_FINDINGS = (
    "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
    "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
)
KEY_GRANT_REASON = (
    "CDK's grant on Okaeri's one customer-managed key: the resource is that key; the wildcards are "
    "the GenerateDataKey/ReEncrypt variants DynamoDB, SQS and Secrets Manager use"
)
