"""Golden totals on the bundled sample cohort (Tax-Calculator practice: aggregate totals on a
known sample compared with a stored expectation).

tests/cases/golden_sample_totals.csv holds, per city, the sums of every output amount for
data/samples/cohort.csv with the default base method. A change in the engine, the parameter
data or the sample shows up here as a named difference. After a deliberate change, review the
difference and regenerate with ``WUXIAN_UPDATE_GOLDEN=1 pytest tests/test_golden_sample.py``
(and say why in CHANGELOG.md).
"""

import os
from pathlib import Path

import pandas as pd
import wuxian
from wuxian.contributions import NUMERIC_OUTPUTS
from wuxian.io import read_payroll
from wuxian.samples import SAMPLE_PATH

GOLDEN = Path(__file__).parent / "cases" / "golden_sample_totals.csv"


def _totals() -> pd.DataFrame:
    """Sums per scenario and city: as declared by the employers, and lawful (no declared base:
    the prior-year average wage, with the new-hire fallback)."""
    sample = read_payroll(SAMPLE_PATH)
    frames = []
    for scenario, df in (("as_declared", sample), ("lawful", sample.drop(columns="declared_base"))):
        out = wuxian.contributions(df)
        sums = out.groupby("city")[["wage", *NUMERIC_OUTPUTS]].sum().round(2)
        sums.insert(0, "rows", out.groupby("city").size())
        sums.insert(1, "base_fallback_rows", out.groupby("city")["base_fallback"].sum())
        frames.append(sums.assign(scenario=scenario).set_index("scenario", append=True))
    return pd.concat(frames).reorder_levels(["scenario", "city"])


def test_sample_totals_match_golden():
    totals = _totals()
    if os.environ.get("WUXIAN_UPDATE_GOLDEN") == "1":
        totals.to_csv(GOLDEN)
    golden = pd.read_csv(GOLDEN, index_col=["scenario", "city"])
    pd.testing.assert_frame_equal(totals, golden, check_dtype=False, check_exact=False,
                                  atol=0.005, rtol=0)


def test_sample_totals_add_up():
    t = _totals()
    assert set(t.index.get_level_values("city")) == set(wuxian.CITIES)
    assert (t.loc["lawful", "base_fallback_rows"] > 0).all()
    for side in ("employer", "employee"):
        diff = t[f"{side}_total"] - t[f"social_insurance_{side}"] - t[f"housing_fund_{side}"]
        assert diff.abs().max() < 0.05
    assert (t.employer_cost - t.wage - t.employer_total).abs().max() < 0.05
    assert (t.wage - t.employee_total - t.net_before_tax).abs().max() < 0.05
