"""Work-injury benefits (工伤保险条例), vectorised.

The 2010 amendment (国务院令第586号) applies from 2011-01-01; the 2003 version (国务院令第375号)
from 2004-01-01 to 2010-12-31. Parameters in ``data/national/injury_*.csv``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from wuxian.errors import InputError, MissingParameterError, format_rows
from wuxian.months import month_numbers
from wuxian.national import national_table, rule_value
from wuxian.schema import nonnegative_values as _arr

__all__ = ["injury_disability", "nursing_allowance", "death_benefits"]


def injury_disability(grade, wage, month="2024-01") -> pd.DataFrame:
    """Lump-sum disability allowance and monthly allowance by disability grade 1–10.

    一次性伤残补助金 = months × own wage: 27,25,23,21,18,16,13,11,9,7 (工伤保险条例 2010修订
    art.35–37, from 2011-01-01); 24,22,...,6 (2003 version art.33–35). 伤残津贴 per month:
    grades 1–4 90/85/80/75% of own wage; grades 5–6 70/60% (only when the employer cannot
    arrange work); none for 7–10 (NaN, not 0 — "not applicable").

    Examples
    --------
    >>> r = injury_disability([1, 10], 8000, "2020-05")
    >>> r["lump_sum"].tolist(), r["monthly_allowance"].tolist()[:1]
    ([216000.0, 56000.0], [7200.0])
    >>> injury_disability([1], 8000, "2008-05")["lump_sum"].tolist()
    [192000.0]
    >>> injury_disability([11], 8000)
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: grade: must be an integer 1-10, row 1
    """
    g = np.atleast_1d(np.asarray(grade, dtype=float))
    bad = np.flatnonzero(np.isnan(g) | (g < 1) | (g > 10) | (g != np.round(g)))
    if bad.size:
        raise InputError(f"grade: must be an integer 1-10, {format_rows(bad)}")
    w = np.broadcast_to(_arr(wage, "wage"), g.shape)
    ym = month_numbers(np.broadcast_to(np.asarray(month, dtype=object), g.shape))
    t = national_table("injury_grades")
    t = t.assign(s=month_numbers(t["period_start"], "period_start"),
                 e=month_numbers(t["period_end"], "period_end"))
    spans = t.groupby("version")[["s", "e"]].first()
    months = np.full(g.shape, np.nan)
    share = np.full(g.shape, np.nan)
    for version, (lo, hi) in spans.iterrows():  # two versions, not records
        m = (ym >= lo) & (ym <= hi)
        tv = t[t.version == version].set_index("grade")
        months[m] = tv["lump_sum_months"].reindex(g[m].astype(int)).to_numpy(float)
        share[m] = tv["monthly_allowance_share"].reindex(g[m].astype(int)).to_numpy(float)
    bad = np.flatnonzero(np.isnan(months))
    if bad.size:
        raise MissingParameterError(f"injury: no regulation version covers {format_rows(bad)} "
                                    "(covered from 2004-01)")
    return pd.DataFrame({"grade": g.astype(int), "lump_sum_months": months,
                         "lump_sum": np.round(months * w, 2),
                         "monthly_allowance": np.round(share * w, 2)})


def nursing_allowance(level, regional_avg_wage) -> np.ndarray:
    """Monthly nursing allowance (生活护理费): 50/40/30% of the regional average monthly wage.

    工伤保险条例 art.34 (2010修订): 生活完全不能自理 ('full'), 大部分不能自理 ('most'),
    部分不能自理 ('partial').

    Examples
    --------
    >>> nursing_allowance(["full", "partial"], 10000).tolist()
    [5000.0, 3000.0]
    """
    lv = np.atleast_1d(np.asarray(level, dtype=object))
    rules = national_table("injury_rules").set_index("rule")["value"]
    share = ("nursing_" + pd.Series(lv).astype(str)).map(rules).to_numpy(float)
    bad = np.flatnonzero(np.isnan(share))
    if bad.size:
        raise InputError(f"level: must be 'full', 'most' or 'partial', {format_rows(bad)}")
    return np.round(share * _arr(regional_avg_wage, "regional_avg_wage"), 2)


def death_benefits(year, wage, regional_avg_wage, spouse=True, others=0, alone=0) -> pd.DataFrame:
    """Benefits on death from work injury (工伤保险条例 2010修订 art.39), by year of death.

    * funeral grant (丧葬补助金) = 6 × regional average monthly wage;
    * lump sum (一次性工亡补助金) = 20 × prior year's national urban per-capita disposable income
      (from 2011; earlier years raise MissingParameterError — the 2003 rule is not modelled);
    * dependants' pension (供养亲属抚恤金) per month = 40% spouse + 30% each other dependant
      + 10% each orphan / elderly person alone, capped at the worker's wage.

    ``others`` counts other dependants, ``alone`` how many of all dependants are orphans or
    elderly living alone.

    Examples
    --------
    >>> r = death_benefits(2024, 10000, 12000, spouse=True, others=2, alone=1)
    >>> r[["funeral", "lump_sum", "dependants_monthly"]].iloc[0].tolist()
    [72000.0, 1036420.0, 10000.0]
    """
    y = np.atleast_1d(np.asarray(year, dtype=int))
    w = np.broadcast_to(_arr(wage, "wage"), y.shape)
    aw = np.broadcast_to(_arr(regional_avg_wage, "regional_avg_wage"), y.shape)
    inc = national_table("injury_disposable_income").set_index("year")["value"]
    prior = inc.reindex(y - 1).to_numpy(float)
    rules = national_table("injury_rules")
    start = int(rules.loc[rules["rule"] == "death_lump_sum_multiple", "period_start"].iloc[0][:4])
    bad = np.flatnonzero(np.isnan(prior) | (y < start))
    if bad.size:
        raise MissingParameterError(f"year: no national disposable income / rule for the "
                                    f"prior year in {format_rows(bad)}")
    n_sp = np.broadcast_to(np.asarray(spouse, dtype=float), y.shape)
    n_ot = np.broadcast_to(_arr(others, "others"), y.shape)
    n_al = np.broadcast_to(_arr(alone, "alone"), y.shape)
    share = (n_sp * rule_value("injury_rules", "dependant_spouse") + n_ot * rule_value("injury_rules", "dependant_other")
             + n_al * rule_value("injury_rules", "dependant_alone_extra"))
    share = np.minimum(share, rule_value("injury_rules", "dependant_total_cap"))
    return pd.DataFrame({"year": y,
                         "funeral": np.round(rule_value("injury_rules", "funeral_months") * aw, 2),
                         "lump_sum": np.round(rule_value("injury_rules", "death_lump_sum_multiple") * prior, 2),
                         "dependants_monthly": np.round(share * w, 2)})
