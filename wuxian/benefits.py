"""Unemployment and maternity benefits, vectorised (work injury: :mod:`wuxian.injury`).

Every parameter comes from ``data/national/unemployment_*.csv`` and
``data/national/maternity_*.csv``, each row with source and confidence. A value that is not in
the data raises :class:`~wuxian.errors.MissingParameterError`; it is never taken as 0.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from wuxian.errors import InputError, MissingParameterError, format_rows
from wuxian.injury import (death_benefits, injury_disability, nursing_allowance)  # noqa: F401

DATA = Path(__file__).resolve().parent.parent / "data" / "national"

__all__ = ["unemployment_months", "unemployment_amount", "unemployment_transfer",
           "maternity_leave_days", "maternity_allowance", "injury_disability",
           "nursing_allowance", "death_benefits"]


def _arr(x, name: str, nonneg: bool = True) -> np.ndarray:
    v = np.atleast_1d(np.asarray(x, dtype=float))
    bad = np.flatnonzero(np.isnan(v) | ((v < 0) if nonneg else False))
    if bad.size:
        raise InputError(f"{name}: missing or negative value in {format_rows(bad)}")
    return v


def _ym(text) -> np.ndarray:
    s = pd.Series(np.atleast_1d(np.asarray(text, dtype=object))).astype(str)
    try:
        return (s.str[:4].astype(int) * 12 + s.str[5:7].astype(int) - 1).to_numpy()
    except ValueError:
        raise InputError("month: not in YYYY-MM form") from None


@lru_cache(maxsize=None)
def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


def unemployment_months(years, city: str = "national") -> np.ndarray:
    """Maximum months of unemployment benefit by cumulative contribution years.

    National maxima, 失业保险条例 (国务院令第258号) art.17: 满1年不足5年 12 months, 满5年不足10年
    18, 10年以上 24; under one year there is no entitlement (0 months, art.14). A city's own
    schedule (Beijing: 北京市失业保险规定, 3 months per year up to 5 years, then +1 per year,
    cap 24) is used when ``city`` has one in ``unemployment_months.csv``.

    Examples
    --------
    >>> unemployment_months([0.5, 1, 4.9, 5, 9, 10, 30]).tolist()
    [0, 12, 12, 18, 18, 24, 24]
    >>> unemployment_months([1, 4, 7, 20], city="beijing").tolist()
    [3, 12, 14, 24]
    """
    y = _arr(years, "years")
    t = _csv("unemployment_months.csv")
    t = t[t.city == city]
    if t.empty:
        raise MissingParameterError(f"unemployment_months: no schedule for city {city!r} "
                                    "(use city='national' for the national maxima)")
    out = np.zeros(y.shape, dtype=int)
    for row in t.itertuples():  # a few schedule rows, not records
        hi = np.inf if pd.isna(row.max_years) else row.max_years
        m = (y >= row.min_years) & (y < hi)
        extra = np.floor(y[m] - row.min_years) * row.extra_per_year_beyond_min
        out[m] = np.minimum(row.months + extra, row.cap).astype(int)
    return out


def _series(city: str, series: str) -> pd.DataFrame:
    p = DATA / f"series_{city}.csv"
    if not p.exists():
        raise MissingParameterError(f"{series}: no data file for city {city!r}")
    s = pd.read_csv(p)
    return s[s.series == series]


def _lookup_periods(table: pd.DataFrame, ym: np.ndarray, what: str) -> np.ndarray:
    """Row position in ``table`` (period_start..period_end) for each month; error if none."""
    start, end = _ym(table["period_start"]), _ym(table["period_end"])
    pos = np.full(ym.shape, -1)
    for i in range(len(table)):  # periods of one city, not records
        pos[(ym >= start[i]) & (ym <= end[i])] = i
    bad = np.flatnonzero(pos < 0)
    if bad.size:
        raise MissingParameterError(f"{what}: no value for {format_rows(bad)}")
    return pos


def unemployment_amount(city: str, month) -> np.ndarray:
    """Monthly unemployment benefit (失业保险金) for ``city`` in each ``month`` (YYYY-MM).

    失业保险条例 art.18: set by the province, below the minimum wage and above the local
    minimum living standard. Guangdong (Guangzhou, Shenzhen): 90% of the local minimum wage
    (广东省失业保险条例; low confidence on the start date, see the data). Beijing and Shanghai
    publish their own tables, not collected: :class:`MissingParameterError`.

    Examples
    --------
    >>> unemployment_amount("guangzhou", ["2023-06"]).tolist()
    [2070.0]
    >>> unemployment_amount("beijing", ["2023-06"])
    Traceback (most recent call last):
    ...
    wuxian.errors.MissingParameterError: unemployment_amount: no value collected for beijing
    """
    t = _csv("unemployment_amount.csv")
    t = t[(t.city == city) & t.method.notna()].reset_index(drop=True)
    if t.empty:
        raise MissingParameterError(f"unemployment_amount: no value collected for {city}")
    ym = _ym(month)
    rule = t.iloc[_lookup_periods(t, ym, f"unemployment_amount ({city})")]
    mw = _series(city, "minimum_wage").reset_index(drop=True)
    if mw.empty:
        raise MissingParameterError(f"minimum_wage: no series for {city}")
    wage = mw["value"].to_numpy(float)[_lookup_periods(mw, ym, f"minimum_wage ({city})")]
    if not (rule.method == "share_of_minimum_wage").all():
        raise MissingParameterError(f"unemployment_amount: unknown method for {city}")
    return np.round(wage * rule["value"].to_numpy(float), 2)


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
    r = _csv("unemployment_transfer.csv").set_index("rule")["value"].astype(float)
    ok = y >= r["min_years_for_fund_transfer"]
    extra = np.where(ok, u * r["extra_share_for_claimants"], 0.0)
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
    ym = _ym(month)
    t = _csv("maternity_leave.csv")
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
