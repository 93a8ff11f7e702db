"""The layout a reader finds: pages and modules short enough to read in one go, and tests that import only helpers.

A test module that imports another runs that module's tests' setup twice and ties two files a reader expects to be
separate; what tests share lives in helper modules (browser, pagetest, conftest, learner_files, ...).
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMITS = {"app_pages": 160, "core": 310, "ui": 310}   # lines: a page reads "widgets -> core -> figure"


def imported(path: Path) -> set[str]:
    """The modules ``path`` imports, as names inside tests/ would read (``tests.browser`` is ``browser``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names |= {module} | {f"{module}.{alias.name}".lstrip(".") for alias in node.names}
    return {name.removeprefix("tests.").split(".")[0] for name in names if name}


def test_no_test_module_imports_another():
    tests = {p.stem: p for p in (ROOT / "tests").glob("test_*.py")}
    importing = {name: sorted(imported(path) & tests.keys()) for name, path in tests.items()}
    assert {name: others for name, others in importing.items() if others} == {}


def test_no_page_or_module_is_over_its_length():
    long = {}
    for folder, limit in LIMITS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > limit:
                long[path.relative_to(ROOT).as_posix()] = f"{lines} lines, over {limit}"
    assert long == {}
