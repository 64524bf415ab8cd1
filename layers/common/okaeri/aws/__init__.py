"""AWS adapters: the ``okaeri.ports`` interfaces over DynamoDB, Scheduler, SES, SMTP, S3, Secrets.

Nothing here runs at import time: clients are built on first use (``okaeri.aws.clients``) and
table names are passed to each adapter by the function's settings.
"""
