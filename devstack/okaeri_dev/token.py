"""Sign in to the local stack as a client does and print the ID token (for curl and scripts).

    python -m okaeri_dev.token owner@okaeri.local 'PASSWORD' [--port 8080]
    TOKEN=$(python -m okaeri_dev.token owner@okaeri.local 'PASSWORD')
    curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/me

It reads ``/config.json`` from the gateway and calls Cognito ``InitiateAuth`` (USER_PASSWORD_AUTH,
unsigned, as a browser does) at the endpoint it names, resolved against the gateway's URL as a
browser resolves it (locally a path on the gateway, ``/cognito/``): exactly what a client does
against AWS.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

HTTP_TIMEOUT_SECONDS = 10


def sign_in(gateway_url: str, email: str, password: str) -> str:
    """The ID token of ``email``, from the Cognito endpoint ``gateway_url``'s /config.json names."""
    config_url = f"{gateway_url}/config.json"
    with urllib.request.urlopen(config_url, timeout=HTTP_TIMEOUT_SECONDS) as answer:
        config = json.load(answer)
    return id_token(config, config_url, email, password)


def id_token(config: Mapping[str, Any], config_url: str, email: str, password: str) -> str:
    """``InitiateAuth`` (USER_PASSWORD_AUTH, unsigned) at the Cognito endpoint ``config`` (the
    ``/config.json`` read from ``config_url``) names, resolved as a browser resolves it."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=urljoin(config_url, config["cognito_endpoint"]),
        region_name=config["region"],
        config=Config(signature_version=UNSIGNED),
    )
    result = cognito.initiate_auth(
        ClientId=config["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return str(result["AuthenticationResult"]["IdToken"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m okaeri_dev.token", description=__doc__.splitlines()[0])
    parser.add_argument("email")
    parser.add_argument("password")
    parser.add_argument(
        "--port", type=int, default=8080, help="the gateway's port (python -m okaeri_dev --port)"
    )
    options = parser.parse_args(argv)
    try:
        print(sign_in(f"http://127.0.0.1:{options.port}", options.email, options.password))
    except Exception as exc:  # a refused sign-in or no stack running: say so, no traceback
        print(f"サインインできません / cannot sign in: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
