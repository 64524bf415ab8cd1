"""Secrets Manager: relay credentials (JSON), the unsubscribe signing secret and webhook secrets.

Values are cached for ``ttl_seconds`` per warm Lambda, so a burst of sends costs one
``GetSecretValue`` per secret, and a rotated secret is picked up within the TTL. The default is
the pipeline's one TTL for what operators edit (``okaeri.ports.CONFIG_TTL_SECONDS``, a
minute): a relay's new password reaches send as soon as its new host and port do. The clock is
injected (``time.monotonic`` by default) so tests move it instead of waiting.

The admin API also writes secrets (``put_string``, ``put_json``, ``delete``) and asks whether one
is set (``is_set``, without reading its value): operators' credentials go in and never come out.
A write refreshes this instance's cache; other warm instances see it within the TTL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from botocore.exceptions import ClientError

from okaeri.errors import ConfigError, ConflictError, NotFoundError
from okaeri.ports import CONFIG_TTL_SECONDS

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

DEFAULT_TTL_SECONDS: Final = float(CONFIG_TTL_SECONDS)


@dataclass(frozen=True, slots=True)
class _Value:
    fetched_at: float
    text: str | None
    binary: bytes | None


class SecretsManagerSecrets:
    """``ports.Secrets`` over Secrets Manager, with a small TTL cache."""

    def __init__(
        self,
        client: SecretsManagerClient,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[str, _Value] = {}

    def get_json(self, secret_id: str) -> dict[str, str]:
        """A secret stored as a JSON object of strings (``{"username": …, "password": …}``)."""
        text = self._value(secret_id).text
        try:
            document = json.loads(text) if text is not None else None
        except json.JSONDecodeError as exc:
            raise _malformed(secret_id, "is not JSON") from exc
        if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
            raise _malformed(secret_id, "is not a JSON object of strings")
        return document

    def get_bytes(self, secret_id: str) -> bytes:
        """A secret's bytes: ``SecretBinary`` as stored, or ``SecretString`` encoded as UTF-8."""
        value = self._value(secret_id)
        if value.binary is not None:
            return value.binary
        return (value.text or "").encode()

    def is_set(self, secret_id: str) -> bool:
        """Whether the secret exists (and is not being deleted), without reading its value."""
        try:
            described = self._client.describe_secret(SecretId=secret_id)
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return False
            raise
        return "DeletedDate" not in described

    def put_string(self, secret_id: str, value: str) -> str:
        """Create the secret with ``value`` or make ``value`` its current version; returns its ARN.

        Idempotent: when the stored value is already ``value``, no new version is written.
        """
        try:
            arn = self._client.create_secret(Name=secret_id, SecretString=value)["ARN"]
        except ClientError as exc:
            if _code(exc) == "ResourceExistsException":
                arn = self._replace(secret_id, value)
            elif _code(exc) == "InvalidRequestException":
                raise _being_deleted(secret_id) from exc
            else:
                raise
        self._cache[secret_id] = _Value(self._clock(), value, None)
        return arn

    def put_json(self, secret_id: str, document: dict[str, str]) -> str:
        """``put_string`` of a JSON object of strings (what ``get_json`` reads)."""
        return self.put_string(secret_id, json.dumps(document, ensure_ascii=False, sort_keys=True))

    def delete(self, secret_id: str) -> None:
        """Remove the secret at once (no recovery window); a missing one is fine."""
        self._cache.pop(secret_id, None)
        try:
            self._client.delete_secret(SecretId=secret_id, ForceDeleteWithoutRecovery=True)
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise

    def _replace(self, secret_id: str, value: str) -> str:
        try:
            current = self._client.get_secret_value(SecretId=secret_id)
        except ClientError as exc:
            if _code(exc) != "InvalidRequestException":  # no current value yet, or being deleted
                raise
            current = None
        if current is not None and current.get("SecretString") == value:
            return current["ARN"]
        try:
            return self._client.put_secret_value(SecretId=secret_id, SecretString=value)["ARN"]
        except ClientError as exc:
            if _code(exc) == "InvalidRequestException":
                raise _being_deleted(secret_id) from exc
            raise

    def _value(self, secret_id: str) -> _Value:
        now = self._clock()
        cached = self._cache.get(secret_id)
        if cached is not None and now - cached.fetched_at < self._ttl:
            return cached
        try:
            response = self._client.get_secret_value(SecretId=secret_id)
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                raise NotFoundError(
                    f"シークレット {secret_id} が見つかりません", f"the secret {secret_id} does not exist"
                ) from exc
            raise  # access denied, decryption failure, throttling: not a domain fact; the call fails
        value = _Value(now, response.get("SecretString"), response.get("SecretBinary"))
        self._cache[secret_id] = value
        return value


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _being_deleted(secret_id: str) -> ConflictError:
    return ConflictError(
        f"シークレット {secret_id} は削除処理中です。少し待ってからやり直してください",
        f"the secret {secret_id} is being deleted; try again in a minute",
    )


def _malformed(secret_id: str, problem: str) -> ConfigError:
    return ConfigError(
        f"シークレット {secret_id} の形式が正しくありません（文字列の値だけを持つ JSON オブジェクトが必要です）",
        f"the secret {secret_id} {problem}",
        problems=[f"{secret_id}: {problem}"],
    )
