"""Retirement dates, 计发月数 and hand-checked pensions (wuxian.retirement, wuxian.pension).

Sources of expected values:
- retirement months: 国务院关于渐进式延迟法定退休年龄的办法 对照表 附件1–3 (NPC decision
  2024-09-13), first and last affected birth months of each track;
- 计发月数: 国发〔2005〕38号 附件;
- pensions: hand arithmetic in the comments, from data/national/*.csv values.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuxian.errors import InputError, MissingParameterError
from wuxian.pension import (Assumptions, pension_at_retirement, pension_from_file_frame,
                            project_history)
from wuxian.retirement import (min_contribution_years, payout_months, retirement_bounds,
                               retirement_month, statutory_age_months)


# ---------------------------------------------------------------- retirement months (附件1–3)
@pytest.mark.parametrize("birth, track, expected", [
    ("1964-12", "male", "2024-12"),       # before the reform: 60
    ("1965-01", "male", "2025-02"),       # first affected: 60y1m (附件1 first row)
    ("1965-04", "male", "2025-05"),       # same 4-month group: 60y1m
    ("1965-05", "male", "2025-07"),       # next group: 60y2m
    ("1970-01", "male", "2031-05"),       # 61y4m
    ("1976-09", "male", "2039-09"),       # 63: last row of 附件1
    ("1976-12", "male", "2039-12"),
    ("1980-06", "male", "2043-06"),       # fully delayed: 63
    ("1969-12", "female_55", "2024-12"),  # before the reform: 55
    ("1970-01", "female_55", "2025-02"),  # 55y1m (附件2 first row)
    ("1975-06", "female_55", "2031-11"),  # (65 // 4) + 1 = 17 months: 55y + 17m = 56y5m
    ("1981-09", "female_55", "2039-09"),  # 58: last row of 附件2
    ("1974-12", "female_50", "2024-12"),  # before the reform: 50
    ("1975-01", "female_50", "2025-02"),  # 50y1m (附件3 first row)
    ("1975-02", "female_50", "2025-03"),  # same 2-month group
    ("1975-03", "female_50", "2025-05"),  # 50y2m
    ("1984-11", "female_50", "2039-11"),  # 55: last row of 附件3
    ("1984-12", "female_50", "2039-12"),
])
def test_retirement_month_official_table(birth, track, expected):
    assert retirement_month(birth, track) == expected


def test_retirement_month_vectorised():
    out = retirement_month(np.array(["1965-01", "1970-01", "1975-01"]),
                           np.array(["male", "female_55", "female_50"]))
    assert out.tolist() == ["2025-02", "2025-02", "2025-02"]
    assert statutory_age_months(["1965-01", "1976-09"], "male").tolist() == [721, 756]


def test_retirement_bounds():
    # male born 1970-01: statutory 61y4m = 2031-05; early to 60 (not 58y4m), late +36 months
    b = retirement_bounds(["1970-01", "1980-01"], "male")
    assert b.iloc[0].tolist() == ["2030-01", "2031-05", "2034-05"]
    # fully delayed (63): early bound is 63 - 3 = 60
    assert b.iloc[1].tolist() == ["2040-01", "2043-01", "2046-01"]


def test_min_contribution_years():
    assert min_contribution_years(2025) == 15.0
    assert min_contribution_years(2029) == 15.0
    assert min_contribution_years(2030) == 15.5
    assert min_contribution_years(2034) == 17.5
    assert min_contribution_years(2039) == 20.0
    assert min_contribution_years(2060) == 20.0


@settings(max_examples=50, deadline=None)
@given(st.integers(1950 * 12, 2000 * 12), st.sampled_from(["male", "female_55", "female_50"]))
def test_retirement_age_monotone_and_bounded(m, track):
    labels = [f"{(m + k) // 12}-{(m + k) % 12 + 1:02d}" for k in (0, 1)]
    age = statutory_age_months(labels, track)
    lo, hi = {"male": (720, 756), "female_55": (660, 696), "female_50": (600, 660)}[track]
    assert lo <= age[0] <= age[1] <= hi
    assert age[1] - age[0] <= 1


# ---------------------------------------------------------------- 计发月数 (国发〔2005〕38号 附件)
@pytest.mark.parametrize("age, months", [(40, 233), (45, 216), (50, 195), (55, 170),
                                         (58, 152), (60, 139), (63, 117), (65, 101), (70, 56)])
def test_payout_months_table(age, months):
    assert payout_months(age) == months


def test_payout_months_between_ages():
    # interpolate: 60y3m -> 139 - (139 - 132) * 3/12 = 137.25
    assert payout_months(60 + 3 / 12) == pytest.approx(137.25)
    # 55y6m -> 170 - (170 - 164) * 6/12 = 167
    assert payout_months(55.5) == pytest.approx(167.0)
    # completed years: the floor age's value
    assert payout_months(60 + 11 / 12, method="completed_years") == 139.0
    with pytest.raises(InputError, match="age"):
        payout_months(39.9)
    with pytest.raises(InputError, match="age"):
        payout_months([60, 71])


# ---------------------------------------------------------------- hand-checked pension
def _months(y0, y1):
    return [f"{y}-{m:02d}" for y in range(y0, y1 + 1) for m in range(1, 13)]


def test_pension_hand_checked_beijing():
    # Beijing avg wages (data/national/avg_wage.csv): 2020 9407, 2021 10628, 2022 11297,
    # 2023 11761. Base of year Y = 2 x avg wage of Y-1 -> every monthly index is exactly 2.0.
    bases = {2021: 18814.0, 2022: 21256.0, 2023: 22594.0, 2024: 23522.0}
    months = _months(2021, 2024)
    h = pd.DataFrame({"employee_id": "e1", "city": "北京", "month": months,
                      "base": [bases[int(m[:4])] for m in months]})
    p = pd.DataFrame({"employee_id": ["e1"], "birth_month": ["1965-06"], "track": ["male"],
                      "claim_city": ["beijing"], "deemed_years": [11.0], "deemed_index": [2.0]})
    out = pension_at_retirement(h, p).iloc[0]
    # retirement: 1965-06 male -> delay (5 // 4) + 1 = 2 months -> 60y2m = 722 -> 2025-08
    assert out["retire_month"] == "2025-08" and out["retire_age_months"] == 722
    # years: 48 months / 12 + 11 deemed = 15 >= 15 (2025 minimum)
    assert out["contribution_years"] == 15.0 and out["min_years"] == 15.0 and out["eligible"]
    # mean index: (48 x 2.0 + 132 x 2.0) / 180 = 2.0
    assert out["mean_index"] == pytest.approx(2.0)
    # 计发基数 Beijing 2025 = 12049 (京人社发〔2025〕13号)
    assert out["calc_base"] == 12049.0
    # basic = 12049 x (1 + 2) / 2 x 15 x 1% = 2711.025
    assert out["basic_pension"] == pytest.approx(2711.025)
    # account credits 8%: 2021 12 x 1505.12 = 18061.44; 2022 12 x 1700.48 = 20405.76;
    # 2023 12 x 1807.52 = 21690.24; 2024 12 x 1881.76 = 22581.12
    assert out["account_credits"] == pytest.approx(18061.44 + 20405.76 + 21690.24 + 22581.12)
    # interest at year end on the opening balance (2022 6.12%, 2023 3.97%, 2024 2.62%)
    b2022 = 18061.44 * 1.0612 + 20405.76
    b2023 = b2022 * 1.0397 + 21690.24
    b2024 = b2023 * 1.0262 + 22581.12
    assert out["account_balance"] == pytest.approx(b2024)
    assert out["assumed_interest_years"] == 0
    # 计发月数 at 60y2m, interpolated: 139 - 7 x 2/12 = 137.8333
    assert out["payout_months"] == pytest.approx(139 - 7 * 2 / 12)
    assert out["account_pension"] == pytest.approx(b2024 / (139 - 7 * 2 / 12))
    # transitional (simplified, Beijing coef 1%): 12049 x 11 x 2.0 x 0.01 = 2650.78
    assert out["transitional_pension"] == pytest.approx(2650.78)
    total = 2711.025 + b2024 / (139 - 7 * 2 / 12) + 2650.78
    assert out["total_pension"] == pytest.approx(total)
    # replacement against the final month's base (no wage column): 23522
    assert out["final_wage"] == 23522.0
    assert out["replacement_rate"] == pytest.approx(total / 23522.0)
    assert out["projected_wage_years"] == 0


def test_pension_mid_year_interest_and_completed_years():
    h = pd.DataFrame({"employee_id": 1, "city": "beijing", "month": _months(2023, 2024),
                      "base": 10000.0})
    p = pd.DataFrame({"employee_id": [1], "birth_month": ["1965-06"], "track": ["male"],
                      "claim_city": ["beijing"]})
    a = Assumptions(in_year_interest=0.5, payout_method="completed_years")
    out = pension_at_retirement(h, p, a).iloc[0]
    # 2023: 9600 x (1 + 0.5 x 3.97%) = 9790.56; end 2024: 9790.56 x 1.0262
    #       + 9600 x (1 + 0.5 x 2.62%) = 10047.073 + 9725.76
    assert out["account_balance"] == pytest.approx(9600 * 1.01985 * 1.0262 + 9600 * 1.0131)
    assert out["payout_months"] == 139.0
    # mean index: 2023 months 10000 / 11297, 2024 months 10000 / 11761
    assert out["mean_index"] == pytest.approx((10000 / 11297 + 10000 / 11761) / 2)
    assert not out["eligible"]  # 2 years < 15


def test_pension_future_years_use_assumptions_and_flags():
    # Shanghai male born 1969-06: delay (53 // 4) + 1 = 14 -> 61y2m -> 2030-08; min 15.5 years
    h = pd.DataFrame({"employee_id": 1, "city": "shanghai", "month": _months(2011, 2025),
                      "base": 10000.0})
    p = pd.DataFrame({"employee_id": [1], "birth_month": ["1969-06"], "track": ["male"],
                      "claim_city": ["shanghai"]})
    out = pension_at_retirement(h, p, Assumptions(wage_growth=0.05, interest=0.02)).iloc[0]
    assert out["retire_month"] == "2030-08" and out["min_years"] == 15.5
    assert out["contribution_years"] == 15.0 and not out["eligible"]
    # 计发基数 Shanghai 2025 = 12434, projected 5 years at 5%
    assert out["calc_base"] == pytest.approx(12434 * 1.05 ** 5)
    assert out["projected_wage_years"] == 1       # the 计发基数 only
    # assumed rates: 2011-2015 (no national rate before 2016) + 2026-2029 = 9 years
    # (2025 has a low-confidence published 1.5% in the table)
    assert out["assumed_interest_years"] == 9


def test_pension_cohort_vectorised_claim_city():
    # e1: Beijing 2011-2021 (11y) then Shenzhen 2022-2024 -> claims Beijing (>= 10y, latest)
    # e2: Beijing 2016-2024 (9y), hukou Beijing -> relation in hukou place -> Beijing
    m1 = _months(2011, 2024)
    h = pd.concat([
        pd.DataFrame({"employee_id": "e1", "month": m1,
                      "city": ["beijing" if m < "2022" else "shenzhen" for m in m1],
                      "base": 10000.0}),
        pd.DataFrame({"employee_id": "e2", "month": _months(2016, 2024), "city": "beijing",
                      "base": 8000.0, "wage": 16000.0})])
    p = pd.DataFrame({"employee_id": ["e1", "e2"], "birth_month": ["1965-06", "1972-03"],
                      "track": ["male", "female_55"], "hukou_city": ["成都", "北京"]})
    out = pension_at_retirement(h, p)
    assert out["claim_city"].tolist() == ["beijing", "beijing"]
    assert out["contribution_months"].tolist() == [168, 108]
    assert out.loc[1, "final_wage"] == 16000.0


def test_pension_from_file_frame_and_flexible_retirement():
    df = pd.DataFrame({"employee_id": 1, "city": "beijing", "month": _months(2011, 2024),
                       "base": 10000.0, "birth_month": "1965-06", "track": "male",
                       "claim_city": "beijing", "retire_month": "2025-06"})
    out = pension_from_file_frame(df).iloc[0]
    assert out["retire_month"] == "2025-06" and out["retire_age_months"] == 720
    df["retire_month"] = "2025-05"  # before the original age of 60
    with pytest.raises(InputError, match="retire_month"):
        pension_from_file_frame(df)


def test_transitional_not_modelled_for_shenzhen():
    h = pd.DataFrame({"employee_id": 1, "city": "shenzhen", "month": _months(2016, 2024),
                      "base": 12000.0})
    p = pd.DataFrame({"employee_id": [1], "birth_month": ["1965-06"], "track": ["male"],
                      "claim_city": ["shenzhen"], "deemed_years": [8.0]})
    out = pension_at_retirement(h, p).iloc[0]
    assert np.isnan(out["transitional_pension"])
    assert out["transitional_note"].startswith("not modelled for shenzhen")
    assert out["total_pension"] == pytest.approx(out["basic_pension"] + out["account_pension"])


# ---------------------------------------------------------------- invalid input
def test_invalid_inputs():
    h = pd.DataFrame({"employee_id": [1, 1], "city": ["beijing", "shanghai"],
                      "month": ["2024-01", "2024-01"], "base": [9000.0, 9000.0]})
    p = pd.DataFrame({"employee_id": [1], "birth_month": ["1970-01"], "track": ["male"],
                      "claim_city": ["beijing"]})
    with pytest.raises(InputError, match=r"month: the same employee-month.*rows 1, 2"):
        pension_at_retirement(h, p)
    with pytest.raises(InputError, match=r"birth_month: in the future in row 1"):
        retirement_month("2999-01", "male")
    with pytest.raises(InputError, match=r"track: unknown value in row 2"):
        retirement_month(["1970-01", "1970-01"], ["male", "female"])
    with pytest.raises(InputError, match=r"birth_month: malformed"):
        retirement_month("1970/01", "male")
    h2 = h.iloc[:1]
    with pytest.raises(MissingParameterError, match="chengdu"):
        pension_at_retirement(h2, p.assign(claim_city="chengdu"))
    with pytest.raises(InputError, match="employee_id: not in the per-employee table in row 1"):
        pension_at_retirement(h2.assign(employee_id=2), p)


def test_project_history_then_pension():
    # Beijing male born 1965-01 (retires 2025-02); history ends 2024-10 at 10000
    h = pd.DataFrame({"employee_id": 1, "city": "beijing", "month": _months(2010, 2024)[12:-2],
                      "base": 10000.0})
    p = pd.DataFrame({"employee_id": [1], "birth_month": ["1965-01"], "track": ["male"],
                      "claim_city": ["beijing"]})
    full = project_history(h, p, Assumptions(wage_growth=0.05))
    new = full[full["projected"]]
    # 2024-11, 2024-12 at 10000; 2025-01 at 10000 x 1.05 = 10500; nothing at/after 2025-02
    assert new["month"].tolist() == ["2024-11", "2024-12", "2025-01"]
    assert new["base"].tolist() == pytest.approx([10000.0, 10000.0, 10500.0])
    out = pension_at_retirement(full, p).iloc[0]
    assert out["contribution_months"] == 14 * 12 + 1


def test_optional_deemed_columns_blank_default_but_bad_text_is_an_error():
    months = _months(2021, 2024)
    h = pd.DataFrame({"employee_id": "e1", "city": "北京", "month": months, "base": 20000.0})
    people = {"employee_id": ["e1"], "birth_month": ["1965-06"], "track": ["male"],
              "claim_city": ["beijing"]}
    blank = pension_at_retirement(h, pd.DataFrame({**people, "deemed_years": [None],
                                                   "deemed_index": [""]})).iloc[0]
    absent = pension_at_retirement(h, pd.DataFrame(people)).iloc[0]
    assert blank["deemed_years"] == absent["deemed_years"] == 0.0
    assert blank["basic_pension"] == absent["basic_pension"]
    with pytest.raises(InputError, match="deemed_years: not a number in row 1"):
        pension_at_retirement(h, pd.DataFrame({**people, "deemed_years": ["eleven"]}))
    with pytest.raises(InputError, match="deemed_index: negative value in row 1"):
        pension_at_retirement(h, pd.DataFrame({**people, "deemed_years": [3.0],
                                               "deemed_index": [-1.0]}))
    with pytest.raises(InputError, match="wage: not a number in row 2"):
        pension_at_retirement(h.assign(wage=["9000", "n/a"] + ["9000"] * (len(h) - 2)),
                              pd.DataFrame(people))
