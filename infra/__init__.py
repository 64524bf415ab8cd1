"""Okaeri's infrastructure: the resource definitions shared by the CDK app and the local stack."""
