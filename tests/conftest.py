from pathlib import Path

import pandas as pd
import pytest

import wuxian.params as params

FIXTURE = Path(__file__).parent / "fixtures" / "params"


@pytest.fixture(scope="session")
def fixture_table():
    """A small Shanghai-only table (2025-01..2026-06) with hand-set values."""
    return params.load(FIXTURE)


@pytest.fixture
def fixture_dir(tmp_path):
    """A writable copy of the fixture table, for tests that break it on purpose."""
    for f in FIXTURE.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    return tmp_path


def payroll(**columns):
    """A payroll frame; scalars broadcast to the longest list."""
    n = max((len(v) for v in columns.values() if isinstance(v, list)), default=1)
    return pd.DataFrame({k: v if isinstance(v, list) else [v] * n for k, v in columns.items()})
