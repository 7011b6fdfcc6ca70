"""Unemployment and maternity benefits, vectorised (work injury: :mod:`wuxian.injury`).

Every parameter comes from ``data/national/unemployment_*.csv`` and
``data/national/maternity_*.csv``, each row with source and confidence. A value that is not in
the data raises :class:`~wuxian.errors.MissingParameterError`; it is never taken as 0.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from wuxian.errors import InputError, MissingParameterError, format_rows
from wuxian.months import month_label, month_numbers
from wuxian.national import NATIONAL_DIR, national_table, rule_value
from wuxian.schema import nonnegative_values as _arr
from wuxian.injury import (death_benefits, injury_disability, nursing_allowance)  # noqa: F401

__all__ = ["unemployment_months", "unemployment_amount", "unemployment_transfer",
           "maternity_leave_days", "maternity_allowance", "injury_disability",
           "nursing_allowance", "death_benefits"]


def _csv(name: str) -> pd.DataFrame:
    """A benefit table whose not-found periods are rows with blank values (and blank
    confidence): read by :func:`~wuxian.national.national_table` (cached, a corrupt file is
    a ParameterError naming it; a row with a value needs its confidence)."""
    return national_table(name.removesuffix(".csv"))


def unemployment_months(years, city: str = "national", month=None) -> np.ndarray:
    """Maximum months of unemployment benefit by cumulative contribution years.

    National maxima, 失业保险条例 (国务院令第258号) art.17: 满1年不足5年 12 months, 满5年不足10年
    18, 10年以上 24; under one year there is no entitlement (0 months, art.14). A city's own
    schedule in ``data/national/unemployment_months.csv`` is used when ``city`` has one:

    * Beijing (北京市失业保险规定 art.17): 3 months per full year up to 5 years, then one more
      month per full year (read as 12 + 1 per year beyond 5; the article is ambiguous, see the
      data notes), cap 24.
    * Shanghai: 2 months per full year (满1年不满2年 2 months), cap 24.
    * Guangzhou, Shenzhen (广东省失业保险条例 as revised in 2013, in force 2014-07-01): 1 month
      per full year for 1-4 years, then one more month per full half-year beyond 4 years, cap
      24. Shenzhen 2012 (深圳经济特区失业保险条例 1996, 深户 only): 1 month per full half-year,
      cap 24. Guangzhou 2012-01..2014-06 and Shenzhen 2013-01..2014-06 were not found.

    Each schedule row gives ``months + floor((years - min_years) / step_years) *
    extra_months_per_step``, capped at ``cap``, for ``min_years <= years < max_years`` and a
    claim month inside the row's ``period_start..period_end``.

    Parameters
    ----------
    years : array_like
        Cumulative contribution years before the claim (fractions allowed, e.g. 4.5).
    city : str, default "national"
        ``"national"`` for the art.17 maxima, or a city with its own schedule.
    month : str or array_like of str, optional
        Month of the claim, ``"YYYY-MM"`` (one, or one per value of ``years``). Default: the
        schedule in force today.

    Returns
    -------
    numpy.ndarray of int

    Raises
    ------
    MissingParameterError
        The city has no schedule in the data, or none for that month (never taken as 0).
    InputError
        A missing or negative number of years, or a malformed month.

    Examples
    --------
    >>> unemployment_months([0.5, 1, 4.9, 5, 9, 10, 30]).tolist()
    [0, 12, 12, 18, 18, 24, 24]
    >>> unemployment_months([1, 4, 7, 20], city="beijing").tolist()
    [3, 12, 14, 24]
    >>> unemployment_months([1, 3.9, 4, 4.5, 5, 14], city="guangzhou").tolist()
    [1, 3, 4, 5, 6, 24]
    >>> unemployment_months([1, 2.5, 10, 12], city="shanghai").tolist()
    [2, 4, 20, 24]
    >>> unemployment_months([0.5, 3, 20], city="shenzhen", month="2012-08").tolist()
    [1, 6, 24]
    """
    y = _arr(years, "years")
    t = _csv("unemployment_months.csv")
    t = t[t.city == city].reset_index(drop=True)
    if t.empty:
        raise MissingParameterError(f"unemployment_months: no schedule for city {city!r} "
                                    "(use city='national' for the national maxima)")
    start, end = month_numbers(t["period_start"]), month_numbers(t["period_end"])
    if month is None:
        ym = np.full(y.shape, end.max())
    else:
        ym = month_numbers(month)
        if ym.size not in (1, y.size):
            raise InputError(f"month: {ym.size} values for {y.size} values of years")
        ym = np.broadcast_to(ym, y.shape)
    out = np.zeros(y.shape, dtype=int)
    known = np.zeros(y.shape, dtype=bool)
    for row, s0, e0 in zip(t.itertuples(), start, end):  # a few schedule rows, not records
        when = (ym >= s0) & (ym <= e0)
        if pd.isna(row.months):
            continue  # a period whose schedule was not found: stays unknown
        known |= when
        hi = np.inf if pd.isna(row.max_years) else row.max_years
        m = when & (y >= row.min_years) & (y < hi)
        steps = np.floor((y[m] - row.min_years) / row.step_years + 1e-9)
        out[m] = np.minimum(row.months + steps * row.extra_months_per_step, row.cap).astype(int)
    bad = np.flatnonzero(~known)
    if bad.size:
        raise MissingParameterError(
            f"unemployment_months: no {city} schedule collected for {month_label(ym[bad[0]])} "
            f"({format_rows(bad)}); see data/national/unemployment_months.csv")
    return out


def _series(city: str, series: str) -> pd.DataFrame:
    p = NATIONAL_DIR / f"series_{city}.csv"
    if not p.exists():
        raise MissingParameterError(f"{series}: no data file for city {city!r}")
    s = national_table(f"series_{city}")
    return s[s.series == series]


def _lookup_periods(table: pd.DataFrame, ym: np.ndarray, what: str) -> np.ndarray:
    """Row position in ``table`` (period_start..period_end) for each month; error if none."""
    start, end = month_numbers(table["period_start"]), month_numbers(table["period_end"])
    pos = np.full(ym.shape, -1)
    for i in range(len(table)):  # periods of one city, not records
        pos[(ym >= start[i]) & (ym <= end[i])] = i
    bad = np.flatnonzero(pos < 0)
    if bad.size:
        raise MissingParameterError(f"{what}: no value for {format_rows(bad)}")
    return pos


def _months_text(ym: np.ndarray, positions: np.ndarray, limit: int = 3) -> str:
    """'2012-06 (row 1)' style text naming the months (YYYY-MM) and rows of ``positions``."""
    months = [month_label(v) for v in np.unique(ym[positions])]
    shown = ", ".join(months[:limit]) + (f" and {len(months) - limit} more" if len(months) > limit else "")
    return f"{shown} ({format_rows(positions)})"


def _column(x, n: int, name: str) -> np.ndarray:
    """``x`` (scalar, array or None) as a float array of length ``n``; None -> NaN."""
    if x is None:
        return np.full(n, np.nan)
    v = np.asarray(x, dtype=float)
    if v.ndim == 0:
        v = np.full(n, float(v))
    if v.shape != (n,):
        raise InputError(f"{name}: {v.size} values for {n} months")
    bad = np.flatnonzero(v < 0)
    if bad.size:
        raise InputError(f"{name}: negative value in {format_rows(bad)}")
    return v


def _bounds(table: pd.DataFrame, lo: str, hi: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper bounds of a condition (blank = unbounded) and whether the row has one."""
    a, b = table[lo].to_numpy(float), table[hi].to_numpy(float)
    return np.nan_to_num(a, nan=-np.inf), np.nan_to_num(b, nan=np.inf), ~(np.isnan(a) & np.isnan(b))


def unemployment_amount(city: str, month, years=None, benefit_month=1, age=None) -> np.ndarray:
    """Monthly unemployment benefit (失业保险金) for ``city`` in each ``month`` (YYYY-MM).

    失业保险条例 art.18: set by the province, below the minimum wage and above the local
    minimum living standard. The rules in ``data/national/unemployment_amount.csv``:

    * Guangzhou, Shenzhen (``method=share_of_minimum_wage``): a share of the local monthly
      minimum wage (``series_{city}.csv``): 80% under 广东省失业保险条例 (Shenzhen: 深圳经济特区
      失业保险若干规定 from 2013), 90% from 2018-05-01 (省人社厅 notice, Xinhua 2018-05-22).
      Shenzhen 2012 pays flat amounts (``method=table``): 80% of the *previous* year's minimum
      wage under the 1996 深圳经济特区失业保险条例.
    * Beijing (``method=table``): one amount per band of cumulative contribution years
      (不满5年 / 5-10 / 10-15 / 15-20 / 20年以上) for benefit months 1-12, and the first band's
      amount for every claimant from the 13th benefit month (京人社 notices, 2014-2025).
    * Shanghai (``method=table``): amounts by benefit phase (months 1-12, 13-24, and
      ``benefit_month >= 25`` for 延长领取, the extension for claimants near retirement); in the
      2011-2016 tables also by contribution years and age (沪人社就发[2011]30号, [2014]10号,
      〔2015〕11号, 〔2016〕13号).

    A table row applies when ``min_years <= years < max_years``, ``min_age <= age < max_age``
    and ``from_benefit_month <= benefit_month <= to_benefit_month`` (blank bound = none).
    ``years`` below 1 gives 0 (no entitlement, art.14). The lookup is vectorised: a loop over
    the few rules of one city, numpy over the records.

    Parameters
    ----------
    city : str
        ``"beijing"``, ``"shanghai"``, ``"guangzhou"`` or ``"shenzhen"``.
    month : array_like of str
        Calendar month each benefit is paid, ``"YYYY-MM"``.
    years : float or array_like, optional
        Cumulative contribution years; needed where the table depends on them (Beijing,
        Shanghai 2012-01..03 and 2014-2016), otherwise only used for the under-one-year check.
    benefit_month : int or array_like, default 1
        Which month of the claim (1 = first month of benefit).
    age : float or array_like, optional
        Claimant's age; needed only where the table depends on it (Shanghai 2012-01..03 and
        2014-2016).

    Returns
    -------
    numpy.ndarray of float
        Yuan per month, rounded to 0.01.

    Raises
    ------
    MissingParameterError
        No value in the data for that city and month (never taken as 0), or no table row for
        that combination of years, age and benefit month.
    InputError
        ``years`` or ``age`` missing where the table needs it; negative or non-integer inputs.

    Examples
    --------
    >>> unemployment_amount("guangzhou", ["2023-06", "2015-06"]).tolist()
    [2070.0, 1516.0]
    >>> unemployment_amount("beijing", ["2023-10"] * 3, years=[3, 12, 12],
    ...                     benefit_month=[1, 1, 13]).tolist()
    [2124.0, 2178.0, 2124.0]
    >>> unemployment_amount("shanghai", ["2024-08", "2024-08"], benefit_month=[1, 14]).tolist()
    [2255.0, 1804.0]
    >>> unemployment_amount("shanghai", ["2013-06"])
    Traceback (most recent call last):
    ...
    wuxian.errors.MissingParameterError: unemployment_amount: no value collected for shanghai in 2013-06 (row 1); see data/national/unemployment_amount.csv
    """
    ym = month_numbers(month)
    n = ym.size
    y = _column(years, n, "years")
    a = _column(age, n, "age")
    bm = _column(benefit_month, n, "benefit_month")
    bad = np.flatnonzero(np.isnan(bm) | (bm < 1) | (bm != np.floor(bm)))
    if bad.size:
        raise InputError(f"benefit_month: must be a whole number >= 1, {format_rows(bad)}")
    t = _csv("unemployment_amount.csv")
    t = t[t.city == city].reset_index(drop=True)
    if t.empty:
        raise MissingParameterError(f"unemployment_amount: no data for city {city!r}")
    start, end = month_numbers(t["period_start"]), month_numbers(t["period_end"])
    ylo, yhi, yneed = _bounds(t, "min_years", "max_years")
    alo, ahi, aneed = _bounds(t, "min_age", "max_age")
    mlo, mhi, _ = _bounds(t, "from_benefit_month", "to_benefit_month")
    pos = np.full(n, -1)
    in_period = np.zeros(n, dtype=bool)
    need_years = np.zeros(n, dtype=bool)
    need_age = np.zeros(n, dtype=bool)
    for i in range(len(t)):  # the rules of one city, not records
        p = (ym >= start[i]) & (ym <= end[i])
        in_period |= p
        p &= (bm >= mlo[i]) & (bm <= mhi[i])
        if yneed[i]:
            need_years |= p & np.isnan(y)
            p &= (y >= ylo[i]) & (y < yhi[i])
        if aneed[i]:
            need_age |= p & np.isnan(a)
            p &= (a >= alo[i]) & (a < ahi[i])
        pos[p] = i
    eligible = ~(y < 1)  # NaN years: not known to be ineligible
    rows = np.flatnonzero(~in_period)
    if rows.size:
        raise MissingParameterError(f"unemployment_amount: no value for {city} in "
                                    f"{_months_text(ym, rows)}")
    for missing, name, why in ((need_years, "years", "contribution years"), (need_age, "age", "age")):
        rows = np.flatnonzero(missing & eligible)
        if rows.size:
            raise InputError(f"{name}: needed for {city} in {_months_text(ym, rows)}: the benefit "
                             f"depends on {why}")
    method = t["method"].to_numpy(object)
    rows = np.flatnonzero(eligible & (pos >= 0))
    gap = rows[pd.isna(method[pos[rows]])]
    if gap.size:
        raise MissingParameterError(f"unemployment_amount: no value collected for {city} in "
                                    f"{_months_text(ym, gap)}; see data/national/unemployment_amount.csv")
    rows = np.flatnonzero(eligible & (pos < 0))
    if rows.size:
        raise MissingParameterError(f"unemployment_amount: no {city} table row for these contribution "
                                    f"years, age and benefit month in {_months_text(ym, rows)}")
    out = np.zeros(n)
    value = t["value"].to_numpy(float)
    m = method[np.maximum(pos, 0)]
    table = eligible & (m == "table")
    out[table] = value[pos[table]]
    share = np.flatnonzero(eligible & (m == "share_of_minimum_wage"))
    if share.size:
        mw = _series(city, "minimum_wage").reset_index(drop=True)
        if mw.empty:
            raise MissingParameterError(f"minimum_wage: no series for {city}")
        wage = mw["value"].to_numpy(float)[_lookup_periods(mw, ym[share], f"minimum_wage ({city})")]
        out[share] = wage * value[pos[share]]
    unknown = np.flatnonzero(eligible & ~np.isin(m, ["table", "share_of_minimum_wage"]))
    if unknown.size:
        raise MissingParameterError(f"unemployment_amount: unknown method for {city} in "
                                    f"{_months_text(ym, unknown)}")
    return np.round(out, 2)


def unemployment_transfer(unpaid_benefit, years_at_origin) -> pd.DataFrame:
    """What moves when an unemployed claimant moves to another province.

    失业保险金申领发放办法 (劳动和社会保障部令第8号) art.24: the unpaid benefit plus 50% of it
    (medical subsidy, training, job placement) moves with the claimant; the fund moves only after
    at least one year of contributions at the origin (MOHRSS rule, medium confidence).

    Examples
    --------
    >>> unemployment_transfer([10000, 10000], [2, 0.5])["fund_transferred"].tolist()
    [15000.0, 0.0]
    """
    u = _arr(unpaid_benefit, "unpaid_benefit")
    y = _arr(years_at_origin, "years_at_origin")
    ok = y >= rule_value("unemployment_transfer", "min_years_for_fund_transfer")
    extra = np.where(ok, u * rule_value("unemployment_transfer", "extra_share_for_claimants"), 0.0)
    return pd.DataFrame({"unpaid_benefit": np.where(ok, u, 0.0),
                         "medical_training_extra": extra,
                         "fund_transferred": np.where(ok, u, 0.0) + extra,
                         "eligible": ok})


def maternity_leave_days(city: str, month, difficult_birth=False, extra_babies=0) -> np.ndarray:
    """Paid maternity leave days for births in ``month`` (YYYY-MM) in ``city``.

    女职工劳动保护特别规定 (国务院令第619号, 2012-04-28) art.7: 98 days, +15 for a difficult
    birth, +15 per extra baby; plus the city extension (Beijing 30 days from 2016-03, 60 from
    2021-11-26; Shanghai 30 → 60 from 2021-11-25; Guangdong 80 from 2016-01), see
    ``maternity_leave.csv``.

    Examples
    --------
    >>> maternity_leave_days("beijing", ["2023-05", "2018-05"]).tolist()
    [158, 128]
    >>> maternity_leave_days("guangzhou", ["2020-01"], difficult_birth=True, extra_babies=1).tolist()
    [208]
    """
    ym = month_numbers(month)
    t = national_table("maternity_leave")
    t = t[t.city == city].reset_index(drop=True)
    if t.empty:
        raise MissingParameterError(f"maternity_leave: no data for city {city!r}")
    r = t.iloc[_lookup_periods(t, ym, f"maternity_leave ({city})")]
    extra = _arr(np.broadcast_to(extra_babies, ym.shape), "extra_babies")
    hard = np.broadcast_to(np.asarray(difficult_birth, dtype=bool), ym.shape)
    days = (r.base_days.to_numpy() + hard * r.difficult_birth_days.to_numpy()
            + extra * r.extra_baby_days.to_numpy() + r.city_extra_days.to_numpy())
    return days.astype(int)


def maternity_allowance(employer_avg_wage, leave_days) -> np.ndarray:
    """Maternity allowance (生育津贴) = employer's average monthly wage / 30 × leave days.

    社会保险法 art.56; 女职工劳动保护特别规定 art.8 (按照用人单位上年度职工月平均工资的标准).

    Examples
    --------
    >>> maternity_allowance([12000], [158]).tolist()
    [63200.0]
    >>> maternity_allowance([12000], [-1])
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: leave_days: missing or negative value in row 1
    """
    w = _arr(employer_avg_wage, "employer_avg_wage")
    d = _arr(leave_days, "leave_days")
    return np.round(w / 30.0 * d, 2)
