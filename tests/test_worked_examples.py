"""Published worked examples (tests/cases/worked_examples.csv), recomputed from data/params.

Each row names its source and quotes it; `expected` is the figure printed there and
`tolerance` the source's own rounding. `expected_kind` says which: `printed` (the amount is
printed in the source) or `table` (the source prints only the contribution base limits and the
rates, e.g. an advisory firm's rate table, and `expected` is that base x rate, worked out in
`notes`; such rows check how the engine applies floors, flat bases and rates). Figures wuxian
does not model, or that lie before the data's coverage, are skipped with that reason.
Figures that disagree with the data for a known, explained reason are listed in
tests/cases/known_differences.csv and run as strict xfails: if the data changes so that they
match, the test says so (GETTSIM/Tax-Calculator practice of keeping explained differences in a
file).
"""

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from wuxian import contributions
from wuxian.errors import WuxianError
from wuxian.params import ITEMS, default_table

HERE = Path(__file__).parent / "cases"
CASES = pd.read_csv(HERE / "worked_examples.csv", dtype={"month": str},
                    keep_default_na=False, na_values=[""])
KNOWN = pd.read_csv(HERE / "known_differences.csv", keep_default_na=False)
KNOWN_REASON = {(r.example_id, r.item, r.side): r.reason for r in KNOWN.itertuples()}
NOT_MODELLED = {"housing_fund_supplementary": "Shanghai supplementary housing fund (补充公积金) "
                                              "is not modelled"}
TOTALS = {"si_total": "social_insurance", "si_hf_total": "{side}_total"}


@lru_cache(maxsize=None)
def _computed(example_id: str) -> pd.Series:
    first = CASES[CASES.example_id == example_id].iloc[0]
    row = {"employee_id": "x", "city": first.city, "month": first.month, "wage": first.wage,
           "category": first.category}
    for opt in ("hf_rate", "injury_rate", "medical_tier"):
        if pd.notna(first[opt]):
            row[opt] = first[opt]
    return contributions(pd.DataFrame([row]), base_method="current_month").iloc[0]


def _value(out: pd.Series, item: str, side: str) -> float:
    sides = ("employer", "employee") if side == "combined" else (side,)
    if item == "si_total":
        return sum(out[f"social_insurance_{s}"] for s in sides)
    if item == "si_hf_total":
        return sum(out[f"{s}_total"] for s in sides)
    return sum(out[f"{part}_{s}"] for part in item.split("+") for s in sides)


def _params():
    out = []
    for case in CASES.itertuples():
        marks = []
        reason = KNOWN_REASON.get((case.example_id, case.item, case.side))
        if reason:
            marks.append(pytest.mark.xfail(reason=reason, strict=True))
        out.append(pytest.param(case, id=f"{case.example_id}-{case.item}-{case.side}",
                                marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_worked_example(case):
    if case.item in NOT_MODELLED:
        pytest.skip(NOT_MODELLED[case.item])
    start = default_table().coverage.loc[case.city, "period_start"]
    if case.month < start:
        pytest.skip(f"{case.month} is before the data's coverage ({start})")
    assert all(p in ITEMS for p in case.item.split("+")) or case.item in TOTALS, case.item
    got = _value(_computed(case.example_id), case.item, case.side)
    assert abs(got - case.expected) <= case.tolerance + 1e-9, (
        f"computed {got:.2f}, published {case.expected} ({case.source})")


def test_every_city_has_three_examples_in_coverage():
    inside = CASES[CASES.month >= "2012-01"]
    counts = inside.groupby("city").example_id.nunique()
    assert set(counts.index) == {"beijing", "shanghai", "guangzhou", "shenzhen"}
    assert (counts >= 3).all(), counts.to_dict()


def test_every_example_names_its_source():
    assert CASES.source.notna().all() and CASES.quote.notna().all()
    assert set(CASES.expected_kind) <= {"printed", "table"}


def _agrees(case) -> bool:
    try:
        got = _value(_computed(case.example_id), case.item, case.side)
    except WuxianError:  # a data gap stops the engine: not an agreeing example
        return False
    return abs(got - case.expected) <= case.tolerance + 1e-9


@pytest.mark.parametrize("city", ["beijing", "shanghai", "guangzhou", "shenzhen"])
def test_every_city_has_agreeing_examples_before_2016_and_from_2023(city):
    """Issue 4: per city at least one worked example before 2016 and one after 2022 that the
    engine reproduces, inside the data's coverage and not an explained difference."""
    start = default_table().coverage.loc[city, "period_start"]
    rows = [c for c in CASES[CASES.city == city].itertuples()
            if c.month >= start and c.item not in NOT_MODELLED
            and (c.example_id, c.item, c.side) not in KNOWN_REASON]
    early = [c for c in rows if c.month < "2016-01" and _agrees(c)]
    late = [c for c in rows if c.month >= "2023-01" and _agrees(c)]
    assert early, f"{city}: no agreeing worked example between {start} and 2015-12"
    assert late, f"{city}: no agreeing worked example from 2023-01"


def test_known_differences_refer_to_real_rows():
    keys = set(zip(CASES.example_id, CASES.item, CASES.side))
    assert set(KNOWN_REASON) <= keys
    assert all(len(r) > 20 for r in KNOWN_REASON.values())
