"""Reading a synthesized template by meaning rather than by logical id.

A resource is found through what refers to it (the table the functions know as ``ORDERS_TABLE``, the
bucket the receipt rules write to, the function whose code is ``functions/send`` with the handler
``handler.sweep_handler``), so a test names the intent and survives renamed constructs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.paths import FUNCTIONS_DIR
from infra.tables import TABLES
from tests.infra.conftest import Synthesized

STACK_NAME = "Okaeri"  # infra.app.STACK_NAME, without importing the CDK here


def ref(logical_id: str) -> dict[str, str]:
    return {"Ref": logical_id}


def arn_of(logical_id: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def render(value: Any) -> Any:
    """The value with CloudFormation's intrinsics as placeholder text: ``Ref X`` → ``${X}``,
    ``GetAtt X.Attr`` → ``${X.Attr}``, ``Join`` → the joined text; dicts and lists recursively."""
    if isinstance(value, list):
        return [render(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((name, argument),) = value.items()
        text = _intrinsic(name, argument)
        if text is not None:
            return text
    return {key: render(item) for key, item in value.items()}


def _intrinsic(name: str, argument: Any) -> str | None:
    if name == "Ref":
        return f"${{{argument}}}"
    if name == "Fn::GetAtt":
        return f"${{{'.'.join(argument)}}}"
    if name == "Fn::Join":
        separator, parts = argument
        return str(separator).join(str(render(part)) for part in parts)
    return None


def only(items: list[Any] | dict[str, Any], what: str) -> Any:
    """The one item; a test that expects one thing says so when there are none or several."""
    values = list(items.values() if isinstance(items, dict) else items)
    assert len(values) == 1, f"expected exactly one {what}, found {len(values)}"
    return values[0]


def only_id(resources: dict[str, Any], what: str) -> str:
    keys = list(resources)
    assert len(keys) == 1, f"expected exactly one {what}, found {keys}"
    return keys[0]


def statements(policy_document: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy_document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Function:
    logical_id: str
    properties: dict[str, Any]
    source: str  # the folder under functions/ its code comes from
    asset: Path  # that code as synthesized (the asset folder in the cloud assembly)

    @property
    def entry(self) -> str:
        """``<source>:<handler>``, e.g. ``send:handler.sweep_handler``."""
        return f"{self.source}:{self.properties['Handler']}"

    @property
    def environment(self) -> dict[str, Any]:
        variables: dict[str, Any] = self.properties.get("Environment", {}).get("Variables", {})
        return variables


def asset_folders(synthesized: Synthesized) -> dict[str, Path]:
    """Each file asset's object key (what a resource's ``S3Key`` names) → its folder in the assembly."""
    manifest = json.loads((synthesized.outdir / f"{STACK_NAME}.assets.json").read_text(encoding="utf-8"))
    folders = {}
    for asset in manifest["files"].values():
        folder = synthesized.outdir / asset["source"]["path"]
        for destination in asset["destinations"].values():
            folders[destination["objectKey"]] = folder
    return folders


def _source_of(asset: Path) -> str:
    """Which ``functions/<name>`` the asset was made from: the one whose handler.py it carries."""
    handler = (asset / "handler.py").read_bytes()
    matches = [
        folder.name
        for folder in sorted(FUNCTIONS_DIR.iterdir())
        if (folder / "handler.py").is_file() and (folder / "handler.py").read_bytes() == handler
    ]
    return only(matches, f"functions/ folder whose handler.py is in {asset.name}")  # type: ignore[no-any-return]


def functions(synthesized: Synthesized) -> dict[str, Function]:
    """Every Lambda function by ``<source>:<handler>``."""
    folders = asset_folders(synthesized)
    found: dict[str, Function] = {}
    for logical_id, resource in synthesized.resources("AWS::Lambda::Function").items():
        properties = resource["Properties"]
        asset = folders[properties["Code"]["S3Key"]]
        function = Function(logical_id, properties, _source_of(asset), asset)
        assert function.entry not in found, f"two functions run {function.entry}"
        found[function.entry] = function
    return found


def table_ids(synthesized: Synthesized) -> dict[str, str]:
    """``infra.tables`` logical name → the table's logical id, as the functions are told it
    (``<LOGICAL>_TABLE``); every function must be told the same tables."""
    told = {
        function.logical_id: {
            table.logical_name: function.environment[table.env_var()]["Ref"] for table in TABLES
        }
        for function in functions(synthesized).values()
    }
    first = next(iter(told.values()))
    assert all(names == first for names in told.values()), told
    return first


def key_id(synthesized: Synthesized) -> str:
    return only_id(synthesized.resources("AWS::KMS::Key"), "KMS key")
