"""Pension at retirement for whole cohorts of contribution histories (vectorised).

Input: ``history`` — one row per employee-month: ``employee_id, city, month (YYYY-MM), base``
(optional ``wage`` for the replacement rate); ``people`` — one row per employee:
``employee_id, birth_month, track`` and ``claim_city`` or ``hukou_city`` (the claim city is
then derived by the 国办发〔2009〕66号 art.6 rule); optional ``retire_month`` (flexible
retirement, checked against the bounds), ``deemed_years`` (视同缴费年限, pre-account service)
and ``deemed_index``.

Formulas (国发〔2005〕38号 art.6 unless stated):

- **Contribution index** of a month = base / average wage of the claim region for the
  previous statistical year (``data/national/avg_wage.csv``; 66号文: indices are re-based on
  the claim place's average wages). Mean index = mean over months (deemed service at
  ``deemed_index``, default 1.0).
- **Basic pension** = 计发基数 (claim region, retirement year; ``calc_base.csv``)
  × (1 + mean index) / 2 × years (actual months/12 + deemed years) × 1%.
- **Personal account**: credit = base × share (11% 1998–2005 国发〔1997〕26号, 8% from 2006
  国发〔2005〕38号). Interest (记账利率, nationally unified from 2016, 人社部发〔2017〕31号):
  compounded **annually at year end** on the opening balance; the year's own contributions
  earn ``in_year_interest × r`` in that year (default 0: credited at year end; 0.5 = mid-year
  convention; 劳办发〔1997〕116号 uses 1.083/2 on monthly deposits). Interest runs through the
  end of the year before the retirement year; contributions of the retirement year earn none.
  Years with no published rate use ``Assumptions.interest`` and are counted in the output.
- **Account pension** = balance / 计发月数 (:func:`wuxian.retirement.payout_months`).
- **Transitional pension** (过渡性养老金) — simplified: 计发基数 × deemed years × deemed index
  × the region's coefficient (``transitional_coef.csv``, low confidence); **not modelled for
  Shenzhen** (own legacy method) — reported in ``transitional_note``.
- **Eligibility**: years ≥ minimum for the retirement year
  (:func:`wuxian.retirement.min_contribution_years`).

Years beyond the last published average wage / 计发基数 are projected with
``Assumptions.wage_growth``; each output row counts the projected values it used.

Examples
--------
>>> h = pd.DataFrame({"employee_id": 1, "city": "beijing",
...                   "month": [f"{y}-{m:02d}" for y in range(2011, 2025) for m in range(1, 13)],
...                   "base": 10000.0})
>>> p = pd.DataFrame({"employee_id": [1], "birth_month": ["1965-06"], "track": ["male"],
...                   "claim_city": ["beijing"], "deemed_years": [1.0]})
>>> out = pension_at_retirement(h, p)
>>> out[["retire_month", "contribution_years", "eligible"]].to_dict("records")
[{'retire_month': '2025-08', 'contribution_years': 15.0, 'eligible': True}]
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError, MissingParameterError, format_rows
from .months import month_labels, month_numbers
from .national import national_table, rule, rule_value
from .retirement import (Y0, Y1, interest_rates, min_contribution_years,
                         payout_months, region_of, retirement_bounds, statutory_age_months,
                         track_codes, year_table)
from .schema import city_names, numeric_values


@dataclass(frozen=True)
class Assumptions:
    """Explicit, overridable assumptions for years the data do not cover.

    >>> Assumptions().wage_growth
    0.04
    """

    wage_growth: float = 0.04      # yearly growth of average wages / 计发基数 after the data
    interest: float = 0.03         # 记账利率 for years without a published rate
    in_year_interest: float = 0.0  # share of r earned by a year's own contributions
    payout_method: str = "interpolate"


def _optional(frame: pd.DataFrame, column: str, default: float) -> np.ndarray:
    """An optional per-employee number: `default` where the column or a cell is blank; text
    that is not a number, or a negative value, is an InputError naming the rows."""
    if column not in frame.columns:
        return np.full(len(frame), default)
    values = numeric_values(frame[column], column)
    bad = np.flatnonzero(values < 0)
    if bad.size:
        raise InputError(f"{column}: negative value in {format_rows(bad)}")
    return np.where(np.isnan(values), default, values)


def normalise_city(values) -> np.ndarray:
    """Lower-case city names, Chinese aliases mapped (北京 → beijing); other names kept.

    >>> normalise_city(["北京", "Shenzhen", "chengdu"]).tolist()
    ['beijing', 'shenzhen', 'chengdu']
    """
    return city_names(values, keep_unknown=True)


def _history_codes(history: pd.DataFrame, people_ids: pd.Index):
    for col in ("employee_id", "city", "month", "base"):
        if col not in history.columns:
            raise InputError(f"{col}: missing column in the contribution history")
    emp = people_ids.get_indexer(history["employee_id"])
    if (emp < 0).any():
        raise InputError("employee_id: not in the per-employee table in "
                         + format_rows(np.flatnonzero(emp < 0)))
    month = month_numbers(history["month"], "month")
    base = numeric_values(history["base"], "base")
    bad = np.flatnonzero(~(base >= 0))
    if bad.size:
        raise InputError(f"base: missing or negative in {format_rows(bad)}")
    span = int(month.max() - month.min() + 1) if month.size else 1
    key = emp.astype(np.int64) * span + (month - month.min() if month.size else month)
    if len(people_ids) * span <= 200_000_000:  # dense count: faster than hashing
        dup = np.flatnonzero(np.bincount(key, minlength=len(people_ids) * span)[key] > 1)
    else:
        dup = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())
    if dup.size:
        raise InputError("month: the same employee-month appears twice (overlapping months, "
                         f"e.g. in two cities) in {format_rows(dup)}")
    raw_codes, raw = pd.factorize(history["city"])  # normalise distinct names only
    if (raw_codes < 0).any():
        raise InputError("city: missing in " + format_rows(np.flatnonzero(raw_codes < 0)))
    merged, cities = pd.factorize(normalise_city(np.asarray(raw, dtype=object)))
    city_codes = merged[raw_codes]
    return emp, month, base, city_codes, np.asarray(cities, dtype=object)


def claim_city_from_history(emp, month, city_codes, cities, hukou, n: int) -> np.ndarray:
    """Claim city per employee under 国办发〔2009〕66号 art.6, vectorised over employees.

    1. relation (last contribution city) in the hukou city → hukou city;
    2. else the most recent city with ≥ 120 cumulative months (current place first);
    3. else the hukou city (everything is pooled there).

    >>> claim_city_from_history(np.array([0] * 130 + [0] * 10), np.arange(140),
    ...     np.array([0] * 130 + [1] * 10), np.array(["beijing", "shenzhen"], dtype=object),
    ...     np.array(["chengdu"], dtype=object), 1).tolist()
    ['beijing']
    """
    threshold = int(rule_value("transfer_rules", "transfer_pension.claim_place_threshold_months"))
    nc = len(cities)
    key = emp.astype(np.int64) * nc + city_codes
    counts = np.bincount(key, minlength=n * nc).reshape(n, nc)
    last = pd.Series(month).groupby(key).max()
    lastm = np.full(n * nc, -1, dtype=np.int64)
    lastm[last.index.to_numpy()] = last.to_numpy()
    lastm = lastm.reshape(n, nc)
    has = counts.sum(axis=1) > 0
    current = cities[np.argmax(lastm, axis=1)] if nc else np.full(n, None, dtype=object)
    qual = np.where(counts >= threshold, lastm, -1)
    best = np.argmax(qual, axis=1) if nc else np.zeros(n, dtype=np.int64)
    has_qual = (qual.max(axis=1) >= 0) if nc else np.zeros(n, dtype=bool)
    out = np.asarray(hukou, dtype=object).copy()
    pick = has & (current != out) & has_qual
    out[pick] = cities[best[pick]]
    return out


def account_balance(emp, month, base, close_year, a: Assumptions, n: int):
    """Personal-account balance per employee, interest credited through ``close_year - 1``.

    Credit shares: ``account_credit_share.csv`` (11% 1998–2005, 8% from 2006); interest as
    described in the module docstring. Returns ``(balance, credits, assumed_rate_years)``.

    >>> b, c, _ = account_balance(np.array([0, 0]), month_numbers(["2023-06", "2024-06"], "m"),
    ...                           np.array([10000.0, 10000.0]), np.array([2025]), Assumptions(), 1)
    >>> float(c[0]), round(float(b[0]), 4)   # 800 x 1.0262 + 800
    (1600.0, 1620.96)
    """
    shares = national_table("account_credit_share")
    lo = month_numbers(shares["month_start"].to_numpy(), "month_start")
    hi = month_numbers(shares["month_end"].to_numpy(), "month_end")
    pos = np.searchsorted(lo, month, side="right") - 1
    ok = (pos >= 0) & (month <= hi[np.clip(pos, 0, None)])
    if not ok.all():
        raise MissingParameterError("account credit share: no rule for months before "
                                    f"{shares['month_start'].iloc[0]} in "
                                    + format_rows(np.flatnonzero(~ok)))
    credit = base * shares["share"].to_numpy(float)[pos]
    r, assumed = interest_rates(a.interest)
    g = np.cumprod(1 + r)                       # g[y] = prod_{s<=y} (1 + r_s)
    y = month // 12 - Y0
    t = np.asarray(close_year, dtype=np.int64)[emp] - 1 - Y0
    grow = np.where(y <= t, (1 + a.in_year_interest * r[y]) * g[np.maximum(t, 0)] / g[y], 1.0)
    balance = np.bincount(emp, weights=credit * grow, minlength=n)
    credits = np.bincount(emp, weights=credit, minlength=n)
    fy = pd.Series(y).groupby(emp).min().reindex(range(n)).fillna(Y1 - Y0).to_numpy(np.int64)
    cum_assumed = np.concatenate([[0], np.cumsum(assumed)])
    tt = np.asarray(close_year, dtype=np.int64) - 1 - Y0
    n_assumed = np.where(tt >= fy, cum_assumed[np.clip(tt + 1, 0, None)] - cum_assumed[fy], 0)
    return balance, credits, n_assumed


def _people_retirement(people: pd.DataFrame):
    """Checked ids, birth months and retirement months (statutory or a valid ``retire_month``).

    Rules: NPC decision 2024-09-13 (statutory month); 《实施弹性退休制度暂行办法》 (bounds).
    """
    for col in ("employee_id", "birth_month", "track"):
        if col not in people.columns:
            raise InputError(f"{col}: missing column in the per-employee table")
    ids = pd.Index(people["employee_id"])
    if ids.has_duplicates:
        raise InputError("employee_id: repeated in the per-employee table in "
                         + format_rows(np.flatnonzero(ids.duplicated(keep=False))))
    n = len(ids)
    birth = month_numbers(people["birth_month"].to_numpy(), "birth_month")
    track_codes(people["track"].to_numpy(), n)
    stat_age = statutory_age_months(people["birth_month"].to_numpy(), people["track"].to_numpy())
    retire = birth + stat_age
    if "retire_month" in people.columns and people["retire_month"].notna().any():
        given = people["retire_month"].notna().to_numpy()
        chosen = retire.copy()
        chosen[given] = month_numbers(people.loc[given, "retire_month"].to_numpy(),
                                       "retire_month")
        b = retirement_bounds(people["birth_month"].to_numpy(), people["track"].to_numpy())
        lo = month_numbers(b["earliest"].to_numpy(), "earliest")
        hi = month_numbers(b["latest"].to_numpy(), "latest")
        out_of = np.flatnonzero((chosen < lo) | (chosen > hi))
        if out_of.size:
            raise InputError("retire_month: outside the flexible-retirement bounds (earliest "
                             f"original age / statutory −36 to +36 months) in {format_rows(out_of)}")
        retire = chosen
    return ids, birth, retire


def pension_at_retirement(history: pd.DataFrame, people: pd.DataFrame,
                          assumptions: Assumptions | None = None) -> pd.DataFrame:
    """Pension at retirement for every employee of `people` (one output row each).

    Rules: see the module docstring (国发〔2005〕38号, 国办发〔2009〕66号, NPC decision
    2024-09-13, 人社部发〔2017〕31号). Vectorised: bincount / groupby over codes.

    >>> h = pd.DataFrame({"employee_id": "a", "city": "shanghai",
    ...     "month": [f"{y}-{m:02d}" for y in range(2011, 2025) for m in range(1, 13)],
    ...     "base": 12000.0})
    >>> p = pd.DataFrame({"employee_id": ["a"], "birth_month": ["1970-06"],
    ...     "track": ["female_55"], "hukou_city": ["上海"]})
    >>> out = pension_at_retirement(h, p)   # 14 years < 15: not eligible
    >>> out[["claim_city", "retire_month", "eligible"]].to_dict("records")
    [{'claim_city': 'shanghai', 'retire_month': '2025-08', 'eligible': False}]
    """
    a = assumptions or Assumptions()
    ids, birth, retire = _people_retirement(people)
    n = len(ids)
    emp, month, base, ccodes, cities = _history_codes(history, ids)
    late = np.flatnonzero(month >= retire[emp])
    if late.size:
        raise InputError(f"month: at or after the employee's retirement month in "
                         f"{format_rows(late)}")
    # claim city
    if "claim_city" in people.columns:
        claim = normalise_city(people["claim_city"].to_numpy())
    elif "hukou_city" in people.columns:
        claim = claim_city_from_history(emp, month, ccodes, cities,
                                        normalise_city(people["hukou_city"].to_numpy()), n)
    else:
        raise InputError("claim_city: missing column (give claim_city or hukou_city)")
    region = region_of(claim)
    unknown = np.flatnonzero(pd.isna(region))
    if unknown.size:
        raise MissingParameterError(
            "claim_city: no average-wage / 计发基数 data for "
            f"{sorted(set(claim[unknown]))} (per-employee {format_rows(unknown)})")
    rcodes, regions = pd.factorize(region)
    regions = np.asarray(regions, dtype=object)
    aw, aw_proj = year_table("avg_wage", "avg_wage", "year", list(regions), a.wage_growth)
    cb, cb_proj = year_table("calc_base", "calc_base", "retire_year", list(regions),
                             a.wage_growth)
    lag = int(rule("pension_rules", "index_wage_lag_years"))
    # contribution index per month, against the claim region's average wage of year - lag
    yrow = month // 12 - lag - Y0
    denom = aw[rcodes[emp], yrow]
    miss = np.flatnonzero(np.isnan(denom))
    if miss.size:
        raise MissingParameterError(
            f"avg_wage: no average wage for region {regions[rcodes[emp[miss[0]]]]} year "
            f"{yrow[miss[0]] + Y0} (contribution {format_rows(miss)})")
    months_n = np.bincount(emp, minlength=n)
    idx_sum = np.bincount(emp, weights=base / denom, minlength=n)
    proj_used = np.bincount(emp, weights=aw_proj[rcodes[emp], yrow], minlength=n)
    deemed = _optional(people, "deemed_years", default=0.0)  # blank: no deemed service
    d_index = _optional(people, "deemed_index", default=1.0)  # blank: the documented 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_index = (idx_sum + deemed * 12 * d_index) / (months_n + deemed * 12)
    years = months_n / 12 + deemed
    ryear = retire // 12
    calc_base = cb[rcodes, ryear - Y0]
    miss = np.flatnonzero(np.isnan(calc_base))
    if miss.size:
        raise MissingParameterError(
            f"calc_base: no 计发基数 for region {regions[rcodes[miss[0]]]} retirement year "
            f"{ryear[miss[0]]} (per-employee {format_rows(miss)})")
    rate = float(rule("pension_rules", "basic_rate_per_year"))
    basic = calc_base * (1 + mean_index) / 2 * years * rate
    basic = np.where(years > 0, basic, 0.0)
    balance, credits, n_assumed = account_balance(emp, month, base, ryear, a, n)
    age = retire - birth
    divisor = payout_months(age / 12, method=a.payout_method)
    account = balance / divisor
    tc = national_table("transitional_coef").set_index("region").reindex(list(regions))
    coef = tc["coef_per_year"].to_numpy(float)[rcodes]
    modelled = (tc["method"].to_numpy(object) != "not_modelled")[rcodes]
    trans = np.where(deemed > 0, np.where(modelled, calc_base * deemed * d_index * coef,
                                          np.nan), 0.0)
    note = np.where((deemed > 0) & ~modelled,
                    ("not modelled for " + pd.Series(regions[rcodes], dtype=object).astype(str)
                     + "; total excludes it").to_numpy(object),
                    np.where(deemed > 0, "simplified: 计发基数 × deemed years × index × coef", ""))
    wage = numeric_values(history["wage"], "wage") if "wage" in history.columns else base
    last = pd.Series(month).groupby(emp).idxmax()
    final = np.full(n, np.nan)
    final[last.index.to_numpy()] = wage[last.to_numpy()]
    total = basic + account + np.nan_to_num(trans)
    min_years = min_contribution_years(ryear)
    return pd.DataFrame({
        "employee_id": ids.to_numpy(), "claim_city": claim, "region": region,
        "track": np.asarray(people["track"].to_numpy(), dtype=object),
        "retire_month": month_labels(retire), "retire_age_months": age,
        "contribution_months": months_n, "deemed_years": deemed,
        "contribution_years": years, "min_years": min_years, "eligible": years >= min_years,
        "mean_index": mean_index, "calc_base": calc_base, "basic_pension": basic,
        "account_credits": credits, "account_balance": balance, "payout_months": divisor,
        "account_pension": account, "transitional_pension": trans,
        "transitional_note": note, "total_pension": total, "final_wage": final,
        "replacement_rate": total / final,
        "projected_wage_years": proj_used / 12 + cb_proj[rcodes, ryear - Y0],
        "assumed_interest_years": n_assumed,
    })


def project_history(history: pd.DataFrame, people: pd.DataFrame,
                    assumptions: Assumptions | None = None) -> pd.DataFrame:
    """Extend each employee's history to the month before retirement (explicit assumption).

    Future months keep the last city; the base (and ``wage``) grow by
    ``assumptions.wage_growth`` per calendar year after the last recorded year. Adds a
    ``projected`` column. Vectorised with ``np.repeat``; the result can be large (one row
    per future month).

    >>> h = pd.DataFrame({"employee_id": [1], "city": ["beijing"], "month": ["2024-11"],
    ...                   "base": [10000.0]})
    >>> p = pd.DataFrame({"employee_id": [1], "birth_month": ["1965-01"], "track": ["male"]})
    >>> out = project_history(h, p, Assumptions(wage_growth=0.1))   # retires 2025-02
    >>> out[["month", "base", "projected"]].values.tolist()
    [['2024-11', 10000.0, False], ['2024-12', 10000.0, True], ['2025-01', 11000.0, True]]
    """
    a = assumptions or Assumptions()
    ids, _, retire = _people_retirement(people)
    emp, month, base, _, _ = _history_codes(history, ids)
    last = pd.Series(month).groupby(emp).idxmax()
    e, pos = last.index.to_numpy(), last.to_numpy()
    lm = month[pos]
    k = np.maximum(retire[e] - lm - 1, 0)
    rep = np.repeat(np.arange(e.size), k)
    m_new = lm[rep] + 1 + np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    growth = (1 + a.wage_growth) ** (m_new // 12 - lm[rep] // 12)
    new = pd.DataFrame({"employee_id": ids.to_numpy()[e][rep],
                        "city": history["city"].to_numpy()[pos][rep],
                        "month": month_labels(m_new), "base": base[pos][rep] * growth})
    if "wage" in history.columns:
        new["wage"] = numeric_values(history["wage"], "wage")[pos][rep] * growth
    cols = [c for c in ("employee_id", "city", "month", "base", "wage") if c in history.columns]
    return pd.concat([history[cols].assign(month=history["month"].astype(str), projected=False),
                      new.assign(projected=True)], ignore_index=True)


def split_file_frame(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split one employee-month frame (per-employee columns repeated) into history and people.

    Per-employee columns must be constant within an employee (InputError otherwise).

    >>> df = pd.DataFrame({"employee_id": [1, 1], "city": "beijing", "month": ["2024-01",
    ...     "2024-02"], "base": 9000.0, "birth_month": "1970-01", "track": "male",
    ...     "hukou_city": "beijing"})
    >>> h, p = split_file_frame(df)
    >>> len(h), p.columns.tolist()
    (2, ['employee_id', 'birth_month', 'track', 'hukou_city'])
    """
    per = [c for c in ("birth_month", "track", "hukou_city", "claim_city", "retire_month",
                       "deemed_years", "deemed_index") if c in df.columns]
    people = df.drop_duplicates(["employee_id"] + per)[["employee_id"] + per]
    if people["employee_id"].duplicated().any():
        bad = df.index.get_indexer(df[df["employee_id"].isin(
            people.loc[people["employee_id"].duplicated(), "employee_id"])].index)
        raise InputError(f"{', '.join(per)}: differ within one employee in {format_rows(bad)}")
    hist = [c for c in ("employee_id", "city", "month", "base", "wage") if c in df.columns]
    return df[hist], people.reset_index(drop=True)


def pension_from_file_frame(df: pd.DataFrame, assumptions: Assumptions | None = None
                            ) -> pd.DataFrame:
    """CLI entry: one employee-month frame in, one pension row per employee out.

    >>> df = pd.DataFrame({"employee_id": 7, "city": "beijing",
    ...     "month": [f"{y}-{m:02d}" for y in range(2011, 2025) for m in range(1, 13)],
    ...     "base": 8000.0, "birth_month": "1965-06", "track": "male", "hukou_city": "北京"})
    >>> pension_from_file_frame(df)[["claim_city", "contribution_months"]].to_dict("records")
    [{'claim_city': 'beijing', 'contribution_months': 168}]
    """
    hist, people = split_file_frame(df)
    return pension_at_retirement(hist, people, assumptions)
