"""Static scans of the code base (no Django needed): error codes and cross-app model look-ups.

Used by the architecture tests next to this module. Both scans read the source with `ast`, so they see
what is written, not what happens to be imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "tracking", "warehouse", "picking")  # lowest layer first: each may import the ones before
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")  # snake_case, as every error code is


def source_files(apps: tuple[str, ...] = APPS, *, tests: bool = False) -> Iterator[tuple[str, ast.Module]]:
    """(path relative to the repository, parsed module) of every Python file of the apps, migrations
    excluded (and tests unless `tests`)."""
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or (not tests and "/tests/" in rel):
                continue
            yield rel, ast.parse(path.read_text(encoding="utf-8"), rel)


# --- Error codes -------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class CodeUse:
    """A place where an error code is written as a string (`code` is None for an f-string)."""

    path: str
    line: int
    code: str | None
    source: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source}"


def _string_values(expr: ast.expr | None) -> Iterator[ast.Constant | ast.JoinedStr]:
    """The strings an expression may evaluate to: a literal, either side of `a if c else b`, `a or b`."""
    if (isinstance(expr, ast.Constant) and isinstance(expr.value, str)) or isinstance(expr, ast.JoinedStr):
        yield expr
    elif isinstance(expr, ast.IfExp):
        yield from _string_values(expr.body)
        yield from _string_values(expr.orelse)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            yield from _string_values(value)


def _is_code_ref(expr: ast.expr) -> bool:
    """`x.code`, `x["code"]` or `x.get("code")`."""
    if isinstance(expr, ast.Attribute):
        return expr.attr == "code"
    if isinstance(expr, ast.Subscript):
        return isinstance(expr.slice, ast.Constant) and expr.slice.value == "code"
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get":
        first = expr.args[0] if expr.args else None
        return isinstance(first, ast.Constant) and first.value == "code"
    return False


def _code_parameter(node: ast.AST) -> int | None:
    """Position of the error-code parameter of a function or dataclass: one named `code` next to one
    named `detail` (`def err(field, code, detail)`, `Problem(index, code, detail, field)`)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        names = [a.arg for a in node.args.posonlyargs + node.args.args]
        names += [a.arg for a in node.args.kwonlyargs]
        positional = [a.arg for a in node.args.posonlyargs + node.args.args]
        if positional and positional[0] in ("self", "cls"):
            positional = positional[1:]
        if "code" in names and "detail" in names and "code" in positional:
            return positional.index("code")
        return None
    if isinstance(node, ast.ClassDef):
        fields = [
            s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        ]
        if "code" in fields and "detail" in fields:
            return fields.index("code")
    return None


class _CodeFinder(ast.NodeVisitor):
    """Finds every string written where an error code goes:

    - `code="..."` in any call (`DomainError(..., code=...)`, `ValidationError(..., code=...)`);
    - `{"code": "..."}` in dict literals (the `errors` items);
    - `code = "..."` (class attributes of DomainError subclasses, local variables), `x.code = "..."`;
    - `"..."` in the `code` position of a helper that takes `code` and `detail` (`err("...", detail)`,
      `Problem(index, "...", detail)`), resolved through the enclosing scopes and then by name;
    - the values of `*_CODES` collections and `code` parameter defaults;
    - `"..."` compared with `.code` / `["code"]` (`if error.code == "..."`, `in ("...", "...")`).
    """

    def __init__(self, path: str, global_params: dict[str, int | None]) -> None:
        self.path = path
        self.global_params = global_params
        self.scopes: list[dict[str, int | None]] = []
        self.uses: list[CodeUse] = []

    def add(self, expr: ast.expr | None) -> None:
        for value in _string_values(expr):
            if isinstance(value, ast.JoinedStr):
                self.uses.append(CodeUse(self.path, value.lineno, None, ast.unparse(value)))
            elif isinstance(value.value, str) and CODE_PATTERN.match(value.value):
                self.uses.append(CodeUse(self.path, value.lineno, value.value, repr(value.value)))

    def _local_params(self, body: list[ast.stmt]) -> dict[str, int | None]:
        """Functions and classes defined in this scope (inside loops and ifs too, not in nested scopes)."""
        params: dict[str, int | None] = {}
        pending: list[ast.AST] = list(body)
        while pending:
            node = pending.pop(0)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                params[node.name] = _code_parameter(node)
            elif isinstance(node, ast.stmt):
                pending.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
        return params

    def _scoped(self, node: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scopes.append(self._local_params(node.body))
        self.generic_visit(node)
        self.scopes.pop()

    def visit_Module(self, node: ast.Module) -> None:
        self._scoped(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._defaults(node)
        self._scoped(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._defaults(node)
        self._scoped(node)

    def _defaults(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = node.args
        positional = args.posonlyargs + args.args
        for arg, default in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        ):
            if arg.arg == "code":
                self.add(default)
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if arg.arg == "code":
                self.add(kw_default)

    def _code_position(self, func: ast.expr) -> int | None:
        name = (
            func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        )
        if name is None:
            return None
        if isinstance(func, ast.Name):
            for scope in reversed(self.scopes):
                if name in scope:
                    return scope[name]
        return self.global_params.get(name)

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == "code":
                self.add(keyword.value)
        position = self._code_position(node.func)
        starred = any(isinstance(a, ast.Starred) for a in node.args[: (position or 0) + 1])
        if position is not None and position < len(node.args) and not starred:
            self.add(node.args[position])
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "code":
                self.add(value)
        self.generic_visit(node)

    def _assigned(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            for t, v in zip(target.elts, value.elts, strict=False):
                self._assigned(t, v)
            return
        if (isinstance(target, ast.Name) and target.id == "code") or _is_code_ref(target):
            self.add(value)
        elif isinstance(target, ast.Name) and target.id.endswith("CODES") and value is not None:
            elements: list[ast.expr] = []
            if isinstance(value, ast.Set | ast.List | ast.Tuple):
                elements = list(value.elts)
            elif isinstance(value, ast.Dict):
                for item in value.values:
                    elements.extend(item.elts if isinstance(item, ast.Tuple) else [item])
            elif (
                isinstance(value, ast.Call)
                and value.args
                and isinstance(value.args[0], ast.Set | ast.List | ast.Tuple)
            ):
                elements = list(value.args[0].elts)  # frozenset({...})
            for element in elements:
                self.add(element)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node.target, node.value)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        sides = [node.left, *node.comparators]
        if any(_is_code_ref(side) for side in sides):
            for side in sides:
                if isinstance(side, ast.Tuple | ast.List | ast.Set):
                    for element in side.elts:
                        self.add(element)
                else:
                    self.add(side)
        self.generic_visit(node)


def error_code_uses(apps: tuple[str, ...] = APPS) -> list[CodeUse]:
    """Every error code written as a string literal (or built in an f-string) in the apps' code."""
    modules = list(source_files(apps))
    global_params: dict[str, int | None] = {}
    conflicting: set[str] = set()
    for _, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                position = _code_parameter(node)
                if position is None:
                    continue
                if global_params.get(node.name, position) != position:
                    conflicting.add(node.name)
                global_params[node.name] = position
    for name in conflicting:  # same name, different positions: only the enclosing scopes decide
        global_params[name] = None
    uses: list[CodeUse] = []
    for path, tree in modules:
        finder = _CodeFinder(path, global_params)
        finder.visit(tree)
        uses.extend(finder.uses)
    return sorted(set(uses))


# --- Model look-ups by name ---------------------------------------------------------------------------


def get_model_uses(apps: tuple[str, ...] = APPS) -> list[tuple[str, int, str]]:
    """(path, line, app label) of every `get_model("<app label>", ...)` / `get_model("<label>.<Model>")`
    in the apps' code, tests and migrations excluded."""
    found: list[tuple[str, int, str]] = []
    for path, tree in source_files(apps):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if name != "get_model" or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((path, node.lineno, first.value.split(".")[0]))
            else:
                found.append((path, node.lineno, "<not a literal>"))
    return found
