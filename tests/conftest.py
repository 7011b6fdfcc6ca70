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


def run_fixture(engine, table, **columns):
    """Run `engine` (contributions or gap) with base_method="current_month" on a payroll
    defaulting to one Shanghai 2025-07 employee."""
    columns.setdefault("employee_id", "e1")
    columns.setdefault("city", "shanghai")
    columns.setdefault("month", "2025-07")
    return engine(payroll(**columns), base_method="current_month", params=table)
