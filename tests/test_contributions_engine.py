"""The cost engine on the small fixture table (tests/fixtures/params: Shanghai 2025-01..2026-06,
values of 沪人社〔2025〕 notice: floor 7460, cap 37302 from 2025-07; pension 16%/8%, medical
10%/2%, unemployment 0.5%/0.5%, injury 0.16% class 1, housing fund 7%/7% floor 2690)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import payroll, run_fixture
from wuxian import contributions
from wuxian.contributions import OUTPUT_COLUMNS, round_amounts
from wuxian.errors import InputError, MissingParameterError
from wuxian.params import ITEMS, SOCIAL_INSURANCE_ITEMS


def run(table, **cols):
    return run_fixture(contributions, table, **cols)


def test_hand_checked_mid_wage(fixture_table):
    out = run(fixture_table, wage=[12345.67]).iloc[0]
    # 12345.67 x 16% = 1975.3072 -> 1975.31; x 8% = 987.6536 -> 987.65
    assert out.pension_employer == 1975.31 and out.pension_employee == 987.65
    # medical 10% = 1234.567 -> 1234.57; 2% = 246.9134 -> 246.91
    assert out.medical_employer == 1234.57 and out.medical_employee == 246.91
    # unemployment 0.5% = 61.72835 -> 61.73 each; injury 0.16% = 19.753072 -> 19.75
    assert out.unemployment_employer == 61.73 and out.unemployment_employee == 61.73
    assert out.injury_employer == 19.75
    # housing fund 7% to the yuan: 864.1969 -> 864
    assert out.housing_fund_employer == 864 and out.housing_fund_employee == 864
    assert out.social_insurance_employer == pytest.approx(1975.31 + 1234.57 + 61.73 + 19.75)
    assert out.employee_total == pytest.approx(987.65 + 246.91 + 61.73 + 864)
    assert out.employer_cost == pytest.approx(12345.67 + out.employer_total)
    assert out.net_before_tax == pytest.approx(12345.67 - out.employee_total)


@pytest.mark.parametrize("wage, base", [(7459.99, 7460), (7460, 7460), (7460.01, 7460.01),
                                        (37301.99, 37301.99), (37302, 37302), (37302.01, 37302)])
def test_floor_and_cap_boundaries(fixture_table, wage, base):
    out = run(fixture_table, wage=[wage]).iloc[0]
    assert out.base_si == base
    for item in ("pension", "medical", "unemployment", "injury"):
        assert out[f"{item}_employer"] == round_amounts(np.array(base * {
            "pension": 0.16, "medical": 0.10, "unemployment": 0.005, "injury": 0.0016}[item]),
            np.array(100.0), np.array(0))


@pytest.mark.parametrize("wage, hf_base", [(2689.99, 2690), (2690, 2690), (37302.5, 37302)])
def test_housing_fund_floor_and_cap(fixture_table, wage, hf_base):
    assert run(fixture_table, wage=[wage]).base_hf.iloc[0] == hf_base


def test_output_contract_columns(fixture_table):
    out = run(fixture_table, wage=[10000.0], note=["kept"])
    assert list(out.columns) == ["wage", "note", "employee_id", "city", "month", *OUTPUT_COLUMNS]
    for item in ITEMS:
        assert {f"{item}_employer", f"{item}_employee"} <= set(out.columns)


def test_declared_base_overrides(fixture_table):
    out = run(fixture_table, wage=[30000.0], declared_base=[8000.0])
    assert out.base_si.iloc[0] == 8000 and out.pension_employee.iloc[0] == 640


def test_prior_year_average_and_fallback(fixture_table):
    df = payroll(employee_id=["a", "a", "a", "b"], city="shanghai",
                 month=["2025-11", "2025-12", "2026-01", "2026-01"],
                 wage=[10000.0, 20000.0, 50000.0, 9000.0])
    out = contributions(df, params=fixture_table)
    assert out.base_si.tolist() == [10000, 20000, 15000, 9000]
    assert out.base_fallback.tolist() == [True, True, False, True]


def test_hf_rate_and_injury_rate_override(fixture_table):
    out = run(fixture_table, wage=[10000.0], hf_rate=[0.05], injury_rate=[0.01])
    assert out.housing_fund_employer.iloc[0] == 500 and out.housing_fund_employee.iloc[0] == 500
    assert out.injury_employer.iloc[0] == 100


def test_chinese_headers_and_city_names(fixture_table):
    df = pd.DataFrame({"工号": ["x"], "城市": ["上海市"], "月份": ["2025-07"], "应发工资": [10000.0],
                       "户籍类型": ["外埠城镇"], "公积金比例": [0.06]})
    out = contributions(df, base_method="current_month", params=fixture_table)
    assert out.housing_fund_employee.iloc[0] == 600
    assert list(df.columns) == list(out.columns[:6])  # user's headers kept as given


@pytest.mark.parametrize(
    "cols, message",
    [
        (dict(city=["shanghai", "hangzhou"]), r"city: unknown value in row 2\b"),
        (dict(month=["2025-07", "2030-01"]), r"month: outside the parameter data in row 2\b"),
        (dict(month=["2025-07", "2025-13"]), r"month: malformed value in row 2\b"),
        (dict(month=["2025-07", "25-07"]), r"month: malformed value in row 2\b"),
        (dict(wage=[100.0, -1.0]), r"wage: fails greater_than_or_equal_to\(0\) in row 2\b"),
        (dict(wage=["100", "abc"]), r"wage: not a number in row 2\b"),
        (dict(wage=[100.0, None]), r"wage: missing value in row 2\b"),
        (dict(employee_id=["a", "a"], month="2025-07"), r"duplicate pair in rows 1, 2"),
        (dict(hf_rate=[0.07, 0.12]), r"hf_rate: outside the allowed range in row 2\b.*0.05..0.07"),
        (dict(hf_rate=[0.07, 7.0]), r"hf_rate: fails in_range"),
        (dict(injury_rate=[0.5, None]), r"injury_rate: outside the allowed range in row 1\b"),
        (dict(category=["local_urban", "martian"]), r"category: unknown value in row 2\b"),
        (dict(medical_tier=[1, 2]), r"medical_tier: tiers 2 and 3 exist only in Shenzhen"),
        (dict(declared_base=[1.0, -5.0]), r"declared_base: fails greater_than_or_equal_to"),
    ],
)
def test_bad_input_names_rows_and_field(fixture_table, cols, message):
    base = dict(employee_id=["a", "b"], city="shanghai", month="2025-07", wage=[9000.0, 9000.0])
    base.update(cols)
    with pytest.raises(InputError, match=message):
        contributions(payroll(**base), base_method="current_month", params=fixture_table)


def test_missing_required_column(fixture_table):
    with pytest.raises(InputError, match=r"missing required column: wage \(wage/应发工资\)"):
        contributions(payroll(employee_id="a", city="shanghai", month="2025-07"),
                      params=fixture_table)


def test_missing_parameter_is_an_error_not_zero(fixture_table):
    with pytest.raises(MissingParameterError,
                       match=r"medical base_floor is not in the parameter data for shanghai "
                             r"2026-02 \(nonlocal_rural\), needed by row 2.*deliberately blank"):
        run(fixture_table, employee_id=["a", "b"], month="2026-02", wage=[9000.0, 9000.0],
            category=["local_urban", "nonlocal_rural"])


def test_error_never_prints_ids(fixture_table):
    with pytest.raises(InputError) as err:
        run(fixture_table, employee_id=["SECRET-110101199001011234"], wage=[-1.0])
    assert "SECRET" not in str(err.value)


def test_unknown_base_method(fixture_table):
    with pytest.raises(InputError, match="base_method"):
        contributions(payroll(employee_id="a", city="shanghai", month="2025-07", wage=1.0),
                      base_method="average", params=fixture_table)


# ---- invariants -------------------------------------------------------------------------

MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)][:18]
rows = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from(MONTHS),
              st.floats(0, 80000, allow_nan=False), st.sampled_from(["local_urban", "nonlocal_urban"]),
              st.one_of(st.none(), st.floats(0, 60000, allow_nan=False))),
    min_size=1, max_size=40, unique_by=lambda r: (r[0], r[1]))


def _frame(data):
    emp, month, wage, cat, declared = zip(*data)
    return pd.DataFrame({"employee_id": [f"e{e}" for e in emp], "city": "shanghai",
                         "month": month, "wage": wage, "category": cat,
                         "declared_base": [np.nan if d is None else d for d in declared]})


@settings(max_examples=60, deadline=None)
@given(rows)
def test_invariants(fixture_table, data):
    df = _frame(data)
    out = contributions(df, params=fixture_table)
    cube = fixture_table.compile()
    assert ((out.base_si >= 7384) & (out.base_si <= 37302)).all()
    amounts = out[[f"{i}_{s}" for i in ITEMS for s in ("employer", "employee")]]
    assert (amounts.to_numpy() >= 0).all()
    for side in ("employer", "employee"):
        si = sum(out[f"{i}_{side}"] for i in SOCIAL_INSURANCE_ITEMS)
        np.testing.assert_allclose(out[f"social_insurance_{side}"], si, atol=1e-9)
        np.testing.assert_allclose(out[f"{side}_total"], si + out[f"housing_fund_{side}"], atol=1e-9)
    # chunked by employee == whole
    parts = [contributions(g, params=fixture_table) for _, g in df.groupby("employee_id")]
    pd.testing.assert_frame_equal(pd.concat(parts).sort_index(), out)
    assert cube is fixture_table.compile()


def test_empty_cohort(fixture_table):
    df = payroll(employee_id="a", city="shanghai", month="2025-07", wage=1.0).iloc[:0]
    out = contributions(df, params=fixture_table)
    assert len(out) == 0 and "employer_total" in out
