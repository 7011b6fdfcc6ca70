"""How complete and how sure the parameter data is: counts per city and year.

Every (city, month, item, category) cell that must resolve is counted once under the
confidence of the row in force, or as ``missing`` when a value needed to compute the item
(rates, fixed amounts, and the base limits of a charged item) is blank. Cells whose row says
``applies=no`` (a combination that does not exist by rule, e.g. Shenzhen medical tier 2 for
深户) are counted apart as ``not_applicable`` and are not part of ``cells``.

Examples
--------
>>> from wuxian.params import default_table
>>> cov = coverage(default_table())
>>> list(cov.columns[:4])
['city', 'year', 'cells', 'high']
"""

import numpy as np
import pandas as pd

from ..errors import InputError
from . import vocab
from ..months import month_index
from .table import ParamTable
from .validate import required_items

STATUSES = vocab.CONFIDENCE_LEVELS + ("missing",)
NEEDED = ("employer_rate", "employee_rate", "employer_fixed", "employee_fixed",
          "base_floor", "base_cap")


def cell_status(table: ParamTable) -> pd.DataFrame:
    """One row per required (city, category, month, item) cell with its status."""
    cube = table.compile()
    conf = table.rows["confidence"].to_numpy()
    frames = []
    for ci, city in enumerate(vocab.CITIES):
        if city not in table.coverage.index:
            continue
        start = month_index(table.coverage.loc[city, "period_start"])
        end = month_index(table.coverage.loc[city, "period_end"])
        months = np.arange(start, end + 1)
        for item in required_items(city):
            ii = vocab.ALL_ITEMS.index(item)
            for k, cat in enumerate(vocab.CATEGORIES):
                key = cube.keys(ci, k, months)
                rid = cube.row_id[ii, key]
                missing = np.zeros(len(key), dtype=bool)
                for f in NEEDED:
                    missing |= np.isnan(cube.fields[f][ii, key])
                status = np.where(missing, "missing", conf[rid])
                status = np.where(cube.fields["applies"][ii, key] == 0, "not_applicable", status)
                frames.append(pd.DataFrame({"city": city, "category": cat, "item": item,
                                            "month": months, "status": status}))
    return pd.concat(frames, ignore_index=True)


def coverage(table: ParamTable, by: tuple = ("city", "year")) -> pd.DataFrame:
    """Counts of cells per status (high / medium / low / derived / missing) and shares.

    Parameters
    ----------
    table : ParamTable
    by : tuple of str
        Grouping columns among ``city``, ``year``, ``item``, ``category``.

    Returns
    -------
    DataFrame
        ``by`` columns, ``cells``, one count column per status, ``not_applicable``,
        ``share_high`` and ``share_missing``.
    """
    cells = cell_status(table)
    cells["year"] = cells["month"] // 12
    counts = (cells.groupby(list(by) + ["status"]).size().unstack("status", fill_value=0)
              .reindex(columns=list(STATUSES) + ["not_applicable"], fill_value=0))
    counts.insert(0, "cells", counts[list(STATUSES)].sum(axis=1))
    counts["share_high"] = (counts["high"] / counts["cells"]).round(3)
    counts["share_missing"] = (counts["missing"] / counts["cells"]).round(3)
    return counts.reset_index()


def coverage_markdown(table: ParamTable) -> str:
    """A city x year Markdown table: share of cells high / medium / low / derived / missing.

    Each cell reads ``H% · M% · L% · D% · missing%`` of that city-year's parameter cells.
    """
    cov = coverage(table)
    years = sorted(cov["year"].unique())
    lines = ["| city | " + " | ".join(str(y) for y in years) + " |",
             "|---|" + "---|" * len(years)]
    for city in [c for c in vocab.CITIES if c in set(cov["city"])]:
        sub = cov[cov["city"] == city].set_index("year")
        cells = []
        for y in years:
            if y not in sub.index:
                cells.append("–")
                continue
            r = sub.loc[y]
            parts = [round(100 * r[s] / r["cells"]) for s in STATUSES]
            cells.append("·".join(str(p) for p in parts))
        lines.append(f"| {city} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def replace_between(text: str, marker: str, body: str) -> str:
    r"""Replace what stands between ``<!-- marker:start -->`` and ``<!-- marker:end -->``.

    >>> replace_between("a<!-- x:start -->old<!-- x:end -->b", "x", "new")
    'a<!-- x:start -->\nnew\n<!-- x:end -->b'
    """
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start not in text or end not in text:
        raise InputError(f"README: no {start} ... {end} markers")
    head, rest = text.split(start, 1)
    return f"{head}{start}\n{body}\n{end}{rest.split(end, 1)[1]}"
