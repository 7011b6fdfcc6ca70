"""Aggregate tables of the report notebooks: every number a report shows.

The notebooks in ``notebooks/`` hold no formulas: every number comes from a function here,
built on the public API (:func:`wuxian.contributions`, :func:`wuxian.gap`,
:func:`wuxian.pension_at_retirement`, :func:`wuxian.transfer_summary`, the parameter table).
Functions return DataFrames of aggregates (never one employee's row); the figures are drawn
by :mod:`wuxian.plots`.

Examples
--------
>>> curve = cost_curve("shanghai", "2016-07", wages=[3000.0, 10000.0, 30000.0])
>>> curve[["wage", "employer_total"]].shape
(3, 2)
"""

import numpy as np
import pandas as pd

from . import contributions as _contributions
from .gap import gap as _gap, gap_summary
from .params import CITIES, ITEMS, default_table
from .pension import pension_at_retirement, project_history
from .transfer import transfer_summary

#: Typical careers: pension base as a share of the city's average wage (60% is the usual floor,
#: 300% the usual cap).
CAREER_SHARES = {"floor (60%)": 0.6, "average (100%)": 1.0, "twice average (200%)": 2.0,
                 "cap (300%)": 3.0}
#: Groups with fewer workers than this are not shown (small cells could identify a person).
MIN_CELL = 5


def load_cohort(path=None) -> pd.DataFrame:
    """Read a payroll file (default: the bundled sample) with English column names and
    pinyin city names (Chinese headers and 北京/上海/广州/深圳 accepted)."""
    from .io import read_payroll
    from .pension import normalise_city
    from .samples import SAMPLE_PATH
    from .schema import canonical_columns

    df = read_payroll(path or SAMPLE_PATH)
    df = df.rename(columns=canonical_columns(df.columns))
    df["city"] = normalise_city(df["city"].astype(str).to_numpy())
    df["month"] = df["month"].astype(str)
    return df


def cohort_summary(cohort: pd.DataFrame, year: int, city: str | None = None) -> dict:
    """Counts for a report's headline: employees, employee-months and months in `year`."""
    rows = _in_year(cohort if city is None else cohort[cohort["city"] == city], year)
    return {"employees": int(rows["employee_id"].nunique()), "employee_months": len(rows),
            "first_month": rows["month"].min(), "last_month": rows["month"].max(),
            "employers": int(rows["employer_id"].nunique()) if "employer_id" in rows else None}


def confidence_mix(city: str, year: int) -> pd.DataFrame:
    """Share of parameter cells of `city` in `year` by confidence (high ... missing)."""
    from .params.coverage import STATUSES, coverage

    cov = coverage(default_table())
    row = cov[(cov["city"] == city) & (cov["year"] == int(year))]
    return pd.DataFrame({"confidence": list(STATUSES),
                         "share": [round(float(row[s].iloc[0] / row["cells"].iloc[0]), 3)
                                   for s in STATUSES]})


def report_month(city: str, year: int) -> str:
    """The month whose parameters represent `year`: July (after the usual mid-year update),
    or the last covered month of `year` when July is not covered."""
    cov = default_table().coverage.loc[city]
    month = f"{int(year)}-07"
    return min(month, cov["period_end"]) if str(cov["period_end"])[:4] == str(year) else month


def params_in_force(city: str, month: str) -> pd.DataFrame:
    """Parameters in force (items charged in `city`), categories sharing a value merged."""
    rows = default_table().in_force(city, month)
    rows = rows[rows["applies"].astype(str) != "no"]
    amounts = rows[["employer_rate", "employee_rate", "employer_fixed", "employee_fixed"]]
    # keep items charged, and items with a blank (missing) value: a gap must show, not vanish
    charged = (amounts.abs() > 0).any(axis=1) | amounts.isna().any(axis=1)
    rows = rows[charged]
    cols = ["item", "employer_rate", "employee_rate", "employer_fixed", "employee_fixed",
            "base_floor", "base_cap", "period_start", "period_end", "confidence", "source"]
    rows = rows.assign(source=rows["source"].astype(str).str.split(" ; ").str[0].str[:90])
    out = (rows.groupby([c for c in cols], dropna=False, sort=False)["category"]
           .agg(lambda s: ", ".join(s)).reset_index())
    out["_order"] = out["item"].map({k: i for i, k in enumerate(ITEMS)}).fillna(99)
    return (out.sort_values(["_order", "category"]).drop(columns="_order")
            [["item", "category"] + cols[1:]].reset_index(drop=True))


def cost_curve(city: str, month: str, wages=None, category: str = "local_urban") -> pd.DataFrame:
    """Employer and employee cost for a grid of monthly wages (base = current wage)."""
    wages = np.arange(1000.0, 50001.0, 250.0) if wages is None else np.asarray(wages, float)
    df = pd.DataFrame({"employee_id": np.arange(len(wages)).astype(str), "city": city,
                       "month": month, "wage": wages, "category": category})
    out = _contributions(df, base_method="current_month")
    res = out[["wage", "base_si", "base_hf", "social_insurance_employer",
               "social_insurance_employee", "employer_total", "employee_total"]].copy()
    res["employer_rate"] = res["employer_total"] / res["wage"]
    res["employee_rate"] = res["employee_total"] / res["wage"]
    res["total_rate"] = res["employer_rate"] + res["employee_rate"]
    return res.reset_index(drop=True)


def base_limits(city: str, month: str, category: str = "local_urban") -> dict:
    """Floor and cap of the pension (social insurance) and housing-fund bases."""
    rows = default_table().in_force(city, month)
    rows = rows[rows["category"] == category].set_index("item")
    get = lambda item, f: float(rows.loc[item, f]) if item in rows.index else np.nan  # noqa: E731
    return {"si_floor": get("pension", "base_floor"), "si_cap": get("pension", "base_cap"),
            "hf_floor": get("housing_fund", "base_floor"),
            "hf_cap": get("housing_fund", "base_cap"),
            "avg_wage": get("pension", "avg_wage")}


def param_history(city: str, items=("pension", "medical", "unemployment", "housing_fund"),
                  category: str = "local_urban") -> pd.DataFrame:
    """Monthly rates, floor and cap per item since the data begins (long format)."""
    rows = default_table().rows
    local, urban = category.split("_")
    applies = {"all", local, urban, category}  # rows may be written for a group of categories
    rows = rows[(rows["city"] == city) & rows["category"].isin(applies)
                & rows["item"].isin(items)]
    rank = {category: 0, local: 1, urban: 1, "all": 2}  # the most specific row wins
    frames = []
    for r in rows.itertuples(index=False):  # a few dozen parameter rows, not payroll records
        months = pd.period_range(r.period_start, r.period_end, freq="M")
        frames.append(pd.DataFrame({
            "city": city, "item": r.item, "month": months.to_timestamp(),
            "_rank": rank[r.category],
            "employer_rate": r.employer_rate, "employee_rate": r.employee_rate,
            "base_floor": r.base_floor, "base_cap": r.base_cap, "avg_wage": r.avg_wage,
            "confidence": r.confidence}))
    out = pd.concat(frames, ignore_index=True).sort_values(["item", "month", "_rank"])
    return (out.drop_duplicates(["item", "month"]).drop(columns="_rank")
            .reset_index(drop=True))


def history_changes(hist: pd.DataFrame) -> pd.DataFrame:
    """The history as a table of changes: one row each time a value changes."""
    cols = ["employer_rate", "employee_rate", "base_floor", "base_cap"]
    h = hist.sort_values(["city", "item", "month"])
    changed = h.groupby(["city", "item"])[cols].transform(lambda s: s.ne(s.shift()))
    out = h[changed.any(axis=1)].copy()
    out["from"] = out["month"].dt.strftime("%Y-%m")
    return out[["city", "item", "from"] + cols + ["confidence"]].reset_index(drop=True)


def cohort_year(cohort: pd.DataFrame, city: str | None, year: int) -> pd.DataFrame:
    """The cohort's rows for `city` (all cities when None) in `year` and the year before
    (the prior-year average base needs it)."""
    m = cohort["month"].astype(str).str[:4].astype(int)
    keep = m.between(int(year) - 1, int(year))
    if city is not None:
        keep &= cohort["city"].astype(str) == city
    return cohort[keep].reset_index(drop=True)


def _in_year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    return df[df["month"].astype(str).str[:4] == str(year)]


def cohort_costs(cohort: pd.DataFrame, city: str | None, year: int) -> pd.DataFrame:
    """Contributions for the cohort's employee-months of `year` (prior-year average base)."""
    out = _contributions(cohort_year(cohort, city, year), base_method="prior_year_average")
    return _in_year(out, year)


def item_breakdown(costs: pd.DataFrame) -> pd.DataFrame:
    """Per city and item: employer and employee totals, and the mean per employee-month."""
    rows = []
    for city, g in costs.groupby("city", observed=True, sort=False):
        n = len(g)
        for item in ITEMS:
            er, ee = f"{item}_employer", f"{item}_employee"
            if er not in g:
                continue
            rows.append({"city": city, "item": item, "employee_months": n,
                         "employer_total": round(float(g[er].sum()), 2),
                         "employee_total": round(float(g[ee].sum()), 2),
                         "employer_per_month": round(float(g[er].mean()), 2),
                         "employee_per_month": round(float(g[ee].mean()), 2)})
    out = pd.DataFrame(rows)
    return out[(out["employer_total"] != 0) | (out["employee_total"] != 0)].reset_index(drop=True)


def cohort_overview(costs: pd.DataFrame) -> pd.DataFrame:
    """Per city: employees, employee-months, wage quantiles, mean costs and effective rates."""
    g = costs.groupby("city", observed=True, sort=False)
    out = pd.DataFrame({
        "employees": g["employee_id"].nunique(), "employee_months": g.size(),
        "wage_p25": g["wage"].quantile(0.25).round(0), "wage_median": g["wage"].median().round(0),
        "wage_p75": g["wage"].quantile(0.75).round(0),
        "employer_per_month": g["employer_total"].mean().round(2),
        "employee_per_month": g["employee_total"].mean().round(2),
        "employer_rate": (g["employer_total"].sum() / g["wage"].sum()).round(4),
        "employee_rate": (g["employee_total"].sum() / g["wage"].sum()).round(4)})
    return out.reset_index()


def cohort_gaps(cohort: pd.DataFrame, city: str | None, year: int) -> pd.DataFrame:
    """:func:`wuxian.gap` for the cohort's employee-months of `year` (kept in memory only)."""
    return _in_year(_gap(cohort_year(cohort, city, year)), year)


def gap_tables(gaps: pd.DataFrame) -> dict:
    """Gap aggregates by city and by city x wage band; small cells (< MIN_CELL workers)
    are suppressed."""
    by_city = gap_summary(gaps, by=["city"])
    by_band = gap_summary(gaps, by=["city", "wage_band"])
    by_band = by_band[by_band["workers"] >= MIN_CELL].reset_index(drop=True)
    by_city = by_city[by_city["workers"] >= MIN_CELL].reset_index(drop=True)
    return {"by_city": by_city, "by_band": by_band}


def _avg_wage_series(city: str, months: pd.PeriodIndex) -> np.ndarray:
    h = param_history(city, items=("pension",))
    s = h.set_index(h["month"].dt.to_period("M"))
    return s[["avg_wage", "base_floor", "base_cap"]].reindex(months).ffill().bfill().to_numpy()


def typical_careers(city: str, year: int, age_in_year: int = 35,
                    tracks=("male", "female_55")) -> pd.DataFrame:
    """Pension at retirement for synthetic careers in `city`: contributions from 2012-01 to
    the end of `year` at a share of the city's average wage (clipped to floor and cap), then
    projected to retirement with the default :class:`wuxian.Assumptions`."""
    months = pd.period_range("2012-01", f"{int(year)}-12", freq="M")
    vals = _avg_wage_series(city, months)
    hist, people = [], []
    for name, share in CAREER_SHARES.items():
        base = np.clip(share * vals[:, 0], vals[:, 1], vals[:, 2])
        for track in tracks:
            cid = f"{name} · {track}"
            hist.append(pd.DataFrame({"employee_id": cid, "city": city,
                                      "month": months.astype(str), "base": base}))
            people.append({"employee_id": cid, "birth_month": f"{int(year) - age_in_year}-06",
                           "track": track, "hukou_city": city})
    hist, people = pd.concat(hist, ignore_index=True), pd.DataFrame(people)
    out = pension_at_retirement(project_history(hist, people), people)
    out.insert(0, "career", out.pop("employee_id").str.split(" · ").str[0])
    out.insert(0, "city", city)
    keep = ["city", "career", "track", "retire_month", "contribution_years", "eligible",
            "basic_pension", "account_pension", "total_pension", "final_wage",
            "replacement_rate"]
    return out[keep]


def moves_from(city: str, year: int, share: float = 1.0, age_in_year: int = 35,
               stay_years: int = 1) -> pd.DataFrame:
    """What transfers when a worker (base = `share` x average wage, contributing in `city`
    since 2012-01) moves to each other city at the start of the year after `year`."""
    months = pd.period_range("2012-01", f"{int(year)}-12", freq="M")
    vals = _avg_wage_series(city, months)
    base = float(np.clip(share * vals[-1, 0], vals[-1, 1], vals[-1, 2]))
    mean_base = float(np.clip(share * vals[:, 0], vals[:, 1], vals[:, 2]).mean())
    rows = []
    for dest in CITIES:
        if dest == city:
            continue
        spells = pd.DataFrame({
            "city": [city, dest], "start": ["2012-01", f"{int(year) + 1}-01"],
            "end": [f"{int(year)}-12", f"{int(year) + stay_years}-12"],
            "base": [mean_base, base]})
        res = transfer_summary(spells, hukou_city=city, birth_month=f"{int(year) - age_in_year}-06",
                               track="male")
        mv = res["moves"].iloc[0]
        rows.append({"from_city": city, "to_city": dest, "move_month": mv["move_month"],
                     "months_at_origin": int(mv["months_at_origin"]),
                     "pooled_transfer": round(float(mv["pooled_transfer"]), 2),
                     "account_transfer": round(float(mv["account_transfer"]), 2),
                     "temporary_account": bool(mv["temporary_account"]),
                     "unemployment": mv["unemployment"], "housing_fund": mv["housing_fund"],
                     "claim_city": res["claim_city"],
                     "medical_years": float(res["medical"]["total_years"]),
                     "medical_required_years": float(res["medical"]["required_years"])})
    return pd.DataFrame(rows)
