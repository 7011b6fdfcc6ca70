"""Print the demo summary: cost per city and the base-manipulation gap per declaration pattern.

``python -m wuxian.demo CONTRIBUTIONS.csv GAP_BY_CITY.csv`` (what ``make demo`` runs).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"city": ["x", "x"], "employee_id": [1, 2], "wage": [100.0, 300.0],
...                    "employer_total": [30.0, 90.0], "employee_total": [20.0, 60.0]})
>>> float(cost_summary(df).loc["x", "employer_%"])
30.0
"""

import sys

import pandas as pd


def cost_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Rows, employees, wage bill, employer and employee totals and their share of wages."""
    s = df.groupby("city").agg(rows=("wage", "size"), employees=("employee_id", "nunique"),
                               wage=("wage", "sum"), employer=("employer_total", "sum"),
                               employee=("employee_total", "sum"))
    s["employer_%"] = (100 * s.employer / s.wage).round(1)
    s["employee_%"] = (100 * s.employee / s.wage).round(1)
    return s.round({"wage": 0, "employer": 0, "employee": 0})


def main(argv=None) -> int:
    """Print both summaries."""
    contributions_csv, gap_csv = (argv or sys.argv[1:])[:2]
    cost = cost_summary(pd.read_csv(contributions_csv, usecols=[
        "city", "employee_id", "wage", "employer_total", "employee_total"]))
    gap = pd.read_csv(gap_csv)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print("\nContributions on the sample cohort (yuan, 24 months):")
        print(cost.to_string())
        print("\nBase-manipulation gap by city and employer declaration pattern (yuan, 24 months):")
        print(gap[["city", "declare_pattern", "workers", "share_affected", "gap_employer_total",
                   "gap_employee_total", "housing_fund_loss", "pension_account_loss"]]
              .to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
