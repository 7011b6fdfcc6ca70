"""Individual income tax (个人所得税) on wages and take-home pay, vectorised over cohorts.

Regimes (tables in ``data/national/iit_brackets.csv``, each row with its source):

* 2011-09 .. 2018-09: monthly, 3500 basic deduction, 7 brackets (个人所得税法 2011 修正,
  主席令第48号).
* 2018-10 .. 2018-12: monthly, 5000 basic deduction, transitional table (财税〔2018〕98号).
* 2019-01 onward: cumulative withholding (累计预扣法) on the annual table
  (个人所得税法 2018 修正, 主席令第9号; 国家税务总局公告2018年第61号).
* Annual bonus taxed separately (全年一次性奖金单独计税): bonus / 12 selects the rate of the
  monthly-converted table (财税〔2018〕164号, extended to 2027-12-31 by 财政部 税务总局公告
  2023年第30号); before 2019 国税发〔2005〕9号 with the monthly table then in force.

Months before 2011-09, and bonus separate taxation after 2027-12, are not covered: an
:class:`~wuxian.errors.InputError` names the field and rows.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from wuxian.errors import InputError, MissingParameterError, format_rows
from wuxian.months import month_numbers
from wuxian.national import national_table, rule_value
from wuxian.schema import canonical_columns, numeric_values

__all__ = ["load_brackets", "check_quick_deductions", "bracket_tax", "bonus_tax", "net_pay"]


@lru_cache(maxsize=None)
def load_brackets() -> pd.DataFrame:
    """Load the bracket tables of every regime from ``data/national/iit_brackets.csv``.

    Returns
    -------
    DataFrame
        One row per (regime, bracket) with ``lower``, ``upper`` (NaN = open), ``rate``,
        ``quick_deduction``, ``basic_deduction``, ``start``/``end`` (integer months) and
        ``source``.

    Examples
    --------
    >>> t = load_brackets()
    >>> t.loc[t.regime == "cumulative_annual", "quick_deduction"].tolist()[-1]
    181920.0
    """
    t = national_table("iit_brackets").copy()
    t["start"] = month_numbers(t["period_start"])
    t["end"] = month_numbers(t["period_end"])
    t["quick_deduction"] = t["quick_deduction"].astype(float)
    return t.sort_values(["regime", "bracket"]).reset_index(drop=True)


def check_quick_deductions(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Recompute each quick deduction from the brackets and compare with the published one.

    Quick deduction of bracket i = qd(i-1) + lower(i) × (rate(i) − rate(i-1)), qd(1) = 0
    (the identity that makes ``income × rate − qd`` equal the progressive sum; 个人所得税法
    附表一 and the tables of 国家税务总局公告2018年第61号).

    Returns
    -------
    DataFrame
        ``regime, bracket, quick_deduction, recomputed, ok``.

    Examples
    --------
    >>> bool(check_quick_deductions()["ok"].all())
    True
    """
    t = load_brackets() if table is None else table.copy()
    t = t.sort_values(["regime", "bracket"]).reset_index(drop=True)
    step = t["lower"] * t.groupby("regime")["rate"].diff().fillna(t["rate"])
    t["recomputed"] = step.groupby(t["regime"]).cumsum()
    t["ok"] = np.isclose(t["recomputed"], t["quick_deduction"])
    return t[["regime", "bracket", "quick_deduction", "recomputed", "ok"]]


def _table(regime: str):
    t = load_brackets()
    t = t[t.regime == regime]
    if t.empty:
        raise MissingParameterError(f"iit: no bracket table for regime {regime!r}")
    return t["rate"].to_numpy(float), t["quick_deduction"].to_numpy(float), t["upper"].to_numpy(float)


def bracket_tax(taxable, regime: str) -> np.ndarray:
    """Tax on ``taxable`` income by a regime's table: max over brackets of income×rate − qd.

    With consistent quick deductions this maximum equals the progressive tax
    (个人所得税法 附表一; 国家税务总局公告2018年第61号 预扣率表一). Negative income pays 0.

    Examples
    --------
    >>> bracket_tax([36000, 144000, -5], "cumulative_annual").tolist()
    [1080.0, 11880.0, 0.0]
    >>> bracket_tax([5000], "monthly_3500").tolist()
    [445.0]
    """
    rate, qd, _ = _table(regime)
    x = np.asarray(taxable, dtype=float)
    tax = np.zeros(x.shape)
    for r, q in zip(rate, qd):  # 7 brackets, not records
        np.maximum(tax, x * r - q, out=tax)
    return np.round(tax, 2)


def bonus_tax(bonus, regime: str = "bonus_separate") -> np.ndarray:
    """Tax on an annual bonus taxed separately: bonus × rate − qd, rate chosen by bonus / 12.

    财税〔2018〕164号 art.1(1) (to 2027-12-31 per 财政部 税务总局公告2023年第30号); before 2019
    国税发〔2005〕9号 with the monthly table then in force.

    Examples
    --------
    >>> bonus_tax([36000, 36001]).tolist()   # the famous 'bonus trap' at 36000
    [1080.0, 3390.1]
    """
    rate, qd, upper = _table(regime)
    b = np.asarray(bonus, dtype=float)
    idx = np.searchsorted(upper[~np.isnan(upper)], b / 12.0, side="left")
    return np.round(np.where(b > 0, b * rate[idx] - qd[idx], 0.0), 2)


def _regime_for(ym: np.ndarray, kind: str) -> np.ndarray:
    """Regime name per distinct month (kind 'wage' or 'bonus'); '' where none covers it."""
    t = load_brackets()
    if kind == "wage":
        t = t[t.basis.isin(["monthly", "cumulative"])]
    else:
        t = t[t.basis == "bonus_monthly_converted"]
    spans = t.groupby("regime")[["start", "end"]].first()
    out = np.full(ym.shape, "", dtype=object)
    for name, (s, e) in spans.iterrows():  # a handful of regimes, not records
        out[(ym >= s) & (ym <= e)] = name
    return out


def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        raise InputError(f"{name}: column missing (needed for net_pay)")
    v = numeric_values(df[name], name)
    bad = np.flatnonzero(np.isnan(v))
    if bad.size:
        raise InputError(f"{name}: missing or non-numeric value in {format_rows(bad)}")
    return v


def net_pay(contrib_df: pd.DataFrame, special_deductions: str | None = None,
            bonus: str | None = "annual_bonus", bonus_method: str = "separate") -> pd.DataFrame:
    """Add ``iit``, ``iit_bonus`` and ``net_pay`` to the output of ``wuxian.contributions``.

    Rules
    -----
    * From 2019 (国家税务总局公告2018年第61号 art.6, 累计预扣法): cumulative taxable =
      Σ (wage − employee SI − deductible HF − special deductions) − 5000 × months employed in
      the year so far (an employee starting in, say, May counts May.. only: 61号 "当年截至本月
      在本单位的任职受雇月份数"). Month tax = cumulative tax − tax already withheld, never
      negative (暂不退税): withheld to date is the running maximum of cumulative tax.
    * Housing fund deductible up to 12% of its base (财税〔2006〕10号); the base from the
      engine (``base_hf``) is already capped at 3× the city average wage. Without ``base_hf``
      the housing fund is deducted as computed.
    * 2011-09..2018-09: monthly, wage − SI − HF − 3500 (主席令第48号); 2018-10..12: − 5000
      (财税〔2018〕98号). Special additional deductions exist only from 2019 and are ignored
      before.
    * Annual bonus (column ``bonus`` if present): ``'separate'`` taxes it on its own (see
      :func:`bonus_tax`; pre-2019 国税发〔2005〕9号 reduces the bonus by any shortfall of the
      month's wage below the basic deduction); ``'combined'`` adds it to that month's wage.

    Rows are grouped by ``employee_id`` and calendar year and ordered by ``month``; output is
    in input order. ``net_pay = wage + bonus − employee_total − iit − iit_bonus``.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": ["a"] * 3, "city": "beijing",
    ...     "month": ["2024-01", "2024-02", "2024-03"], "wage": 20000.0,
    ...     "social_insurance_employee": 2000.0, "housing_fund_employee": 2400.0,
    ...     "employee_total": 4400.0})
    >>> net_pay(df)["iit"].tolist()
    [318.0, 318.0, 318.0]
    """
    if bonus_method not in ("separate", "combined"):
        raise InputError(f"bonus_method: must be 'separate' or 'combined', got {bonus_method!r}")
    n = len(df := contrib_df)
    # the user's headers (应发工资, 月份, 工号) are read where they stand, never renamed
    header = {name: col for col, name in canonical_columns(df.columns).items()}
    wage = _col(df, header.get("wage", "wage"))
    si = _col(df, "social_insurance_employee")
    hf = _col(df, "housing_fund_employee")
    total = _col(df, "employee_total")
    if "base_hf" in df.columns:
        base_hf = numeric_values(df["base_hf"], "base_hf")
        cap = np.where(np.isnan(base_hf), np.inf, base_hf * rule_value("iit_rules", "hf_deductible_rate"))
        hf = np.minimum(hf, np.round(cap, 2))
    special = _col(df, special_deductions) if special_deductions else np.zeros(n)
    b = _col(df, bonus) if (bonus and bonus in df.columns) else np.zeros(n)
    for name, v in (("wage", wage), ("social_insurance_employee", si), (bonus or "bonus", b),
                    (special_deductions or "special_deductions", special)):
        neg = np.flatnonzero(v < 0)
        if neg.size:
            raise InputError(f"{name}: negative value in {format_rows(neg)}")
    month_col, id_col = header.get("month", "month"), header.get("employee_id", "employee_id")
    if month_col not in df.columns or id_col not in df.columns:
        raise InputError("month/employee_id: column missing (needed for net_pay)")

    ym = month_numbers(df[month_col])  # InputError naming the rows of a bad month
    distinct, where = np.unique(ym, return_inverse=True)
    wage_regime = _regime_for(distinct, "wage")[where]
    bad = np.flatnonzero(wage_regime == "")
    if bad.size:
        raise InputError(f"month: no income tax table covers {format_rows(bad)} "
                         "(tables cover 2011-09 onward)")
    has_bonus = b > 0
    bonus_regime = _regime_for(distinct, "bonus")[where]
    if bonus_method == "separate":
        bad = np.flatnonzero(has_bonus & (bonus_regime == ""))
        if bad.size:
            raise InputError(f"{bonus}: separate bonus taxation not in force for {format_rows(bad)} "
                             "(covered 2011-09..2027-12)")

    cumulative = wage_regime == "cumulative_annual"
    income = wage - si - hf + (b if bonus_method == "combined" else 0.0)
    iit = np.zeros(n)

    # monthly regimes (pre-2019)
    for regime in ("monthly_3500", "monthly_5000"):
        m = wage_regime == regime
        if m.any():
            basic = float(load_brackets().query("regime == @regime")["basic_deduction"].iloc[0])
            iit[m] = bracket_tax(income[m] - basic, regime)

    # cumulative withholding (2019+): groupby (employee, year) cumsum on sorted months
    if cumulative.any():
        idx = np.flatnonzero(cumulative)
        emp = pd.factorize(df[id_col].to_numpy()[idx])[0].astype(np.int64)
        year = ym[idx] // 12
        key = emp * 10000 + year
        order = np.lexsort((ym[idx], key))
        k, mo = key[order], ym[idx][order]
        dup = np.flatnonzero((k[1:] == k[:-1]) & (mo[1:] == mo[:-1]))
        if dup.size:
            raise InputError(f"month: employee has the same month twice in "
                             f"{format_rows(np.sort(idx[order][dup + 1]))}")
        basic = float(load_brackets().query("regime == 'cumulative_annual'")["basic_deduction"].iloc[0])
        frame = pd.DataFrame({"k": k, "inc": (income - special)[idx][order]})
        g = frame.groupby("k", sort=False)
        cum_inc = g["inc"].cumsum().to_numpy()
        months = g.cumcount().to_numpy() + 1
        cum_tax = bracket_tax(cum_inc - basic * months, "cumulative_annual")
        frame["t"] = cum_tax
        withheld = frame.groupby("k", sort=False)["t"].cummax().to_numpy()
        prev = np.where(months > 1, np.roll(withheld, 1), 0.0)
        out = np.empty(idx.size)
        out[order] = np.round(withheld - prev, 2)
        iit[idx] = out

    iit_bonus = np.zeros(n)
    if bonus_method == "separate" and has_bonus.any():
        for regime in np.unique(bonus_regime[has_bonus]):
            m = has_bonus & (bonus_regime == regime)
            amount = b[m]
            if regime != "bonus_separate":  # 国税发〔2005〕9号 shortfall rule
                wr = wage_regime[m]
                bmap = load_brackets().groupby("regime")["basic_deduction"].first()
                basic = pd.Series(wr).map(bmap).to_numpy(float)
                amount = amount - np.maximum(basic - (wage[m] - si[m] - hf[m]), 0.0)
            iit_bonus[m] = bonus_tax(np.maximum(amount, 0.0), regime)

    out = df.copy()
    out["iit"] = iit
    out["iit_bonus"] = iit_bonus
    out["net_pay"] = np.round(wage + b - total - iit - iit_bonus, 2)
    return out
