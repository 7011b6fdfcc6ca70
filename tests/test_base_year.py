"""``base_method="base_year"``: the base declared once per base year (issue 16).

Expected values are computed here by hand from the rule's text (人社部令第20号 art. 8: the
previous year's monthly average of total wages, held for the base year; new hires: the first
month's wage; bonuses count in 工资总额, 国家统计局《关于工资总额组成的规定》 art. 4) and the base
years of ``data/national/base_rules.csv`` (Beijing: July to June, the previous calendar year's
average; Shenzhen: the month's wage). Floors and caps are the published values in
``data/params`` (Beijing 2025-07..2026-06: 7,162 / 35,811, 京人社发〔2025〕11号).
"""

import numpy as np
import pandas as pd
import pytest

import wuxian
from wuxian import stream
from wuxian.io import write_table


def _months(*years):
    return [f"{y}-{m:02d}" for y in years for m in range(1, 13)]


def _one(city, wages, months, **extra):
    return pd.DataFrame({"employee_id": "a", "city": city, "month": months, "wage": wages,
                         **extra})


def _at(out, month, col):
    return float(out.loc[out["month"] == month, col].iloc[0])


def test_beijing_base_year_holds_the_previous_year_average():
    """The issue's case: 10,000 a month in 2023, 20,000 in 2024. 2024-07..2025-06 is declared
    on the 2023 average (10,000): employee pension 8% = 800 in 2025-01, not 1,600."""
    df = _one("beijing", [10000.0] * 12 + [20000.0] * 24, _months(2023, 2024, 2025))
    out = wuxian.contributions(df, base_method="base_year")
    assert _at(out, "2025-01", "pension_employee") == 800.0
    assert _at(out, "2025-06", "pension_employee") == 800.0
    assert _at(out, "2025-07", "pension_employee") == 1600.0  # 2025-07.. on the 2024 average
    assert _at(out, "2024-07", "base_si") == 10000.0
    assert not out.loc[out["month"] >= "2024-07", "base_fallback"].any()


def test_bonus_counts_in_the_average():
    """10,000 x 12 plus a 60,000 year-end bonus in 2023: (120,000 + 60,000) / 12 = 15,000."""
    bonus = [None] * 11 + [60000.0] + [None] * 12
    df = _one("beijing", [10000.0] * 24, _months(2023, 2024), bonus=bonus)
    out = wuxian.contributions(df, base_method="base_year")
    assert _at(out, "2024-07", "base_si") == 15000.0
    assert _at(out, "2024-07", "pension_employee") == 1200.0
    assert _at(out, "2023-12", "base_si") == 10000.0  # the bonus month's own base: unchanged


def test_new_hire_keeps_the_first_month_until_the_next_base_year():
    """Hired in 2024-09 at 12,000, raised to 14,000 in 2024-11: the base stays 12,000 through
    2025-06; 2025-07.. uses the 2024 average of the months worked, (2 x 12,000 + 2 x 14,000)
    / 4 = 13,000."""
    months = ["2024-09", "2024-10", "2024-11", "2024-12"] + _months(2025)
    df = _one("beijing", [12000.0] * 2 + [14000.0] * 14, months)
    out = wuxian.contributions(df, base_method="base_year")
    assert _at(out, "2025-06", "base_si") == 12000.0 and _at(out, "2025-03", "base_fallback")
    assert _at(out, "2025-07", "base_si") == 13000.0
    assert not _at(out, "2025-07", "base_fallback")


def test_average_below_the_floor_and_above_the_cap_is_clipped_in_the_month_charged():
    """Averages of 3,000 and 90,000 in 2024 give 2025-07 pension bases at the Beijing floor
    7,162 and cap 35,811 (京人社发〔2025〕11号); the unclipped lawful base stays visible in gap."""
    months = _months(2024) + ["2025-07"]
    df = pd.concat([_one("beijing", [3000.0] * 13, months),
                    _one("beijing", [90000.0] * 13, months).assign(employee_id="b")])
    out = wuxian.contributions(df, base_method="base_year")
    july = out[out["month"] == "2025-07"]
    assert july["base_si"].tolist() == [7162.0, 35811.0]
    gaps = wuxian.gap(df.assign(base_salary=3000.0), base_method="base_year")
    assert gaps.loc[gaps["month"] == "2025-07", "lawful_base"].tolist() == [3000.0, 90000.0]


def test_shenzhen_declares_the_month_wage():
    df = _one("shenzhen", [10000.0] * 12 + [20000.0] * 12, _months(2024, 2025))
    out = wuxian.contributions(df, base_method="base_year")
    assert _at(out, "2025-01", "base_si") == 20000.0


def test_declared_base_overrides_the_base_year():
    df = _one("beijing", [10000.0] * 24, _months(2024, 2025), declared_base=9000.0)
    out = wuxian.contributions(df, base_method="base_year")
    assert set(out["base_si"]) == {9000.0}


def _cohort(seed=3, n=60):
    """Several years, hires, leavers, raises and bonuses, in Beijing, Shanghai, Shenzhen."""
    rng = np.random.default_rng(seed)
    rows = []
    months = _months(2021, 2022, 2023, 2024, 2025)
    for e in range(n):
        start, stop = sorted(rng.integers(0, len(months) + 1, 2))
        city = ["beijing", "shanghai", "shenzhen"][e % 3]
        wage = float(rng.integers(4000, 40000))
        for k in range(start, max(stop, start + 1)):
            wage = round(wage * (1.05 if k % 12 == 0 else 1.0), 2)
            bonus = float(rng.integers(0, 50000)) if k % 12 == 11 and rng.random() < 0.5 else None
            rows.append((f"E{e:03d}", city, months[k % len(months)], wage, bonus))
    df = pd.DataFrame(rows, columns=["employee_id", "city", "month", "wage", "bonus"])
    df = df.drop_duplicates(["employee_id", "month"])
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # unsorted


@pytest.mark.parametrize("command", ["contributions", "gap"])
def test_stream_equals_memory(tmp_path, command):
    df = _cohort()
    if command == "gap":
        df = df.assign(base_salary=(df["wage"] * 0.6).round(2))
    src = tmp_path / "p.csv"
    write_table(df, src)
    text = pd.read_csv(src, dtype=str, keep_default_na=False)
    engine = wuxian.gap if command == "gap" else wuxian.contributions
    memory = engine(text, base_method="base_year")
    stream.stream_file(src, tmp_path / "o.csv", command, "base_year", chunk_rows=37,
                       progress=False)
    streamed = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    expected = memory.astype(str).replace({"nan": "", "True": "True", "False": "False"})
    for col in ("base_si", "pension_employer", "housing_fund_employee", "employer_total"):
        if col in streamed:
            np.testing.assert_array_equal(streamed[col].astype(float), memory[col].astype(float))
    if command == "gap":
        np.testing.assert_array_equal(streamed["lawful_base"].astype(float),
                                      memory["lawful_base"].astype(float))
    assert len(expected) == len(streamed)


def test_dask_equals_memory():
    dd = pytest.importorskip("dask.dataframe")
    import dask

    df = _cohort(seed=5)
    text = df.astype(str).replace({"None": "", "nan": ""})
    memory = wuxian.contributions(text, base_method="base_year")
    from wuxian import dask as wdask

    with dask.config.set(scheduler="synchronous"):
        result = wdask.contributions(dd.from_pandas(text, npartitions=4),
                                     base_method="base_year").compute()
    for col in ("base_si", "base_hf", "pension_employee", "employer_total", "base_fallback"):
        np.testing.assert_array_equal(result[col].to_numpy(), memory[col].to_numpy())


def test_gap_summary_by_base_year():
    df = pd.DataFrame({"employee_id": ["a", "a", "b"], "city": ["北京", "beijing", "shenzhen"],
                       "month": ["2025-06", "2025-07", "2025-03"], "wage": 20000.0,
                       "base_salary": 8000.0})
    s = wuxian.gap_summary(wuxian.gap(df, base_method="base_year"), by=["city", "base_year"])
    assert s[["city", "base_year"]].values.tolist() == [
        ["beijing", "2024-07..2025-06"], ["beijing", "2025-07..2026-06"], ["shenzhen", "2025"]]
