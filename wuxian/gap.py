"""The base-manipulation gap: the lawful base (full wage) against the declared base.

Many employers declare the basic salary (基本工资), or the floor, instead of the full wage
(应发工资) as the contribution base, against 《社会保险法》 art. 60 and 人社部令第20号 art. 8
(base = the employee's previous-year monthly average of *all* wages, 国家统计局《关于工资总额
组成的规定》 art. 4). :func:`gap` computes both for every employee-month; the difference is what
employer and employee do not pay now, and what the worker loses in housing fund and pension
later.

Examples
--------
>>> df = pd.DataFrame({"employee_id": ["a"], "city": ["shanghai"], "month": ["2025-07"],
...                    "wage": [20000.0], "base_salary": [8000.0]})
>>> g = gap(df, base_method="current_month")
>>> float(g["gap_pension_employee"].iloc[0])  # (20000 - 8000) x 8%
960.0
"""


import numpy as np
import pandas as pd

from .base import check_base_method, wage_base
from .contributions import NUMERIC_OUTPUTS, compute_block
from .errors import InputError, format_rows
from .params import ITEMS, default_table, vocab
from .params.table import ParamTable
from .months import month_numbers
from .schema import city_names, employee_keys, numeric_values, validate_payroll

SIDES = vocab.SIDES

#: Default wage bands (yuan a month) for :func:`gap_summary`.
WAGE_BANDS = (0, 5000, 8000, 12000, 20000, 35000, np.inf)


def _declared(cohort, df) -> np.ndarray:
    if cohort.declared_base is None and cohort.base_salary is None:
        raise InputError("declared base: no declared_base (缴费基数) or base_salary (基本工资) "
                         "column; the gap needs one of them")
    nan = np.full(len(cohort), np.nan)
    declared = cohort.declared_base if cohort.declared_base is not None else nan
    if cohort.base_salary is not None:
        declared = np.where(np.isnan(declared), cohort.base_salary, declared)
    blank = np.isnan(declared)
    if blank.any():
        raise InputError("declared_base/base_salary: both blank in " + format_rows(np.flatnonzero(blank)))
    return declared


def gap(df: pd.DataFrame, base_method: str = "prior_year_average",
        params: ParamTable | None = None, strict: bool = False, prior=None) -> pd.DataFrame:
    """Lawful versus declared contributions for every employee-month.

    Parameters
    ----------
    df : DataFrame
        Payroll as for :func:`wuxian.contributions`, with ``declared_base`` (缴费基数) or
        ``base_salary`` (基本工资): the declared base is ``declared_base`` where given, else
        ``base_salary``.
    base_method : {"prior_year_average", "current_month"}
        How the lawful base is found from the full wage.
    params : ParamTable, optional
    strict : bool
        Raise InputError where the declared base is above the wage instead of flagging it.
    prior : tuple of arrays, optional
        ``(base, fallback)`` prior-year averages computed elsewhere from the employees' whole
        history (:mod:`wuxian.stream`, :mod:`wuxian.dask`), used instead of the frame's own
        history when `base_method` is ``"prior_year_average"``.

    Returns
    -------
    DataFrame
        The input columns, then ``lawful_base``, ``declared_base_used``, ``lawful_base_si`` and
        ``declared_base_si`` (the pension bases after clipping),
        ``lawful_{side}_total``, ``declared_{side}_total``, ``gap_{side}_total``,
        ``gap_{item}_{side}`` for every item, ``gap_housing_fund`` (both sides: the worker's
        housing-fund account), ``gap_pension_account`` (the employee's 8% that goes to the
        personal account), ``flag_underdeclared``, ``flag_below_floor``, ``flag_above_wage``.
    """
    check_base_method(base_method)
    return gap_cohort(validate_payroll(df), df, base_method, params, strict, prior)


def gap_cohort(cohort, df: pd.DataFrame, base_method: str = "prior_year_average",
               params: ParamTable | None = None, strict: bool = False,
               prior=None) -> pd.DataFrame:
    """:func:`gap` of a payroll already validated into `cohort` (the streaming and dask
    engines validate each chunk once and call this)."""
    table = params if params is not None else default_table()
    declared = _declared(cohort, df)
    above = declared > cohort.wage
    if strict and above.any():
        raise InputError("declared base: above the wage in " + format_rows(np.flatnonzero(above)))
    lawful_base, fallback = wage_base(cohort, base_method, prior)
    # Two runs of the engine on explicit bases; the lawful block becomes the output in place
    # (no copy of the 30-odd columns): rows are renamed, gaps subtracted where they stand.
    lawful, _ = compute_block(cohort, params=table, bases=lawful_base)
    decl, _ = compute_block(cohort, params=table, bases=declared)
    if isinstance(lawful_base, dict):  # base years: the output shows the pension base
        lawful_base = lawful_base["pension"]
    row = {name: i for i, name in enumerate(NUMERIC_OUTPUTS)}
    flags = {"flag_underdeclared": decl[row["base_si"]] < lawful[row["base_si"]],
             "flag_below_floor": declared < lawful_floor(cohort, table),
             "flag_above_wage": above, "base_fallback": fallback}
    for item in ITEMS:
        for side in SIDES:
            lawful[row[f"{item}_{side}"]] -= decl[row[f"{item}_{side}"]]
    names = dict(zip(NUMERIC_OUTPUTS, NUMERIC_OUTPUTS))
    names.update({f"{i}_{s}": f"gap_{i}_{s}" for i in ITEMS for s in SIDES})
    names.update(base_si="lawful_base_si", base_hf="declared_base_si",
                 employer_total="lawful_employer_total", employee_total="lawful_employee_total",
                 social_insurance_employer="gap_employer_total",
                 social_insurance_employee="gap_employee_total",
                 employer_cost="declared_employer_total", net_before_tax="declared_employee_total")
    lawful[row["base_hf"]] = decl[row["base_si"]]
    for side, spare, total in (("employer", "social_insurance_employer", "employer_cost"),
                               ("employee", "social_insurance_employee", "net_before_tax")):
        np.subtract(lawful[row[f"{side}_total"]], decl[row[f"{side}_total"]], out=lawful[row[spare]])
        lawful[row[total]] = decl[row[f"{side}_total"]]
    del decl
    main = pd.DataFrame(lawful.T, columns=[names[c] for c in NUMERIC_OUTPUTS], copy=False)
    hf = sum(main[f"gap_{i}_{s}"].to_numpy() for i in vocab.HOUSING_FUND_ITEMS for s in SIDES)
    extra = pd.DataFrame({"lawful_base": lawful_base, "declared_base_used": declared,
                          "gap_housing_fund": hf,
                          "gap_pension_account": main["gap_pension_employee"].to_numpy()})
    out = pd.concat([extra, main, pd.DataFrame(flags)], axis=1)
    clash = [c for c in out.columns if c in df.columns]
    if clash:
        raise InputError(f"input already has output column(s) {', '.join(clash)}: rename them first")
    out.index = df.index
    return pd.concat([df, out], axis=1)


def lawful_floor(cohort, table: ParamTable) -> np.ndarray:
    """The pension base floor in force for each row (the legal minimum base)."""
    cube = table.compile()
    key = cube.keys(cohort.city_code, cohort.category_code, cohort.month)
    return cube.field("base_floor", "pension").take(key)


def wage_band(wage, bands=WAGE_BANDS) -> pd.Categorical:
    """Label each wage with its band, e.g. ``"8000-12000"``.

    >>> list(wage_band([4000, 12000, 50000]))
    ['0-5000', '12000-20000', '35000+']
    """
    labels = [f"{int(lo)}-{int(hi)}" if np.isfinite(hi) else f"{int(lo)}+"
              for lo, hi in zip(bands[:-1], bands[1:])]
    return pd.cut(np.asarray(wage, dtype=float), bins=list(bands), labels=labels, right=False)


def grouping_frame(gaps: pd.DataFrame, by: list) -> pd.DataFrame:
    """`gaps` with English column names plus the derived ``year`` / ``wage_band`` columns
    that `by` asks for; InputError naming any other column `by` asks for that is missing.

    >>> g = pd.DataFrame({"月份": ["2025-07"], "wage": [9000.0]})
    >>> grouping_frame(g, ["year", "wage_band"])[["year", "wage_band"]].values.tolist()
    [[2025, '8000-12000']]
    """
    frame = gaps.rename(columns=_alias_map(gaps.columns))
    if "city" in by and "city" in frame:  # 上海 and shanghai are one city
        frame = frame.assign(city=city_names(frame["city"]))
    if "year" in by:
        frame = frame.assign(year=month_numbers(frame["month"]) // 12)
    if "base_year" in by and "base_year" not in frame:
        from .base import base_year_labels
        from .params import vocab

        codes = pd.Index(vocab.CITIES).get_indexer(city_names(frame["city"]))
        frame = frame.assign(base_year=base_year_labels(codes, month_numbers(frame["month"])))
    if "wage_band" in by and "wage_band" not in frame:
        frame = frame.assign(wage_band=wage_band(numeric_values(frame["wage"], "wage")))
    missing = [b for b in by if b not in frame.columns]
    if missing:
        raise InputError(f"gap_summary: no column {', '.join(missing)} to group by")
    return frame


# ------------------------------------------------------------- summaries (one home for every engine)
def summary_partial(gaps: pd.DataFrame, by, employee=None) -> pd.DataFrame:
    """Per (group, employee) sums of a chunk of :func:`wuxian.gap` rows; combine the chunks
    with :func:`summary_combine` (the result of :func:`wuxian.gap_summary`). `employee`
    (integer codes, e.g. :meth:`wuxian.stream.History.codes`) replaces the trimmed id text as the key."""
    by = list(by)
    frame = grouping_frame(gaps, by)
    aff = frame["flag_underdeclared"].to_numpy()
    if employee is None:
        employee = employee_keys(frame["employee_id"])
    frame = pd.DataFrame({
        **{b: frame[b] for b in by}, "employee_id": employee,
        "employee_months": 1, "affected_months": aff.astype(np.int64),
        "gap_employer_total": frame["gap_employer_total"],
        "gap_employee_total": frame["gap_employee_total"],
        "_gap_er_aff": np.where(aff, frame["gap_employer_total"], 0.0),
        "_gap_ee_aff": np.where(aff, frame["gap_employee_total"], 0.0),
        "gap_housing_fund": frame["gap_housing_fund"],
        "gap_pension_account": frame["gap_pension_account"]})
    return frame.groupby(by + ["employee_id"], observed=True, sort=False).sum().reset_index()


def summary_fold(partials, by) -> pd.DataFrame:
    """One :func:`summary_partial` frame summing `partials` (one row per group and employee):
    the running state of a streamed ``gap --by``, as large as the distinct (group, employee)
    pairs, whatever the number of rows."""
    per = pd.concat(list(partials), ignore_index=True)
    return per.groupby(list(by) + ["employee_id"], observed=True, sort=False).sum().reset_index()


def summary_combine(partials, by) -> pd.DataFrame:
    """:func:`wuxian.gap_summary` from :func:`summary_partial` pieces (sums agree to rounding)."""
    by = list(by)
    per = summary_fold(partials, by).set_index(by + ["employee_id"])
    per["_affected"] = per["affected_months"] > 0
    g = per.groupby(level=by, observed=True, sort=True)
    s = g.sum()
    months = s["affected_months"].where(s["affected_months"] > 0)
    out = pd.DataFrame({
        "workers": g.size(), "workers_affected": s["_affected"].astype(np.int64),
        "employee_months": s["employee_months"], "affected_months": s["affected_months"],
        "gap_employer_total": s["gap_employer_total"].round(2),
        "gap_employee_total": s["gap_employee_total"].round(2),
        "mean_monthly_gap_employer": (s["_gap_er_aff"] / months).round(2),
        "mean_monthly_gap_employee": (s["_gap_ee_aff"] / months).round(2),
        "housing_fund_loss": s["gap_housing_fund"].round(2),
        "pension_account_loss": s["gap_pension_account"].round(2)})
    out.insert(2, "share_affected", (out["workers_affected"] / out["workers"]).round(4))
    return out.reset_index()


def gap_summary(gaps: pd.DataFrame, by=("city", "year")) -> pd.DataFrame:
    """Aggregate a :func:`gap` result by city, year, employer, wage band...

    Parameters
    ----------
    gaps : DataFrame
        The output of :func:`gap` (English column names ``employee_id``, ``city``, ``month``,
        ``wage``; ``employer_id`` when grouping by it).
    by : sequence of str
        Any of ``city``, ``year``, ``employer_id``, ``wage_band`` and other input columns.

    Returns
    -------
    DataFrame
        Per group: ``workers``, ``workers_affected`` (any under-declared month),
        ``share_affected``, ``employee_months``, ``gap_employer_total`` and
        ``gap_employee_total`` (sums), ``mean_monthly_gap_employer`` /
        ``mean_monthly_gap_employee`` (per affected employee-month), ``housing_fund_loss``,
        ``pension_account_loss``.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": ["a", "b"], "city": ["shanghai"] * 2,
    ...     "month": ["2025-07"] * 2, "wage": [20000.0, 9000.0], "base_salary": [8000.0, 9000.0]})
    >>> s = gap_summary(gap(df, base_method="current_month"), by=["city"])
    >>> s[["workers", "workers_affected", "share_affected"]].to_dict("records")
    [{'workers': 2, 'workers_affected': 1, 'share_affected': 0.5}]
    """
    return summary_combine([summary_partial(gaps, by)], by)


def _alias_map(columns) -> dict:
    from .schema import canonical_columns

    return {c: n for c, n in canonical_columns(columns).items() if c != n}


def gap_scan(city: str, month: str, wage: float, shares=None, category: str = "local_urban",
             params: ParamTable | None = None) -> pd.DataFrame:
    """The gap as the declared base runs from the floor up to the full wage (for charts).

    Parameters
    ----------
    city, month : str
    wage : float
        The full monthly wage (taken as the lawful base).
    shares : array-like, optional
        Declared base as a share of the wage (default 0.0, 0.05, ..., 1.0). A declared base
        under the floor is raised to the floor, as the law requires.

    Examples
    --------
    >>> s = gap_scan("shanghai", "2025-07", 20000, shares=[0.5, 1.0])
    >>> float(s["gap_employee_total"].iloc[-1])
    0.0
    """
    shares = np.linspace(0, 1, 21) if shares is None else np.asarray(shares, dtype=float)
    df = pd.DataFrame({"employee_id": np.arange(len(shares)).astype(str), "city": city,
                       "month": month, "wage": float(wage), "category": category,
                       "declared_base": np.round(shares * wage, 2)})
    g = gap(df, base_method="current_month", params=params)
    cols = ["declared_base", "lawful_employer_total", "declared_employer_total",
            "gap_employer_total", "lawful_employee_total", "declared_employee_total",
            "gap_employee_total", "gap_housing_fund", "gap_pension_account", "flag_below_floor"]
    return pd.concat([pd.Series(shares, name="declared_share"), g[cols].reset_index(drop=True)],
                     axis=1)


def gap_pension_effect(gaps: pd.DataFrame, people: pd.DataFrame,
                       assumptions=None) -> pd.DataFrame:
    """Long-run cost to each worker: the account balance and monthly pension lost at retirement.

    The pension formulas of 国发〔2005〕38号 are linear in the contribution base: the basic
    pension is 计发基数 × (years + Σ index / 12) / 2 × 1%, the account pension the balance
    (8% of each base with credited interest, 人社部发〔2017〕31号) over 计发月数. The loss is
    therefore the difference of two :func:`wuxian.pension.pension_at_retirement` runs on the
    same months — lawful against declared pension base — and the worker's other career
    months cancel out: the cohort's own months are enough.

    Parameters
    ----------
    gaps : DataFrame
        Output of :func:`gap` (``employee_id``, ``city``, ``month``, ``lawful_base_si``,
        ``declared_base_si``).
    people : DataFrame
        One row per employee: ``employee_id``, ``birth_month``, ``track``
        (male / female_55 / female_50), ``hukou_city`` (or ``claim_city``).
    assumptions : wuxian.pension.Assumptions, optional
        Wage growth and interest for years without published data (stated in the output).

    Returns
    -------
    DataFrame
        Per employee: ``claim_city``, ``retire_month``, ``lost_account_balance``,
        ``lost_account_pension``, ``lost_basic_pension``, ``lost_monthly_pension``,
        ``assumed_interest_years``, ``projected_wage_years``.
    """
    from .pension import pension_at_retirement

    frame = gaps.rename(columns=_alias_map(gaps.columns))
    need = ["employee_id", "city", "month", "lawful_base_si", "declared_base_si"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(f"gap_pension_effect: the gaps frame lacks {', '.join(missing)} "
                         "(pass the output of wuxian.gap)")
    keys = frame[["employee_id", "city", "month"]]
    lawful = pension_at_retirement(keys.assign(base=frame["lawful_base_si"].to_numpy()),
                                   people, assumptions)
    declared = pension_at_retirement(keys.assign(base=frame["declared_base_si"].to_numpy()),
                                     people, assumptions)
    out = lawful[["employee_id", "claim_city", "retire_month"]].copy()
    out["lost_account_balance"] = lawful["account_balance"] - declared["account_balance"]
    out["lost_account_pension"] = lawful["account_pension"] - declared["account_pension"]
    out["lost_basic_pension"] = lawful["basic_pension"] - declared["basic_pension"]
    out["lost_monthly_pension"] = out["lost_account_pension"] + out["lost_basic_pension"]
    for col in ("assumed_interest_years", "projected_wage_years"):
        out[col] = lawful[col]
    return out
