"""Shared model plumbing: strict config models and bilingual validation errors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from okaeri.errors import ConfigError, MissingFileError

ModelT = TypeVar("ModelT", bound=BaseModel)


class ConfigModel(BaseModel):
    """A document an operator writes: unknown keys are refused (typos must not pass silently).

    Its JSON schema as an answer (serialization) names every field required, since an answer
    carries them all; as a body (validation), a field with a default may be left out. The admin
    page's types come from that document (web/src/api/schema.d.ts)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        defer_build=True,
        json_schema_serialization_defaults_required=True,
    )


_JA_BY_TYPE: dict[str, str] = {
    "missing": "必須の項目です",
    "extra_forbidden": "この項目は使えません（綴りを確認してください）",
    "int_type": "整数を指定してください",
    "int_parsing": "整数を指定してください",
    "int_from_float": "整数を指定してください",
    "bool_type": "true または false を指定してください",
    "bool_parsing": "true または false を指定してください",
    "string_type": "文字列を指定してください",
    "list_type": "リストを指定してください",
    "dict_type": "キーと値の組を指定してください",
    "model_type": "キーと値の組を指定してください",
    "date_type": "日付（YYYY-MM-DD）を指定してください",
    "date_parsing": "日付（YYYY-MM-DD）を指定してください",
    "date_from_datetime_parsing": "日付（YYYY-MM-DD）を指定してください",
    "datetime_type": "日時（ISO 8601）を指定してください",
    "datetime_parsing": "日時（ISO 8601）を指定してください",
    "datetime_from_date_parsing": "日時（ISO 8601）を指定してください",
    "time_type": "時刻（HH:MM）を指定してください",
    "time_parsing": "時刻（HH:MM）を指定してください",
    "greater_than": "値が小さすぎます",
    "greater_than_equal": "値が小さすぎます",
    "less_than": "値が大きすぎます",
    "less_than_equal": "値が大きすぎます",
    "too_short": "要素が足りません",
    "too_long": "要素が多すぎます",
    "string_too_short": "空にはできません",
    "string_too_long": "長すぎます",
    "string_pattern_mismatch": "使えない文字が含まれています",
    "literal_error": "決められた値のいずれかを指定してください",
    "enum": "決められた値のいずれかを指定してください",
    "timezone_aware": "タイムゾーン付きの日時を指定してください",
}


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(文書全体 / whole document)"


def describe_validation_error(exc: ValidationError) -> list[str]:
    """One line per problem: ``field: 日本語 / English``."""
    return describe_errors(exc.errors(include_url=False))


def describe_errors(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """pydantic's error dicts (also what Powertools' request validation reports), one line each."""
    lines = []
    for err in errors:
        field = _field_path(tuple(err.get("loc", ())))
        english = str(err.get("msg", "invalid"))
        ctx = err.get("ctx") or {}
        if err.get("type") == "value_error" and "error" in ctx:
            # our own validators raise ValueError("日本語 / English")
            lines.append(f"{field}: {ctx['error']}")
            continue
        japanese = _JA_BY_TYPE.get(str(err.get("type")), "値が正しくありません")
        if "expected" in ctx:
            japanese = f"{japanese}: {ctx['expected']}"
        elif "le" in ctx or "ge" in ctx or "lt" in ctx or "gt" in ctx:
            bound = next(str(ctx[key]) for key in ("le", "ge", "lt", "gt") if key in ctx)
            japanese = f"{japanese}（上限・下限: {bound}）"
        lines.append(f"{field}: {japanese} / {english}")
    return lines


def validate_document[ModelT: BaseModel](model: type[ModelT], data: Any, *, what: str) -> ModelT:
    """Validate ``data`` as ``model``; a failure is a ConfigError that names every field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc)
        listing = "\n  ".join(problems)
        raise ConfigError(
            f"{what} の内容に誤りがあります:\n  {listing}",
            f"{what} is not valid:\n  {listing}",
            problems=problems,
        ) from exc


@contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Reading ``path``: a missing file is a ``MissingFileError``, any other OSError a ``ConfigError``
    naming the file."""
    try:
        yield
    except FileNotFoundError as exc:
        raise MissingFileError.for_path(path) from exc
    except OSError as exc:
        raise ConfigError(
            f"{path} を読み込めません: {exc.strerror}", f"cannot read {path}: {exc.strerror}"
        ) from exc


def read_document(path: str | Path) -> Any:
    """Read a YAML or JSON file (JSON is YAML, but JSON errors read better from json)."""
    file = Path(path)
    try:
        with reading(file):
            text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file} は UTF-8 ではありません", f"{file} is not UTF-8") from exc
    import yaml  # only the CLI and the local stack read files: keep it off the Lambda import path

    try:
        if file.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"{file} の書式が正しくありません: {exc}", f"{file} is not well-formed: {exc}"
        ) from exc


def load_document[ModelT: BaseModel](model: type[ModelT], path: str | Path) -> ModelT:
    """Load and validate a YAML/JSON file as ``model``."""
    return validate_document(model, read_document(path), what=str(path))
