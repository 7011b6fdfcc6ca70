"""wuxian.gap on the fixture table (Shanghai 2025-07: floor 7460, cap 37302; pension 16/8,
medical 10/2, unemployment 0.5/0.5, injury 0.16, housing fund 7/7 to the yuan, HF floor 2690)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import payroll, run_fixture
from wuxian.errors import InputError
from wuxian.gap import gap, gap_scan, gap_summary, wage_band
from wuxian.params import ITEMS

TOTAL_RATE = {"employer": 0.16 + 0.10 + 0.005 + 0.0016 + 0.07, "employee": 0.08 + 0.02 + 0.005 + 0.07}


def run(table, **cols):
    return run_fixture(gap, table, **cols)


def test_basic_salary_declared(fixture_table):
    g = run(fixture_table, wage=[20000.0], base_salary=[8000.0]).iloc[0]
    # lawful 20000: employee 1600 + 400 + 100 + 1400 = 3500; declared 8000: 640+160+40+560=1400
    assert g.lawful_employee_total == 3500 and g.declared_employee_total == 1400
    assert g.gap_employee_total == 2100 and g.gap_housing_fund == 1680
    assert g.gap_pension_account == 960
    assert g.flag_underdeclared and not g.flag_below_floor and not g.flag_above_wage


def test_wage_above_cap_gap_limited_by_cap(fixture_table):
    g = run(fixture_table, wage=[60000.0], declared_base=[30000.0]).iloc[0]
    # lawful pension base is the cap 37302: gap = (37302 - 30000) x 8% = 584.16
    assert g.gap_pension_employee == pytest.approx(584.16)
    assert g.gap_housing_fund_employee == round(37302 * 0.07) - 30000 * 0.07


def test_declared_below_floor_lawful_floor_applies(fixture_table):
    g = run(fixture_table, wage=[9000.0], base_salary=[3000.0]).iloc[0]
    assert g.flag_below_floor
    # declared 3000 is raised to the floor 7460 for social insurance, HF floor 2690 < 3000
    assert g.gap_pension_employee == pytest.approx((9000 - 7460) * 0.08)
    assert g.gap_housing_fund_employee == 630 - 210


def test_declared_above_wage_flag_and_strict(fixture_table):
    g = run(fixture_table, wage=[9000.0], declared_base=[10000.0])
    assert g.flag_above_wage.iloc[0] and g.gap_employee_total.iloc[0] < 0
    with pytest.raises(InputError, match=r"above the wage in row 1\b"):
        gap(payroll(employee_id="a", city="shanghai", month="2025-07", wage=9000.0,
                    declared_base=10000.0), base_method="current_month",
            params=fixture_table, strict=True)


@pytest.mark.parametrize("cols, message", [
    (dict(wage=[9000.0]), "no declared_base"),
    (dict(wage=[9000.0, 9000.0], employee_id=["a", "b"], base_salary=[1.0, None]),
     r"both blank in row 2\b"),
    (dict(wage=[9000.0], declared_base=[-1.0]), "declared_base: fails"),
])
def test_bad_declared_base(fixture_table, cols, message):
    with pytest.raises(InputError, match=message):
        run(fixture_table, **cols)


def test_summary_by_employer_and_band(fixture_table):
    df = payroll(employee_id=["a", "b", "c"], employer_id=["X", "X", "Y"], city="shanghai",
                 month="2025-07", wage=[20000.0, 50000.0, 9000.0],
                 base_salary=[8000.0, 45000.0, 9000.0])
    s = gap_summary(gap(df, base_method="current_month", params=fixture_table),
                    by=["employer_id"]).set_index("employer_id")
    assert s.loc["X", "workers"] == 2 and s.loc["X", "workers_affected"] == 1
    assert s.loc["Y", "workers_affected"] == 0 and s.loc["Y", "gap_employer_total"] == 0
    # b: 45000 and 50000 are both above the cap -> no gap
    assert s.loc["X", "gap_employee_total"] == 2100
    bands = gap_summary(gap(df, base_method="current_month", params=fixture_table),
                        by=["city", "year", "wage_band"])
    assert bands.workers.sum() == 3
    assert list(wage_band([0, 4999.99, 5000])) == ["0-5000", "0-5000", "5000-8000"]


def test_scan_is_monotone(fixture_table):
    s = gap_scan("shanghai", "2025-07", 30000, params=fixture_table)
    assert (np.diff(s.gap_employer_total) <= 1e-9).all()
    assert s.gap_employee_total.iloc[-1] == 0 and s.flag_below_floor.iloc[0]


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 80000, allow_nan=False), st.floats(0, 1, allow_nan=False))
def test_invariants(fixture_table, wage, share):
    declared = round(wage * share, 2)
    g = run(fixture_table, wage=[wage], declared_base=[declared]).iloc[0]
    same = run(fixture_table, wage=[wage], declared_base=[wage]).iloc[0]
    assert same.gap_employer_total == 0 and same.gap_employee_total == 0
    for side in ("employer", "employee"):
        gap_side = g[f"gap_{side}_total"]
        assert gap_side >= 0
        # bounded by the base difference x total rate, plus one rounding step per item
        # (both amounts are rounded: 0.01 per fen-rounded item, 1 yuan for the housing fund)
        slack = 0.01 * len(ITEMS) + 1
        assert gap_side <= (wage - declared) * TOTAL_RATE[side] + slack


def test_pension_effect_is_linear_in_the_gap():
    """Loss at retirement = difference of two pension runs; checked against the formula of
    国发〔2005〕38号 with the intermediate values the pension model reports."""
    from wuxian.gap import gap_pension_effect
    from wuxian.pension import pension_at_retirement

    df = payroll(employee_id="a", city="shanghai", month=[f"2024-{m:02d}" for m in range(1, 13)],
                 wage=20000.0, base_salary=8000.0)
    g = gap(df, base_method="current_month")
    people = pd.DataFrame({"employee_id": ["a"], "birth_month": ["1990-06"], "track": ["male"],
                           "hukou_city": ["上海"]})
    loss = gap_pension_effect(g, people).iloc[0]
    full = pension_at_retirement(g[["employee_id", "city", "month"]].assign(
        base=g.lawful_base_si), people).iloc[0]
    # basic pension: calc_base x (sum of index differences / 12) x 1% / 2; the index of a month
    # is base / average wage, so the difference scales with (20000 - 8000) / 20000
    index_diff = full.mean_index * (20000 - 8000) / 20000
    assert loss.lost_basic_pension == pytest.approx(full.calc_base * index_diff * 0.005)
    # account: 8% of the base gap, with the same interest as the full history
    assert loss.lost_account_balance == pytest.approx(full.account_balance * 12000 / 20000)
    assert loss.lost_account_pension == pytest.approx(loss.lost_account_balance / full.payout_months)
    assert loss.lost_monthly_pension == pytest.approx(loss.lost_basic_pension
                                                      + loss.lost_account_pension)
