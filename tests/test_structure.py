"""The package's shape (issue 15): no private name crosses a module boundary, and each
concern named in the issue has one home."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "wuxian"


def _imports():
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or
                                                     (node.module or "").startswith("wuxian")):
                yield path, node


def test_no_private_name_is_imported_across_modules():
    crossing = [f"{p.relative_to(PACKAGE)}:{n.lineno} {a.name}" for p, n in _imports()
                for a in n.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert crossing == []


def _defined(name: str) -> list:
    return [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef) and node.name == name]


def test_one_home_per_concern():
    homes = {"month_numbers": ["months.py"], "month_label": ["months.py"],
             "prior_year_average": ["base.py"], "check_base_method": ["base.py"],
             "read_data_csv": ["datafiles.py"], "csv_encoding": ["io.py"],
             "summary_partial": ["gap.py"], "city_names": ["schema.py"]}
    assert {name: _defined(name) for name in homes} == homes
    assert not _defined("_ym") and not _defined("to_month_index")
