"""The synthetic cohort: deterministic for a seed, with the stated mix."""

import numpy as np
import pandas as pd
import pytest

from wuxian.samples import (CATEGORIES, CITIES, latest_complete_window, make_cohort,
                            make_synthetic)


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(1500, 24, seed=20240701)


def test_deterministic():
    a, b = make_cohort(200, 12, seed=7), make_cohort(200, 12, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not make_cohort(200, 12, seed=8).equals(a)


def test_columns_and_keys(cohort):
    assert list(cohort.columns) == [
        "employee_id", "employer_id", "city", "month", "wage", "base_salary", "declared_base",
        "category", "hf_rate", "medical_tier", "birth_month", "sex", "track", "hukou_city",
        "declare_pattern"]
    assert cohort["employee_id"].str.fullmatch(r"E\d{5}").all()
    first = latest_complete_window(24)
    assert set(cohort["month"]) == {str(p) for p in pd.period_range(first, periods=24, freq="M")}
    assert not cohort.duplicated(["employee_id", "month"]).any()
    # one city and one employer per employee
    assert (cohort.groupby("employee_id")[["city", "employer_id"]].nunique() == 1).all().all()


def test_city_and_category_mix(cohort):
    assert set(cohort["city"]) == set(CITIES)
    share = cohort.drop_duplicates("employee_id")["category"].value_counts(normalize=True)
    assert set(share.index) == set(CATEGORIES)
    assert share["local_urban"] > 0.25 and share["nonlocal_urban"] > 0.25
    assert 0.01 < share["local_rural"] < 0.15 and 0.08 < share["nonlocal_rural"] < 0.3


def test_wage_spread(cohort):
    assert (cohort["wage"] > 0).all()
    from wuxian.params import default_table
    from wuxian.schema import validate_payroll

    c = validate_payroll(cohort)
    cube = default_table().compile()
    key = cube.keys(c.city_code, c.category_code, c.month)
    floor = cube.field("base_floor", "pension")[key]
    cap = cube.field("base_cap", "pension")[key]
    # some below the floor: floors are 60% of an average wage well above the median, so in
    # recent years about a sixth of the cohort earns less (Beijing 2025: floor 7162, median 11000)
    assert 0.003 < (c.wage < floor).mean() < 0.25
    assert 0.003 < (c.wage > cap).mean() < 0.08  # some above the cap
    ratio = cohort["base_salary"] / cohort["wage"]
    assert ratio.between(0.4999, 0.8001).all()
    medians = cohort.groupby(cohort["month"].str[:4])["wage"].median()
    assert medians.is_monotonic_increasing and len(medians) >= 2  # yearly raises


def test_three_declaration_patterns(cohort):
    """Each employer declares the full wage (blank declared_base), the basic salary, or the
    pension floor in force (issue 5: the demo shows all three)."""
    from wuxian.base import prior_year_average
    from wuxian.gap import lawful_floor
    from wuxian.params import default_table
    from wuxian.schema import validate_payroll

    pattern = cohort["declare_pattern"]
    assert set(pattern) == {"full_wage", "basic_salary", "floor"}
    assert (cohort.groupby("employer_id")["declare_pattern"].nunique() == 1).all()
    full = (pattern == "full_wage").to_numpy()
    lawful, _ = prior_year_average(validate_payroll(cohort))
    np.testing.assert_array_equal(cohort.loc[full, "declared_base"].to_numpy(), lawful[full])
    basic = pattern == "basic_salary"
    assert (cohort.loc[basic, "declared_base"] == cohort.loc[basic, "base_salary"]).all()
    floor = (pattern == "floor").to_numpy()
    sub = cohort[floor].reset_index(drop=True)
    expected = lawful_floor(validate_payroll(sub), default_table())
    np.testing.assert_array_equal(sub["declared_base"].to_numpy(), expected)


def test_hf_rate(cohort):
    rate = cohort["hf_rate"].dropna()
    assert 0 < len(rate) < 0.5 * len(cohort)  # blank mostly
    assert np.allclose(rate * 100, np.round(rate * 100))  # whole percents
    assert rate.between(0.05, 0.12).all()
    sh = cohort.loc[cohort["city"] == "shanghai", "hf_rate"].dropna()
    assert len(sh) and sh.between(0.05, 0.07).all()


def test_medical_tier(cohort):
    tier = cohort["medical_tier"]
    given = tier.notna()
    assert given.any() and (tier[given] == 2).all()
    assert (cohort.loc[given, "city"] == "shenzhen").all()
    assert cohort.loc[given, "category"].str.startswith("nonlocal").all()


def test_sample_csv_size(cohort, tmp_path):
    full = make_cohort(3000, 24)
    path = tmp_path / "c.csv"
    full.to_csv(path, index=False)
    assert 50_000 < len(full) <= 72_000
    assert path.stat().st_size < 8_000_000


def test_synthetic():
    df = make_synthetic(1000, seed=3)
    assert len(df) == 1000 and not df.duplicated(["employee_id", "month"]).any()
    assert isinstance(df["month"].dtype, pd.CategoricalDtype)
    assert isinstance(df["city"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(df, make_synthetic(1000, seed=3))
