"""The import graph keeps its layers: bundle and export apart, click only in the CLI, no private names borrowed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "littrack"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> list[tuple[str, str | None]]:
    """(module, name) for every import anywhere in the file, functions' lazy imports too; name None for `import m`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.extend((base, alias.name) for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    """Module -> the modules it imports (`from littrack import x` counts as importing littrack.x)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        graph[module] = {f"{base}.{name}" if base == "littrack" and name else base
                         for base, name in _imports(path, module)}
    return graph


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


GRAPH = _graph()


def test_the_scan_sees_lazy_imports() -> None:
    # The CLI imports its core modules inside the commands: a scan that missed those would pass anything.
    assert "littrack.export.references" in GRAPH["littrack.cli.export"]
    assert "click" in GRAPH["littrack.cli.export"]


@pytest.mark.parametrize(("importer", "imported"), [("littrack.bundle", "littrack.export"),
                                                    ("littrack.export", "littrack.bundle")])
def test_bundle_and_export_do_not_import_each_other(importer: str, imported: str) -> None:
    wrong = sorted(f"{m} imports {i}" for m, deps in GRAPH.items() if _in(m, importer)
                   for i in deps if _in(i, imported))
    assert wrong == []


def test_only_the_cli_imports_click() -> None:
    wrong = sorted(m for m, deps in GRAPH.items() if not _in(m, "littrack.cli") and any(_in(d, "click") for d in deps))
    assert wrong == []


@pytest.mark.parametrize("folder", [PACKAGE, ROOT / "bench"], ids=["src", "bench"])
def test_no_private_names_imported_from_littrack(folder: Path) -> None:
    wrong = []
    for path in sorted(folder.rglob("*.py")):
        module = _module_name(path) if folder == PACKAGE else path.stem
        wrong += [f"{path.relative_to(ROOT)}: {base}.{name}" for base, name in _imports(path, module)
                  if _in(base, "littrack") and name and name.startswith("_") and not name.startswith("__")]
    assert wrong == []
