"""environment.yml (conda) stays in step with pyproject.toml (pip)."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _names(specs):
    return {re.split(r"[<>=!\[ ]", s.strip(), maxsplit=1)[0].lower() for s in specs}


def test_conda_environment_lists_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"] + project["optional-dependencies"]["test"])
    lines = [ln.split("#")[0].strip() for ln in (ROOT / "environment.yml").read_text().splitlines()]
    listed = _names(ln.lstrip("- ").strip() for ln in lines if ln.startswith("- "))
    assert wanted <= listed, wanted - listed
