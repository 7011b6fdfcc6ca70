"""Parameter loading: the rules of wuxian.params.validate, each broken once on purpose."""

import pandas as pd
import pytest

import wuxian.params as params
from wuxian.errors import ParameterError


def _edit(folder, fn):
    path = folder / "shanghai.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = fn(rows)
    rows.to_csv(path, index=False)


def test_fixture_loads_and_resolves(fixture_table):
    t = fixture_table.in_force("shanghai", "2025-07")
    row = t[(t.item == "pension") & (t.category == "local_urban")].iloc[0]
    assert (row.base_floor, row.base_cap, row.employer_rate) == (7460, 37302, 0.16)


def test_specific_category_beats_all(fixture_table):
    t = fixture_table.in_force("shanghai", "2026-01")
    med = t[t.item == "medical"].set_index("category")
    assert pd.isna(med.loc["nonlocal_rural", "base_floor"])
    assert med.loc["local_urban", "base_floor"] == 7460


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda r: r.assign(base_floor=r.base_floor.where(r.item != "pension", "99999")),
         "base_floor above base_cap"),
        (lambda r: r.assign(employer_rate=r.employer_rate.where(r.item != "pension", "1.2")),
         "employer_rate outside"),
        (lambda r: r.assign(employee_rate=r.employee_rate.where(r.item != "pension", "-0.1")),
         "employee_rate outside"),
        (lambda r: r.assign(rounding=r.rounding.where(r.item != "injury", "nearest:0.05")),
         "rounding"),
        (lambda r: r.assign(confidence=r.confidence.where(r.item != "injury", "sure")),
         "confidence"),
        (lambda r: r.assign(source=r.source.where(r.item != "injury", "")), "source"),
        (lambda r: r.assign(item=r.item.where(r.item != "injury", "injuries")), "item"),
        (lambda r: r.assign(period_start=r.period_start.where(r.item != "injury", "2025-7")),
         "period_start"),
        (lambda r: pd.concat([r, r[r.item == "pension"].head(1)]), "overlapping"),
        (lambda r: r[~((r.item == "pension") & (r.period_start == "2025-07"))], "gaps"),
        (lambda r: r[r.item != "maternity"], "maternity"),
        (lambda r: r.assign(period_end=r.period_end.where(r.item != "maternity", "2026-12")),
         "coverage"),
        (lambda r: r.drop(columns=["notes"]), "notes"),
    ],
)
def test_broken_table_is_refused(fixture_dir, edit, message):
    _edit(fixture_dir, edit)
    with pytest.raises(ParameterError, match=message):
        params.load(fixture_dir)


def test_error_names_file_and_line(fixture_dir):
    _edit(fixture_dir, lambda r: r.assign(base_floor=r.base_floor.where(r.index != 3, "99999")))
    with pytest.raises(ParameterError, match=r"shanghai.csv line 5"):
        params.load(fixture_dir)


def test_blank_is_not_zero(fixture_table):
    cube = fixture_table.compile()
    key = cube.keys([1], [3], [params.month_index("2026-02")])
    assert pd.isna(cube.field("base_floor", "medical")[key][0])
    # a non-charged item needs no base: its blanks compile to a 0 base, never a 0 rate
    assert cube.field("base_cap", "maternity")[key][0] == 0


def test_in_force_outside_coverage(fixture_table):
    with pytest.raises(LookupError, match="outside the data for shanghai"):
        fixture_table.in_force("shanghai", "2030-01")
