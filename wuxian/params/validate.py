"""The rules a parameter table must obey before anything is computed from it.

* every rate in [0, 1); ``rate_min <= rate_max``; fixed amounts and bases >= 0;
* ``base_floor <= base_cap``;
* periods inside the city's coverage, start <= end;
* per (city, category, item) no overlap at equal specificity (see :mod:`.resolve`);
* every covered month resolves to a row for every required item and category.

Blank numbers are allowed (they are *missing*, reported by the coverage report and at lookup),
never read as zero.

Examples
--------
>>> from wuxian.params import default_table
>>> validate_rows(default_table().rows, default_table().coverage)
"""

import numpy as np
import pandas as pd

from ..errors import ParameterError
from . import vocab
from ..months import month_index, month_label
from .resolve import raise_rows, resolve

RATE_FIELDS = ("employer_rate", "employee_rate", "rate_min", "rate_max")
NON_NEGATIVE = ("employer_fixed", "employee_fixed", "base_floor", "base_cap", "avg_wage")


def validate_rows(rows: pd.DataFrame, coverage: pd.DataFrame, complete: bool = True) -> None:
    """Raise ParameterError naming file and line for the first broken rule; with `complete`,
    also when a required item, category and covered month has no row."""
    for field in RATE_FIELDS:
        v = rows[field]
        _fail(rows, (v < 0) | (v >= 1), f"{field} outside [0, 1)")
    for field in NON_NEGATIVE:
        _fail(rows, rows[field] < 0, f"{field} negative")
    _fail(rows, rows["base_floor"] > rows["base_cap"], "base_floor above base_cap")
    _fail(rows, rows["rate_min"] > rows["rate_max"], "rate_min above rate_max")
    rates = rows[["employer_rate", "employee_rate"]]
    _fail(rows, (rows["applies"] == "no") & rates.notna().any(axis=1),
          "applies=no (the combination does not exist by rule) but a rate is given")
    for city, cov in coverage.iterrows():
        mine = rows["city"] == city
        start, end = month_index(cov["period_start"]), month_index(cov["period_end"])
        s = rows.loc[mine, "period_start"].map(month_index)
        e = rows.loc[mine, "period_end"].map(month_index)
        outside = pd.Series(False, index=rows.index)
        outside.loc[mine] = (s < start) | (e > end)
        _fail(rows, outside, f"period outside {city}'s coverage {cov['period_start']}..{cov['period_end']}")
    grid = resolve(rows, coverage)
    if complete:
        _check_complete(grid, coverage)


def _fail(rows: pd.DataFrame, mask: pd.Series, message: str) -> None:
    mask = mask.fillna(False).to_numpy(dtype=bool)
    if mask.any():
        raise_rows(rows, mask, message)


def required_items(city: str) -> tuple[str, ...]:
    """Items every covered month of `city` must resolve.

    >>> required_items("shenzhen")[-4:]
    ('medical_tier2', 'medical_tier3', 'maternity_tier2', 'maternity_tier3')
    """
    return vocab.ITEMS + vocab.CITY_VARIANTS.get(city, ())


def _check_complete(grid, coverage: pd.DataFrame) -> None:
    gaps = []
    for city, cov in coverage.iterrows():
        ci = vocab.CITIES.index(city)
        s = month_index(cov["period_start"]) - grid.first_month
        e = month_index(cov["period_end"]) - grid.first_month
        for item in required_items(city):
            ii = vocab.ALL_ITEMS.index(item)
            for k, cat in enumerate(vocab.CATEGORIES):
                hole = np.flatnonzero(grid.row_id[ci, k, s : e + 1, ii] < 0)
                if hole.size:
                    first = month_label(grid.first_month + s + hole[0])
                    last = month_label(grid.first_month + s + hole[-1])
                    gaps.append(f"  {city} {item} {cat}: {hole.size} months without a row "
                                f"({first}..{last})")
    if gaps:
        raise ParameterError("parameter table has gaps:\n" + "\n".join(gaps[:30]))
