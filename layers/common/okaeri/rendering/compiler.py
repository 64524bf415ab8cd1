"""From template text to a checked, guarded, compiled Jinja template (cached), and back to text.

Compiling a part: ``@tags@`` become Jinja tags; the syntax tree is checked (no include/import, only
the allowed filters, every variable and view attribute known, ``coupon()`` given a literal pool
name); guard filters are woven in (loop counting, the literal text of repeated bodies,
concatenations and collection literals); then Jinja compiles it. The result is cached by the text
itself, so a template edited without a version bump can never be served stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Template, meta, nodes
from jinja2.visitor import NodeTransformer

from okaeri.errors import TemplateError
from okaeri.rendering.context import TEMPLATE_NAMES, TEMPLATE_VIEWS
from okaeri.rendering.coupons import POOL_PATTERN
from okaeri.rendering.sandbox import (
    CHARGE,
    CHECKED,
    LOOP_GUARD,
    MAX_PART_CHARS,
    USER_FILTERS,
    OkaeriSandbox,
    environment,
    sandbox_error,
)
from okaeri.rendering.tag_aliases import translate_tags
from okaeri.rendering.views import FieldKind, View, view_fields


@dataclass(frozen=True, slots=True)
class CompiledPart:
    template: Template
    pools: frozenset[str]


@lru_cache(maxsize=256)
def compile_part(source: str, *, html: bool) -> CompiledPart:
    """Check and compile one part of a template (``html`` turns autoescape on)."""
    env = environment(html=html)
    tree = env.parse(translate_tags(source))
    pools = _check(tree, env)
    guarded = _Guards().visit(tree)
    return CompiledPart(env.from_string(guarded), pools)


def render_part(part: CompiledPart, variables: Mapping[str, Any]) -> str:
    """Render a compiled part (inside :func:`okaeri.rendering.sandbox.budget`), at most ``MAX_PART_CHARS``."""
    chunks: list[str] = []
    size = 0
    for chunk in part.template.generate(variables):
        size += len(chunk)
        if size > MAX_PART_CHARS:
            raise TemplateError(
                f"出力が上限（{MAX_PART_CHARS:,} 字）を超えました",
                f"output is over the limit ({MAX_PART_CHARS:,} chars)",
                code="too_large",
            )
        chunks.append(chunk)
    return "".join(chunks)


def unknown_tag(name: str) -> TemplateError:
    return TemplateError(
        f"不明な差し込みタグ {name} があります", f"unknown merge tag {name}", code="unknown_tag"
    )


# -- the static check


def _check(tree: nodes.Template, env: OkaeriSandbox) -> frozenset[str]:
    """Refuse what can be refused before rendering; return the coupon pools the part uses."""
    for loader in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        raise sandbox_error(
            f"他のテンプレートの読み込み（{_line_ja(loader)}）",
            f"including other templates ({_line_en(loader)})",
        )
    for used in tree.find_all(nodes.Filter):
        if used.name not in USER_FILTERS:
            raise TemplateError(
                f"使えないフィルター {used.name} があります（{_line_ja(used)}）",
                f"unknown filter {used.name} ({_line_en(used)})",
                code="unknown_tag",
            )
    for test in tree.find_all(nodes.Test):
        if test.name not in env.tests:
            raise unknown_tag(f"is {test.name}")
    undeclared = meta.find_undeclared_variables(tree) - TEMPLATE_NAMES - env.globals.keys()
    if undeclared:
        raise unknown_tag(min(undeclared))
    bindings = _view_bindings(tree)
    for attribute in tree.find_all(nodes.Getattr):
        _static_view(attribute, bindings)
    return frozenset() if _is_stored(tree, "coupon") else _coupon_pools(tree)


def _is_stored(tree: nodes.Template, name: str) -> bool:
    return any(node.name == name and node.ctx != "load" for node in tree.find_all(nodes.Name))


def _view_bindings(tree: nodes.Template) -> dict[str, type[View]]:
    """Names whose view is known statically: the root views, and loop variables over view tuples."""
    origins: dict[str, set[type[View] | None]] = {}
    for_targets: set[int] = set()
    bindings = {name: view for name, view in TEMPLATE_VIEWS.items() if not _is_stored(tree, name)}
    for loop in tree.find_all(nodes.For):
        if isinstance(loop.target, nodes.Name):
            for_targets.add(id(loop.target))
            element = _element_view(loop.iter, bindings)
            origins.setdefault(loop.target.name, set()).add(element)
    for node in tree.find_all(nodes.Name):
        if node.ctx != "load" and id(node) not in for_targets:
            origins.setdefault(node.name, set()).add(None)
    for name, views in origins.items():
        view = next(iter(views)) if len(views) == 1 else None
        if view is not None and name not in TEMPLATE_VIEWS:
            bindings[name] = view
    return bindings


def _static_view(node: nodes.Node, bindings: Mapping[str, type[View]]) -> type[View] | None:
    """The view ``node`` evaluates to when that is known statically."""
    if isinstance(node, nodes.Name):
        return bindings.get(node.name) if node.ctx == "load" else None
    kind = _field_kind(node, bindings)
    return None if kind is None else kind.view


def _element_view(node: nodes.Node, bindings: Mapping[str, type[View]]) -> type[View] | None:
    """The view of the elements ``node`` holds (``order.items`` → item) when that is known."""
    kind = _field_kind(node, bindings)
    return None if kind is None else kind.element


def _field_kind(node: nodes.Node, bindings: Mapping[str, type[View]]) -> FieldKind | None:
    """What ``owner.attr`` holds when ``owner`` is a known view; an unknown field raises."""
    if not isinstance(node, nodes.Getattr):
        return None
    owner = _static_view(node.node, bindings)
    if owner is None:
        return None
    kind = view_fields(owner).get(node.attr)
    if kind is None:
        raise unknown_tag(f"{_dotted(node.node, owner)}.{node.attr}")
    return kind


def _dotted(node: nodes.Node, owner: type[View]) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node, owner)}.{node.attr}"
    return owner.LABEL


def _coupon_pools(tree: nodes.Template) -> frozenset[str]:
    pools: set[str] = set()
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "coupon"):
            continue
        literal = call.args[0] if len(call.args) == 1 and not call.kwargs else None
        pool = literal.value if isinstance(literal, nodes.Const) else None
        if call.dyn_args or call.dyn_kwargs or not isinstance(pool, str) or not POOL_PATTERN.fullmatch(pool):
            raise TemplateError(
                f'coupon() にはプール名をそのまま書いてください（例: coupon("THANKS10")、英数字と _ - で 40 字まで。'
                f"{_line_ja(call)}）",
                f'coupon() takes a literal pool name such as coupon("THANKS10") (letters, digits, _ and -, '
                f"up to 40; {_line_en(call)})",
                code="coupon_pool_name",
            )
        pools.add(pool)
    return frozenset(pools)


def _line_ja(node: nodes.Node) -> str:
    return f"{node.lineno}行目"


def _line_en(node: nodes.Node) -> str:
    return f"line {node.lineno}"


# -- the guards woven into the tree


def _internal(name: str, node: nodes.Node, *args: nodes.Node) -> nodes.Filter:
    return nodes.Filter(node, name, list(args), [], None, None, lineno=node.lineno)


def _literal_chars(body: list[nodes.Node]) -> int:
    """Literal text a body prints each time it runs (nested loops and macros count for themselves)."""
    total = 0
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.TemplateData):
            total += len(node.data)
        elif not isinstance(node, nodes.For | nodes.Macro | nodes.CallBlock):
            stack.extend(node.iter_child_nodes())
    return total


def _charged(body: list[nodes.Node], lineno: int) -> list[nodes.Node]:
    chars = _literal_chars(body)
    if not chars:
        return body
    charge = _internal(CHARGE, nodes.Const("", lineno=lineno), nodes.Const(chars, lineno=lineno))
    return [nodes.Output([charge], lineno=lineno), *body]


class _Guards(NodeTransformer):
    """Counts loop iterations, charges repeated literal text, checks built values (see the module doc)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _internal(LOOP_GUARD, node.iter)
        node.body = _charged(node.body, node.lineno)
        return node

    def visit_Macro(self, node: nodes.Macro) -> nodes.Node:
        self.generic_visit(node)
        node.body = _charged(node.body, node.lineno)
        return node

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.Node:
        self.generic_visit(node)
        node.body = _charged(node.body, node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [_internal(CHECKED, part) for part in node.nodes]
        return _internal(CHECKED, node)

    def visit_List(self, node: nodes.List) -> nodes.Node:
        self.generic_visit(node)
        return _internal(CHECKED, node)

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:
        self.generic_visit(node)
        return _internal(CHECKED, node)

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        self.generic_visit(node)
        return _internal(CHECKED, node) if node.ctx == "load" else node
