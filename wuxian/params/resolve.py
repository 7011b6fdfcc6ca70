"""Resolve which data row is in force for every city, category, month and item.

The most specific category wins (concrete > group > ``all``); two rows of equal
specificity for the same person and month are an overlap.

Examples
--------
>>> from wuxian.params import default_table
>>> grid = resolve(default_table().rows, default_table().coverage)
>>> grid.row_id.ndim
4
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError
from . import vocab
from ..months import month_index, month_label


@dataclass(frozen=True)
class Grid:
    """Winning row per (city, category, month, item); -1 where no row applies."""

    row_id: np.ndarray  # int64, shape (city, category, month, item)
    first_month: int  # integer month of axis position 0

    @property
    def n_months(self) -> int:
        return self.row_id.shape[2]


def resolve(rows: pd.DataFrame, coverage: pd.DataFrame) -> Grid:
    """Build the :class:`Grid` of winning rows; raise ParameterError on any overlap."""
    first = min(month_index(m) for m in coverage["period_start"])
    last = max(month_index(m) for m in coverage["period_end"])
    n_months = last - first + 1
    shape = (len(vocab.CITIES), len(vocab.CATEGORIES), n_months, len(vocab.ALL_ITEMS))
    row_id = np.full(shape, -1, dtype=np.int64)
    rank = np.full(shape, -1, dtype=np.int8)

    starts = rows["period_start"].map(month_index).to_numpy() - first
    ends = rows["period_end"].map(month_index).to_numpy() - first
    bad = (starts > ends) | (starts < 0) | (ends >= n_months)
    if bad.any():
        raise_rows(rows, bad, "period outside the coverage months or start after end")
    city_code = {c: i for i, c in enumerate(vocab.CITIES)}
    cat_code = {c: i for i, c in enumerate(vocab.CATEGORIES)}
    item_code = {c: i for i, c in enumerate(vocab.ALL_ITEMS)}
    overlaps = []
    # Loop over the (small) parameter table, never over payroll records.
    for rid, (city, category, item, s, e) in enumerate(
        zip(rows["city"], rows["category"], rows["item"], starts, ends)
    ):
        r = vocab.CATEGORY_RANK[category]
        ci, ii = city_code[city], item_code[item]
        for cat in vocab.CATEGORY_MEMBERS[category]:
            k = cat_code[cat]
            cur_rank = rank[ci, k, s : e + 1, ii]
            clash = cur_rank == r
            if clash.any():
                m = s + int(np.argmax(clash))
                other = int(row_id[ci, k, m, ii])
                overlaps.append(
                    f"  {city} {item} {cat} {month_label(first + m)}: "
                    f"{_where(rows, other)} and {_where(rows, rid)}"
                )
            win = cur_rank < r
            rank[ci, k, s : e + 1, ii] = np.where(win, r, cur_rank)
            row_id[ci, k, s : e + 1, ii] = np.where(win, rid, row_id[ci, k, s : e + 1, ii])
    if overlaps:
        raise ParameterError("overlapping parameter rows:\n" + "\n".join(overlaps[:20]))
    return Grid(row_id=row_id, first_month=first)


def _where(rows: pd.DataFrame, rid: int) -> str:
    return f"{rows['file'].iat[rid]} line {rows['file_line'].iat[rid]}"


def raise_rows(rows: pd.DataFrame, mask, message: str) -> None:
    """ParameterError: `message`, then the file and line of (up to 10 of) the `mask` rows."""
    where = "; ".join(_where(rows, i) for i in np.flatnonzero(mask)[:10])
    raise ParameterError(f"{message}: {where}")
