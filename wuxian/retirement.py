"""Retirement dates, minimum contribution years and 计发月数: the national tables as data.

Rules (every parameter is a row of ``data/national/*.csv`` with its source and confidence):

- **Statutory retirement month** — 全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13,
  in force 2025-01-01), 附件《国务院关于渐进式延迟法定退休年龄的办法》 art.1 and 对照表 附件1–3:
  ``delay = min(max_delay, (birth - first_affected) // step + 1)`` for births on or after the
  first affected month (else 0); ``retire = birth + original_age + delay`` (months).
  Tracks: ``male`` 60 → 63 (+1 month per 4 months of birth from 1965-01), ``female_55`` 55 → 58
  (from 1970-01, per 4), ``female_50`` 50 → 55 (from 1975-01, per 2).
- **Flexible retirement** — 《实施弹性退休制度暂行办法》 (2025-01-01): at most 36 months earlier
  than the statutory month but never before the original age (60/55/50), and only with the
  minimum contribution years; at most 36 months later.
- **Minimum contribution years** — 办法 art.2 and 附件4: 15 years until 2029, +6 months a year
  from 2030, 20 years from 2039, keyed by the calendar year of retirement.
- **计发月数** — 国发〔2005〕38号 附件, integer ages 40–70 (see :func:`payout_months` for months).

Examples
--------
>>> retirement_month("1965-01", "male")
'2025-02'
>>> min_contribution_years(2031)
16.0
"""

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, MissingParameterError, format_rows
from .months import month_label, month_labels, month_numbers
from .national import national_table

TRACKS = ("male", "female_55", "female_50")
Y0, Y1 = 1990, 2100  # the year axis of the dense rate / wage arrays


def _rules() -> pd.DataFrame:
    return national_table("retirement_rules").set_index("track")


def track_codes(track, n: int) -> np.ndarray:
    """Integer codes into :data:`TRACKS` for a scalar or array of track names (broadcast to n).

    >>> track_codes(["male", "female_50"], 2).tolist()
    [0, 2]
    """
    arr = np.asarray(track, dtype=object)
    arr = np.broadcast_to(arr, (n,)) if arr.ndim == 0 else arr
    codes = pd.Index(TRACKS).get_indexer(pd.Index(arr, dtype=object)).astype(np.int64)
    bad = np.flatnonzero(codes < 0)
    if bad.size:
        raise InputError(f"track: unknown value in {format_rows(bad)}; expected "
                         + ", ".join(TRACKS))
    return codes


def _today_month() -> int:
    t = pd.Timestamp.today()
    return t.year * 12 + t.month - 1


def _birth_and_track(birth_month, track):
    birth = month_numbers(birth_month, "birth_month")
    code = track_codes(track, birth.size)
    if code.size != birth.size:
        raise InputError("track: length differs from birth_month")
    future = np.flatnonzero(birth > _today_month())
    if future.size:
        raise InputError(f"birth_month: in the future in {format_rows(future)}")
    return birth, code


def statutory_age_months(birth_month, track) -> np.ndarray:
    """Statutory retirement age in months (e.g. 721 = 60 years 1 month), vectorised.

    Rule: 国务院关于渐进式延迟法定退休年龄的办法 art.1 (NPC decision 2024-09-13).

    >>> statutory_age_months(["1964-12", "1965-01", "1976-09"], "male").tolist()
    [720, 721, 756]
    """
    birth, code = _birth_and_track(birth_month, track)
    r = _rules().loc[list(TRACKS)]
    first = month_numbers(r["first_affected_birth_month"].to_numpy(), "first_affected")[code]
    step = r["birth_months_per_delay_month"].to_numpy(np.int64)[code]
    cap = r["max_delay_months"].to_numpy(np.int64)[code]
    orig = r["original_age_months"].to_numpy(np.int64)[code]
    delay = np.where(birth >= first, np.minimum(cap, (birth - first) // step + 1), 0)
    return orig + delay


def retirement_month(birth_month, track):
    """Statutory retirement month (``YYYY-MM``) by birth month and track, vectorised.

    Rule: 国务院关于渐进式延迟法定退休年龄的办法 art.1 and its 对照表 附件1–3
    (NPC Standing Committee decision of 2024-09-13, in force 2025-01-01):
    retirement month = birth month + original age + delay, delay = min(max, ⌊(birth − first
    affected)/step⌋ + 1). Scalars in, a scalar out; arrays in, an array out.

    Parameters
    ----------
    birth_month : str or array of str, ``YYYY-MM``
    track : str or array of str, one of ``male``, ``female_55``, ``female_50``

    Examples
    --------
    >>> retirement_month("1976-09", "male")   # 63 years: last row of 附件1
    '2039-09'
    >>> retirement_month(["1975-01", "1984-11"], "female_50").tolist()
    ['2025-02', '2039-11']
    """
    scalar = np.ndim(birth_month) == 0
    birth = month_numbers(birth_month, "birth_month")
    out = month_labels(birth + statutory_age_months(birth_month, track))
    return out[0] if scalar else out


def retirement_bounds(birth_month, track) -> pd.DataFrame:
    """Earliest, statutory and latest retirement month under flexible retirement.

    Rule: 《实施弹性退休制度暂行办法》 (2025-01-01) art.2–3: early by at most
    ``flex_early_max_months`` (36) and never before the original age; late by at most
    ``flex_late_max_months`` (36). Early retirement also needs the minimum contribution years
    (checked by :func:`wuxian.pension.pension_at_retirement`, not here).

    >>> retirement_bounds(["1970-01"], "male").iloc[0].tolist()
    ['2030-01', '2031-05', '2034-05']
    """
    birth, code = _birth_and_track(birth_month, track)
    r = _rules().loc[list(TRACKS)]
    age = statutory_age_months(birth_month, track)
    orig = r["original_age_months"].to_numpy(np.int64)[code]
    early = np.maximum(orig, age - r["flex_early_max_months"].to_numpy(np.int64)[code])
    late = age + r["flex_late_max_months"].to_numpy(np.int64)[code]
    return pd.DataFrame({"earliest": month_labels(birth + early),
                         "statutory": month_labels(birth + age),
                         "latest": month_labels(birth + late)})


def min_contribution_years(retire_year) -> np.ndarray | float:
    """Minimum contribution years for a retirement in calendar year `retire_year`.

    Rule: 国务院关于渐进式延迟法定退休年龄的办法 art.2 and 附件4 (15 until 2029, +0.5 a year
    from 2030, 20 from 2039).

    >>> min_contribution_years(2029), min_contribution_years(2030), min_contribution_years(2045)
    (15.0, 15.5, 20.0)
    >>> min_contribution_years([2035, 2039]).tolist()
    [18.0, 20.0]
    """
    t = national_table("min_contribution_years")
    y = np.atleast_1d(np.asarray(retire_year, dtype=np.int64))
    pos = np.searchsorted(t["year_start"].to_numpy(np.int64), y, side="right") - 1
    ok = (pos >= 0) & (y <= t["year_end"].to_numpy(np.int64)[np.clip(pos, 0, None)])
    if not ok.all():
        raise MissingParameterError(f"min_contribution_years: no row for year {int(y[~ok][0])}")
    out = t["min_years"].to_numpy(float)[pos]
    return float(out[0]) if np.ndim(retire_year) == 0 else out


def payout_months(age, method: str = "interpolate"):
    """个人账户养老金计发月数 for a retirement age in years (may be fractional: months/12).

    Rule: 国发〔2005〕38号 附件 gives integer ages 40–70. For ages with extra months (common
    under the 2025 reform, e.g. 60 years 3 months) no national rule was found (research:
    confidence low), so two documented methods are offered:

    - ``"interpolate"`` (default): linear in months of age between the two integer ages,
      e.g. 60y3m → 139 − (139 − 132) × 3/12 = 137.25;
    - ``"completed_years"``: the value of the completed (floor) age, e.g. 60y3m → 139.

    Ages outside 40–70 raise InputError.

    >>> payout_months(60), payout_months(63), payout_months(50)
    (139.0, 117.0, 195.0)
    >>> payout_months(60 + 3 / 12)
    137.25
    >>> payout_months([60.25, 55.5], method="completed_years").tolist()
    [139.0, 170.0]
    """
    t = national_table("payout_months")
    ages = t["age"].to_numpy(float)
    months = t["months"].to_numpy(float)
    a = np.atleast_1d(np.asarray(age, dtype=float))
    # tolerate binary error of months / 12
    a = np.where(np.abs(a * 12 - np.round(a * 12)) < 1e-6, np.round(a * 12) / 12, a)
    bad = np.flatnonzero(~((a >= ages[0]) & (a <= ages[-1])))
    if bad.size:
        raise InputError(f"age: outside {int(ages[0])}–{int(ages[-1])} (计发月数 table) in "
                         f"{format_rows(bad)}")
    if method == "interpolate":
        out = np.interp(a, ages, months)
    elif method == "completed_years":
        out = months[np.floor(a).astype(np.int64) - int(ages[0])]
    else:
        raise InputError(f"method: unknown {method!r}; expected interpolate or completed_years")
    return float(out[0]) if np.ndim(age) == 0 else out


def region_of(cities) -> np.ndarray:
    """Pension region (average-wage / 计发基数 area) of each city; None where unknown.

    >>> region_of(["guangzhou", "shenzhen", "chengdu"]).tolist()
    ['guangdong', 'shenzhen', None]
    """
    m = national_table("pension_regions").set_index("city")["region"]
    out = pd.Series(np.asarray(cities, dtype=object)).map(m).to_numpy(object)
    out[pd.isna(out)] = None
    return out


def year_table(name: str, value: str, key: str, regions, growth: float):
    """Dense (region × year) array from a national table, projected after the last year.

    Returns ``(values, projected)``; years before the first row are NaN.

    >>> v, proj = year_table("calc_base", "calc_base", "retire_year", ["beijing"], 0.1)
    >>> float(v[0, 2025 - Y0]), round(float(v[0, 2026 - Y0]), 1), bool(proj[0, 2026 - Y0])
    (12049.0, 13253.9, True)
    """
    t = national_table(name)
    years = np.arange(Y0, Y1 + 1)
    out = np.full((len(regions), years.size), np.nan)
    proj = np.zeros_like(out, dtype=bool)
    for i, reg in enumerate(regions):  # a handful of regions, not records
        r = t[t["region"] == reg]
        if r.empty:
            continue
        y = r[key].to_numpy(np.int64) - Y0
        out[i, y] = r[value].to_numpy(float)
        last = int(y.max())
        ahead = np.arange(last + 1, years.size)
        out[i, ahead] = out[i, last] * (1 + growth) ** (ahead - last)
        proj[i, ahead] = True
    return out, proj


def interest_rates(default_rate: float):
    """Yearly 记账利率 on the year axis: published rates, else `default_rate` (flagged).

    Rule: 人社部发〔2017〕31号 (nationally unified rate from 2016, announced yearly).

    >>> r, assumed = interest_rates(0.02)
    >>> float(r[2016 - Y0]), float(r[2030 - Y0]), bool(assumed[2030 - Y0])
    (0.0831, 0.02, True)
    """
    t = national_table("account_interest")
    r = np.full(Y1 - Y0 + 1, float(default_rate))
    assumed = np.ones(r.size, dtype=bool)
    r[t["year"].to_numpy(np.int64) - Y0] = t["rate"].to_numpy(float)
    assumed[t["year"].to_numpy(np.int64) - Y0] = False
    return r, assumed
