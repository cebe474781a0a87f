"""The structure: module imports run one way, none after code, none hidden in functions.

``python tests/test_architecture.py`` prints each module's layer and what it imports
(the data behind ``docs/architecture.md``).
"""

from __future__ import annotations

import ast
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "summarizer"
# function-level imports are for optional extras only: the embedded model, tiktoken (the
# server extra), the eval stack (numpy, scipy, rouge-score under the eval extra), and the
# OpenAI-compatible backend, whose SDK takes seconds to import and only --base-url needs
OPTIONAL = {
    "llama_cpp",
    "tiktoken",
    "huggingface_hub",  # hf: model references only
    "trafilatura",  # news pages only
    "summarizer.evaluation.harness",
    "summarizer.evaluation.gate",
    "summarizer.evaluation.report",
    "summarizer.backends.openai_compat",
    "summarizer.backends.decoding",  # our decoding loop: llama_cpp and numpy at its top
    "summarizer.runners.ray",  # the ray extra (Ray, pyarrow) behind --engine ray
    "pyarrow",  # the same extra: loading reads Parquet inputs with it when it is there
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str, node: ast.ImportFrom | ast.Import, known: dict[str, Path]) -> list[str]:
    """The modules of the package an import statement in module ``name`` loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "summarizer"]
    if node.level:
        is_package = known[name].name == "__init__.py"
        base = name.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if target.split(".")[0] != "summarizer":
        return []
    found = []
    for alias in node.names:  # ``from . import render`` loads the module render
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in known else target)
    return list(dict.fromkeys(found))


def _type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports at module level (TYPE_CHECKING aside)."""
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[name] = set()
        for node in tree.body:
            if _type_checking(node):
                continue
            for inner in ast.walk(node) if isinstance(node, ast.Try) else [node]:
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    edges[name].update(t for t in _resolve(name, inner, known) if t != name)
    return edges


def layers(edges: dict[str, set[str]]) -> dict[str, int]:
    """Each module's layer: 0 imports no package module, n is above everything it imports."""
    order = list(TopologicalSorter(edges).static_order())
    level: dict[str, int] = {}
    for name in order:
        level[name] = 1 + max((level[d] for d in edges[name]), default=-1)
    return level


def test_imports_form_no_cycle() -> None:
    try:
        layers(graph())
    except CycleError as exc:
        raise AssertionError(f"an import runs back up: {' -> '.join(exc.args[1])}") from None


def test_nothing_imports_the_package_root() -> None:
    # the root re-exports the API; a module reading it (``from . import __version__``)
    # would import the package from inside itself
    offenders = [name for name, deps in graph().items() if "summarizer" in deps]
    assert offenders == []


# The wings and what each may import from the rest of the package. Read top to bottom: the
# commands drive the runners, the runners one pipeline, the pipeline the strategies, which ask
# the backends and use the timeline, summary and guard wings; those use the shared text modules.
# A module not named here (schemas, dates, segment, ...) is shared ground: anyone may use it.
_ABOVE_THE_TEXT = {"cli", "evaluation", "runners", "pipeline", "strategies", "backends", "ask"}
_WINGS = {"timeline", "summary", "guard"}  # they share only what lies below them
FORBIDDEN: dict[str, set[str]] = {
    "runners": {"cli", "evaluation"},
    "pipeline": {"cli", "evaluation", "runners"},
    "strategies": {"cli", "evaluation", "runners", "pipeline"},
    "backends": (_ABOVE_THE_TEXT - {"backends"}) | _WINGS,
    **{wing: _ABOVE_THE_TEXT | (_WINGS - {wing}) for wing in _WINGS},
    "dates": _ABOVE_THE_TEXT | _WINGS | {"loading"},
}


def _area(module: str) -> str:
    """The wing (or top-level module) a module belongs to: ``summarizer.timeline.events`` ->
    ``timeline``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_each_wing_imports_only_what_lies_below_it() -> None:
    broken = []
    for name, deps in graph().items():
        forbidden = FORBIDDEN.get(_area(name), set())
        broken += [f"{name} -> {dep}" for dep in deps if _area(dep) in forbidden]
    assert broken == []


def test_the_top_of_the_package_shows_the_stages() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= 18, loose


def test_no_import_after_code_and_none_in_functions_but_optional_extras() -> None:
    known = modules()
    late, hidden = [], []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        code_seen = False
        for node in tree.body:
            is_import = (
                isinstance(node, (ast.Import, ast.ImportFrom))
                or _type_checking(node)
                or (
                    isinstance(node, ast.Try)
                    and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in node.body)
                )
            )
            docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            if is_import and code_seen:
                late.append(f"{name}:{node.lineno}")
            elif not is_import and not docstring:
                code_seen = True
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import):
                        targets = [a.name for a in inner.names]
                    elif isinstance(inner, ast.ImportFrom):
                        targets = _resolve(name, inner, known) or [inner.module or ""]
                    else:
                        continue
                    if not all(t.split(".")[0] in OPTIONAL or t in OPTIONAL for t in targets):
                        hidden.append(f"{name}:{inner.lineno} {', '.join(targets)}")
    assert late == [] and hidden == []


if __name__ == "__main__":
    edges = graph()
    level = layers(edges)
    for name in sorted(edges, key=lambda n: (-level[n], n)):
        deps = ", ".join(sorted(d.removeprefix("summarizer.") for d in edges[name]))
        print(
            f"{level[name]:>2}  {name.removeprefix('summarizer.') or 'summarizer'}: {deps}",
            file=sys.stdout,
        )
