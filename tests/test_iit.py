"""Income tax and net pay (wuxian.iit). Sources cited per test."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from wuxian.errors import InputError
from wuxian.iit import bonus_tax, bracket_tax, check_quick_deductions, load_brackets, net_pay


def _df(wage=20000.0, months=range(1, 13), year=2024, si=2000.0, hf=2400.0, **extra):
    n = len(list(months))
    d = pd.DataFrame({"employee_id": "e1", "city": "beijing",
                      "month": [f"{year}-{m:02d}" for m in months], "wage": wage,
                      "social_insurance_employee": si, "housing_fund_employee": hf,
                      "employee_total": si + hf})
    for k, v in extra.items():
        d[k] = v
    return d


def test_tables_as_in_law():
    # 个人所得税法(2018修正)附表一 / 公告2018年第61号 预扣率表一; 2011修正 附表一; 财税〔2018〕98号
    t = load_brackets()
    cum = t[t.regime == "cumulative_annual"]
    assert cum.upper.tolist()[:6] == [36000, 144000, 300000, 420000, 660000, 960000]
    assert cum.rate.tolist() == [0.03, 0.10, 0.20, 0.25, 0.30, 0.35, 0.45]
    assert cum.quick_deduction.tolist() == [0, 2520, 16920, 31920, 52920, 85920, 181920]
    old = t[t.regime == "monthly_3500"]
    assert old.quick_deduction.tolist() == [0, 105, 555, 1005, 2755, 5505, 13505]
    assert old.basic_deduction.iloc[0] == 3500
    q4 = t[t.regime == "monthly_5000"]
    assert q4.quick_deduction.tolist() == [0, 210, 1410, 2660, 4410, 7160, 15160]
    assert t[t.regime == "bonus_separate"].period_end.iloc[0] == "2027-12"  # 2023年第30号


def test_quick_deductions_recomputed_from_brackets():
    chk = check_quick_deductions()
    assert chk["ok"].all(), chk[~chk.ok]


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 2_000_000))
def test_max_formula_equals_progressive_sum(x):
    t = load_brackets().query("regime == 'cumulative_annual'")
    lo, up = t.lower.to_numpy(), t.upper.fillna(np.inf).to_numpy()
    progressive = float(np.sum((np.clip(x, lo, up) - lo) * t.rate))
    assert bracket_tax([x], "cumulative_annual")[0] == pytest.approx(progressive, abs=0.01)


def test_steady_wage_twelve_months():
    # 20000/month, SI 2000, HF 2400 -> 10600 taxable a month (公告2018年第61号 累计预扣法)
    r = net_pay(_df())
    expected = [318, 318, 318, 766, 1060, 1060, 1060, 1060, 1060, 1060, 1060, 1060]
    assert r["iit"].tolist() == expected
    assert r["iit"].sum() == pytest.approx(bracket_tax([127200], "cumulative_annual")[0])
    assert r["net_pay"].iloc[0] == 20000 - 4400 - 318


def test_order_and_mid_year_start():
    d = _df(months=range(5, 9)).iloc[::-1]            # starts May, given in reverse
    r = net_pay(d)
    # months counted from May: 10600 each month, 5000 deducted per month worked
    assert r.sort_values("month")["iit"].tolist() == [318, 318, 318, 766]


def test_special_deductions_and_hf_cap():
    d = _df(months=[1], sd=3000.0, base_hf=10000.0, hf=2400.0)
    r = net_pay(d, special_deductions="sd")
    # HF deductible capped at 12% x 10000 = 1200 (财税〔2006〕10号): 20000-2000-1200-3000-5000
    assert r["iit"].iloc[0] == pytest.approx(8800 * 0.03)


def test_pre2019_monthly_regimes():
    r = net_pay(_df(months=[9, 10], year=2018, wage=10000.0, si=1000.0, hf=0.0))
    # 2018-09: 9000-3500=5500 -> 5500*20%-555=545 ; 2018-10: 9000-5000=4000 -> 4000*10%-210=190
    assert r["iit"].tolist() == [545.0, 190.0]


def test_bonus_separate_and_combined():
    d = _df(months=[12], annual_bonus=36000.0)
    sep = net_pay(d)
    assert sep["iit_bonus"].iloc[0] == 1080.0           # 36000/12=3000 -> 3%
    comb = net_pay(d, bonus_method="combined")
    assert comb["iit_bonus"].iloc[0] == 0
    assert comb["iit"].iloc[0] == bracket_tax([10600 + 36000], "cumulative_annual")[0]
    assert bonus_tax([36001])[0] == pytest.approx(3390.1)


def test_errors():
    with pytest.raises(InputError, match="month: no income tax table covers row 1"):
        net_pay(_df(months=[1], year=2010))
    with pytest.raises(InputError, match="annual_bonus: separate bonus taxation not in force"):
        net_pay(_df(months=[1], year=2028, annual_bonus=1000.0))
    with pytest.raises(InputError, match="wage: negative value in row 2"):
        net_pay(_df(months=[1, 2], wage=[1.0, -1.0]))
    with pytest.raises(InputError, match="same month twice"):
        net_pay(pd.concat([_df(months=[1]), _df(months=[1])]))
    with pytest.raises(InputError, match="bonus_method"):
        net_pay(_df(months=[1]), bonus_method="x")


def test_many_employees_match_single():
    d = pd.concat([_df().assign(employee_id=f"e{i}", wage=10000.0 + 1000 * i) for i in range(5)])
    r = net_pay(d.sample(frac=1, random_state=1))
    for i in range(5):
        single = net_pay(_df(wage=10000.0 + 1000 * i))["iit"].to_numpy()
        got = r[r.employee_id == f"e{i}"].sort_values("month")["iit"].to_numpy()
        assert np.allclose(got, single)
