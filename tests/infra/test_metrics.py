"""Every business metric is counted somewhere, and either alarmed or listed with the reason it is not.

The names are ``okaeri.metrics.Metric``; what is counted is read from the code (each ``Metric.X`` in the
functions and the layer), what is alarmed from the synthesized template.
"""

from __future__ import annotations

import ast
import re

from infra.paths import FUNCTIONS_DIR, ROOT
from okaeri.metrics import UNALARMED, Metric
from okaeri.observability import NAMESPACE
from tests.infra.conftest import Synthesized

LAYER_PACKAGE = ROOT / "layers" / "common" / "okaeri"


def _counted() -> set[Metric]:
    """The members of ``Metric`` named in the handlers' and the layer's code (not in its own module)."""
    found: set[Metric] = set()
    for folder in (FUNCTIONS_DIR, LAYER_PACKAGE):
        for path in folder.rglob("*.py"):
            if path == LAYER_PACKAGE / "metrics.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "Metric"
                ):
                    found.add(Metric[node.attr])
    return found


def _alarmed(synthesized: Synthesized) -> set[str]:
    return {
        alarm["Properties"]["MetricName"]
        for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == NAMESPACE
    }


def test_every_metric_is_counted_somewhere() -> None:
    assert set(Metric) - _counted() == set(), "metrics no handler counts"


def test_every_metric_has_an_alarm_or_a_reason_and_every_alarm_a_counted_metric(
    synthesized: Synthesized,
) -> None:
    alarmed = _alarmed(synthesized)
    assert alarmed - set(Metric) == set(), "alarms on metrics no one counts"
    assert set(Metric) - alarmed - set(UNALARMED) == set(), "metrics with neither an alarm nor a reason"
    assert alarmed & set(UNALARMED) == set(), "alarmed metrics listed as not alarmed"
    assert all(reason.strip() for reason in UNALARMED.values())


def test_operations_guide_explains_every_metric() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = guide.split("## Business metrics", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    documented = {name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)}
    assert set(Metric) - documented == set(), "metrics docs/operations.md does not explain"
    assert documented - set(Metric) == set(), "metrics docs/operations.md explains that do not exist"
