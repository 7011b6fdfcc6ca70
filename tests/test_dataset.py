"""The bundled parameter dataset (data/params): complete, consistent, sourced.

Loading runs every rule of wuxian.params.validate, including the walk over every
city x month x item x category from 2012-01 to each city's stated end (no gap, no overlap).
"""

import numpy as np
import pytest

import wuxian.params as params
from wuxian.params import vocab
from wuxian.params.coverage import cell_status


@pytest.fixture(scope="module")
def table():
    return params.load()


def test_every_city_covered_from_2012(table):
    assert list(table.coverage.index) == list(vocab.CITIES)
    assert (table.coverage["period_start"] == "2012-01").all()


def test_stated_end_is_latest_month_present(table):
    for city, cov in table.coverage.iterrows():
        rows = table.rows[table.rows.city == city]
        assert rows["period_end"].max() == cov["period_end"], city


def test_every_cell_resolves(table):
    cells = cell_status(table)
    grid = table.grid
    assert (grid.row_id >= -1).all()
    months = {c: params.month_index(e) - params.month_index(s) + 1
              for c, (s, e) in table.coverage[["period_start", "period_end"]].iterrows()}
    for city, n in months.items():
        n_items = len(vocab.ITEMS) + len(vocab.CITY_VARIANTS.get(city, ()))
        assert (cells.city == city).sum() == n * n_items * len(vocab.CATEGORIES)


def test_housing_fund_rows_state_the_allowed_range(table):
    hf = table.rows[(table.rows.item == "housing_fund") & table.rows.employer_rate.notna()]
    assert hf.rate_min.notna().all() and hf.rate_max.notna().all()
    assert ((hf.rate_min <= hf.employer_rate) & (hf.employer_rate <= hf.rate_max)).all()


def test_merged_items_are_zero_with_a_note(table):
    rows = table.rows
    zero = rows[(rows.item == "maternity") & (rows.employer_rate == 0) & (rows.employee_rate == 0)]
    assert zero["notes"].str.len().gt(0).all()


def test_derived_values_explain_their_rule(table):
    derived = table.rows[table.rows.confidence == "derived"]
    assert derived["notes"].str.len().gt(0).all()


def test_rates_plausible(table):
    r = table.rows
    for item, cap in {"pension": 0.23, "medical": 0.13, "unemployment": 0.03,
                      "maternity": 0.011, "housing_fund": 0.21}.items():
        sub = r[r.item == item]
        assert (sub.employer_rate.fillna(0) <= cap).all(), item
        assert (sub.employee_rate.fillna(0) <= max(cap, 0.12)).all(), item
    pension = r[(r.item == "pension") & r.employee_rate.notna()]
    assert np.allclose(pension.employee_rate.where(pension.employee_rate > 0, 0.08), 0.08)


#: The cells still blank (not found), as (city, item, categories, first month, last month).
#: Each is listed with what was tried in data/params/{city}.md; filling one means deleting it
#: here, and a new blank anywhere else fails this test.
KNOWN_GAPS = {
    ("shenzhen", "maternity", ("local_rural", "local_urban", "nonlocal_rural", "nonlocal_urban"),
     "2012-01", "2012-06"),
    ("shenzhen", "pension_supplementary", ("local_rural", "local_urban"), "2012-01", "2012-12"),
    ("shenzhen", "unemployment", ("local_rural", "local_urban"), "2012-01", "2012-12"),
    # tier-2/3 members' maternity follows the tier-1 gap (深户 cannot join tiers 2/3)
    ("shenzhen", "maternity_tier2", ("nonlocal_rural", "nonlocal_urban"), "2012-01", "2012-06"),
    ("shenzhen", "maternity_tier3", ("nonlocal_rural", "nonlocal_urban"), "2012-01", "2012-06"),
}


def test_the_only_blank_cells_are_the_known_gaps(table):
    cells = cell_status(table)
    missing = cells[cells.status == "missing"]
    found = {(city, item, tuple(sorted(g.category.unique())),
              params.month_label(g.month.min()), params.month_label(g.month.max()))
             for (city, item), g in missing.groupby(["city", "item"])}
    assert found == KNOWN_GAPS
    for city, item, cats, first, last in KNOWN_GAPS:  # each gap is one block, no holes
        n = params.month_index(last) - params.month_index(first) + 1
        assert ((missing.city == city) & (missing.item == item)).sum() == n * len(cats)
