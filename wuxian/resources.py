"""Where the package's data and notebooks are: one resolver for every bundled file.

The repository keeps ``data/`` and ``notebooks/`` at its top; the wheel carries them inside
the package as ``wuxian/_data`` and ``wuxian/_notebooks`` (``pyproject.toml`` maps them).
Every module asks this one for a path, so the package runs the same from a source checkout,
an editable install or a wheel installed anywhere.

Examples
--------
>>> (data_dir() / "params" / "coverage.csv").is_file()
True
>>> data_path("national", "payout_months.csv").name
'payout_months.csv'
>>> notebook_path("city_report.ipynb").is_file()
True
"""

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(installed: str, checkout: str) -> Path:
    inside = _PACKAGE / installed
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


@cache
def data_dir() -> Path:
    """The folder holding ``params/``, ``national/``, ``registry/``, ``procedures/``, ``samples/``.

    The environment variable ``WUXIAN_DATA`` names another such folder (a whole dataset of
    one's own, e.g. with a city or an item added); it is read when wuxian is first imported.
    """
    own = os.environ.get("WUXIAN_DATA")
    return Path(own).resolve() if own else _bundled("_data", "data")


@cache
def notebooks_dir() -> Path:
    """The folder holding the report notebooks."""
    return _bundled("_notebooks", "notebooks")


def data_path(*parts: str) -> Path:
    """A bundled data file or folder, e.g. ``data_path("national", "avg_wage.csv")``."""
    return data_dir().joinpath(*parts)


def notebook_path(name: str) -> Path:
    """A bundled report notebook by file name."""
    return notebooks_dir() / name


def shown(path) -> str:
    """A path as messages show it: ``data/national/x.csv`` for a bundled file, else in full.

    >>> shown(data_path("national", "avg_wage.csv"))
    'data/national/avg_wage.csv'
    """
    path = Path(path).resolve()
    try:
        return "data/" + path.relative_to(data_dir()).as_posix()
    except ValueError:
        return str(path)
