"""Loads one function as Lambda does; run by test_layer_loads.py in ``python -I -S``.

Usage: ``python -I -S cold_start_probe.py FUNCTION_DIR LAYER_SITE HANDLER BUILDER``, e.g.
``functions/send build/layer-host/python handler.sweep_handler send_deps``.

With ``-I -S`` no site-packages is on ``sys.path``: only the standard library. The probe puts the
function's folder and the layer's ``python/`` in front, as Lambda puts ``/var/task`` and
``/opt/python``, imports the handler, then calls ``BUILDER`` (a name in the handler's module: the
function's cached dependency getter) with every boto3 client stubbed, so that any AWS call the
cold start makes is either one it is expected to make (answered here) or an error. It prints one
JSON line: what was imported from where, the AWS calls made, and which of the layer's modules had
to be compiled (none should: the layer ships their bytecode, and run with ``-B``, as on Lambda's
read-only ``/opt``, the probe writes none).

It imports nothing of the test suite (nothing else is on its path), so it stays a plain script.
"""

import importlib
import importlib.machinery
import json
import sys
import sysconfig

#: Every source compiled during the cold start (one with no usable bytecode beside it).
compiled: list[str] = []
_source_to_code = importlib.machinery.SourceFileLoader.source_to_code


def _counting_source_to_code(self, data, path, *args, **kwargs):  # type: ignore[no-untyped-def]
    compiled.append(str(path))
    return _source_to_code(self, data, path, *args, **kwargs)


def main() -> None:
    function_dir, layer_site, handler_spec, builder = sys.argv[1:5]
    importlib.machinery.SourceFileLoader.source_to_code = _counting_source_to_code  # type: ignore[method-assign]
    sys.path[:0] = [function_dir, layer_site]
    module_name, handler_name = handler_spec.rsplit(".", 1)
    module = importlib.import_module(module_name)
    handler = getattr(module, handler_name)
    if not callable(handler):
        raise TypeError(f"{handler_spec} is not callable")

    from botocore.stub import Stubber

    from okaeri.aws import clients

    stubbers = {
        "dynamodb": Stubber(clients.dynamodb_client()),
        "s3": Stubber(clients.s3_client()),
        "scheduler": Stubber(clients.scheduler_client()),
        "sesv2": Stubber(clients.sesv2_client(True)),
        "sesv2 (send)": Stubber(clients.sesv2_client(retries_off=True)),
        "secretsmanager": Stubber(clients.secrets_client()),
        "cognito-idp": Stubber(clients.cognito_client()),
    }
    calls: list[str] = []
    for service, stubber in stubbers.items():
        stubber.client.meta.events.register(
            "before-parameter-build",
            lambda model, service=service, **_: calls.append(f"{service}:{model.name}"),
        )
    # The one call a cold start may make: the unsubscribe signing secret, read once per container.
    stubbers["secretsmanager"].add_response(
        "get_secret_value",
        {"ARN": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:probe", "Name": "probe",
         "SecretBinary": b"probe-secret"},
    )  # fmt: skip
    for stubber in stubbers.values():
        stubber.activate()
    built = getattr(module, builder)()

    from pydantic import BaseModel

    models_built = []
    classes = [BaseModel]
    while classes:
        for model in classes.pop().__subclasses__():
            classes.append(model)
            if model.__module__.startswith("okaeri.") and model.__pydantic_complete__:
                models_built.append(f"{model.__module__}.{model.__qualname__}")

    roots = {
        "function": function_dir,
        "layer": layer_site,
        "stdlib": sysconfig.get_paths()["stdlib"],
        "platstdlib": sysconfig.get_paths()["platstdlib"],
    }
    outside = sorted(
        f"{name}: {getattr(mod, '__file__', None)}"
        for name, mod in list(sys.modules.items())
        if getattr(mod, "__file__", None) not in (None, __file__)
        and not any(mod.__file__.startswith(r) for r in roots.values())
    )
    print(
        json.dumps(
            {
                "handler": handler_spec,
                "built": type(built).__name__,
                "calls": calls,
                "modules": {
                    where: sum(
                        1
                        for m in list(sys.modules.values())
                        if (getattr(m, "__file__", None) or "").startswith(root)
                    )
                    for where, root in roots.items()
                },
                "outside": outside,
                "compiled_in_layer": sorted(path for path in compiled if path.startswith(layer_site)),
                "x_ray_imported": "aws_xray_sdk" in sys.modules,
                "okaeri_models_built": sorted(set(models_built)),
                "openapi_models_imported": "aws_lambda_powertools.event_handler.openapi.models"
                in sys.modules,
                "sys_path": sys.path,
            }
        )
    )


main()
