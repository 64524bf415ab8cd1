"""Each function loads as Lambda loads it: its folder, the layer and the standard library, nothing else.

``make build`` builds the layer twice from the same runtime lock: for Lambda (arm64, build/layer)
and for this machine (build/layer-host). Both must hold the same versions; the host one is loaded
here, in a fresh ``python -I -S`` (no site-packages), with the function's code as synthesized and
the environment the template gives it. Each handler is imported and the function's dependencies are
built with every AWS client stubbed: a missing module, a dependency that only the dev venv has, a
setting the template forgets, or an AWS call at cold start other than the unsubscribe secret fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import build_layer
from infra.paths import HOST_LAYER_DIR, LAMBDA_PYTHON, LAYER_DIR, ROOT
from tests.infra.cfn import Function, functions
from tests.infra.conftest import Synthesized

PROBE = Path(__file__).with_name("cold_start_probe.py")
#: What each function builds at cold start: the dependency getter its handler calls (``_app``: the
#: admin API with its dependencies and page). A new function needs a line here.
BUILDERS = {
    "ingest:handler.handler": "ingest_deps",
    "schedule:handler.handler": "schedule_deps",
    "schedule:handler.winback_handler": "winback_deps",
    "send:handler.handler": "send_deps",
    "send:handler.sweep_handler": "send_deps",
    "send:handler.events_handler": "events_deps",
    "admin:handler.handler": "_app",
}
#: Modules whose pydantic models wait for their first use (``defer_build``).
DEFERRED_MODELS = tuple(
    f"okaeri.{name}."
    for name in ["api.routes.coupons", "api.routes.customers", "api.routes.deliveries", "api.routes.imports",
                 "api.routes.logs", "api.routes.masks", "api.routes.relays", "api.routes.shop",
                 "api.routes.templates", "api.routes.webhooks", "api.responses", "api.pagination", "api.auth",
                 "import_formats.models", "import_formats.shopify", "services.previews", "services.config_admin",
                 "services.erasure", "services.coupon_upload", "services.coupons", "services.templates",
                 "services.relays", "services.shop_settings",
                 "services.masks", "services.integrations"]
)  # fmt: skip
#: The only AWS call a cold start makes: the unsubscribe signing secret (send and admin sign links).
SECRET_READ = "secretsmanager:GetSecretValue"
EXPECTED_CALLS = {
    "send_deps": [SECRET_READ],
    "_app": [SECRET_READ],
}


def manifest_of(layer: Path) -> dict[str, Any]:
    path = layer / build_layer.MANIFEST
    if not path.is_file():
        pytest.skip(f"no layer at {layer.relative_to(ROOT)}: run `make build` (`make test` does)")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_the_lambda_layer_and_the_host_layer_hold_the_same_versions() -> None:
    lambda_layer, host_layer = manifest_of(LAYER_DIR), manifest_of(HOST_LAYER_DIR)
    assert lambda_layer["platform"].endswith("_aarch64")
    assert host_layer["platform"].startswith("host:")
    assert lambda_layer["python"] == host_layer["python"] == LAMBDA_PYTHON
    assert lambda_layer["lock"] == host_layer["lock"] == "requirements/runtime.txt"
    assert lambda_layer["distributions"] == host_layer["distributions"]


def test_every_function_has_a_builder(synthesized: Synthesized) -> None:
    assert sorted(functions(synthesized)) == sorted(BUILDERS)


def cold_start_environment(function: Function) -> dict[str, str]:
    """The template's variables (a reference becomes a placeholder of the right kind), Lambda's own,
    and an endpoint nothing listens on, so a call that escapes the stubs fails instead of leaving."""
    env = {
        name: value if isinstance(value, str) else f"arn:aws:probe:ap-northeast-1:123456789012:{name.lower()}"
        for name, value in function.environment.items()
    }
    return {
        **env,
        "AWS_REGION": "ap-northeast-1",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "probe",
        "AWS_SECRET_ACCESS_KEY": "probe",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
        "LAMBDA_TASK_ROOT": str(function.asset),
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:9",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
    }


def probe(function_dir: Path, handler: str, builder: str, *, env: dict[str, str]) -> Any:
    """``-B``: no bytecode is written (Lambda's /var/task and /opt are read-only); the layer's own is read."""
    return subprocess.run(
        [sys.executable, "-I", "-S", "-B", str(PROBE), str(function_dir), str(HOST_LAYER_DIR / "python"),
         handler, builder],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("entry", sorted(BUILDERS))
def test_the_function_loads_as_lambda_loads_it(synthesized: Synthesized, entry: str) -> None:
    manifest_of(HOST_LAYER_DIR)
    function = functions(synthesized)[entry]
    builder = BUILDERS[entry]
    env = cold_start_environment(function)
    result = probe(function.asset, function.properties["Handler"], builder, env=env)
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["outside"] == [], "imported from outside the function, the layer and the stdlib"
    assert not any("site-packages" in entry for entry in report["sys_path"])
    assert report["modules"]["layer"] > 100, "okaeri and its dependencies come from the layer"
    assert report["modules"]["function"] >= 1
    assert report["calls"] == EXPECTED_CALLS.get(builder, [])
    assert report["compiled_in_layer"] == [], "the layer's bytecode was not used: it compiled these"
    # Tracing is on (Lambda, active tracing, not turned off), and still the X-Ray SDK waits for the
    # first traced call (tests/integration/handlers/test_tracing.py shows that call traced).
    assert "POWERTOOLS_TRACE_DISABLED" not in function.environment
    assert report["x_ray_imported"] is False
    # Powertools' OpenAPI models (the admin API's document) wait for /api/openapi.json.
    assert report["openapi_models_imported"] is False
    # The API's request and answer models, the CSV and Shopify import models, the previews and the
    # calendar's are built when a route first uses them (pydantic's defer_build), not at cold start.
    built_early = [m for m in report["okaeri_models_built"] if m.startswith(DEFERRED_MODELS)]
    assert built_early == []


def test_the_probe_fails_on_a_module_the_layer_lacks(synthesized: Synthesized, tmp_path: Path) -> None:
    """The probe is no rubber stamp: a handler that imports something only the dev venv has fails."""
    manifest_of(HOST_LAYER_DIR)
    function = functions(synthesized)["ingest:handler.handler"]
    (tmp_path / "handler.py").write_text(
        (function.asset / "handler.py").read_text(encoding="utf-8") + "\nimport moto  # dev only\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, "handler.handler", "ingest_deps", env=cold_start_environment(function))
    assert result.returncode != 0
    assert "No module named 'moto'" in result.stderr
