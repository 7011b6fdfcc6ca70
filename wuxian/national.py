"""The national tables (``data/national``): one layer to read a table, look a dated row up and
read a named rule, with the source and confidence check on every table.

Every row carries a ``source``; every row with a value carries a ``confidence`` (a row whose
numeric cells are all blank records a period whose values were not found, and may leave it
blank). A corrupt file is a :class:`~wuxian.errors.ParameterError` naming the file and the
lines, never a cell value.

Examples
--------
>>> national_table("payout_months").loc[0, ["age", "months"]].tolist()
[40, 233]
>>> rule_value("iit_rules", "hf_deductible_rate")
0.12
>>> rule("pension_rules", "pooled_transfer_since")
'1998-01'
"""

from functools import lru_cache

import numpy as np
import pandas as pd

from .datafiles import lines_text, read_data_csv
from .errors import ParameterError
from .months import month_numbers
from .params.vocab import CITIES
from .resources import data_path, shown

NATIONAL_DIR = data_path("national")

#: The columns each national table must have besides ``source`` and ``confidence``
#: (``notes`` may be left out); ``#`` marks a number (a blank cell is allowed, text is not).
#: A table not listed here needs only ``source`` and ``confidence``.
NATIONAL_COLUMNS = {
    "account_credit_share": "month_start month_end #share",
    "account_interest": "#year #rate",
    "avg_wage": "region #year #avg_wage",
    "calc_base": "region #retire_year #calc_base",
    "base_rules": "city item period_start period_end rule #year_start_month #wage_year_offset",
    "iit_brackets": "regime period_start period_end basis #basic_deduction #bracket #lower "
                    "#upper #rate #quick_deduction",
    "iit_rules": "rule #value unit period_start period_end",
    "injury_disposable_income": "#year #value",
    "injury_grades": "#version period_start period_end #grade #lump_sum_months "
                     "#monthly_allowance_share",
    "injury_rules": "rule #value unit period_start period_end",
    "input_limits": "field #max unit period_start period_end",
    "maternity_leave": "city period_start period_end #base_days #difficult_birth_days "
                       "#extra_baby_days #city_extra_days",
    "medical_retire_years": "city track #years",
    "min_contribution_years": "#year_start #year_end #min_years",
    "payout_months": "#age #months",
    "pension_regions": "city region province",
    "pension_rules": "name value unit",
    "retirement_rules": "track #original_age_months #target_age_months "
                        "first_affected_birth_month #birth_months_per_delay_month "
                        "#max_delay_months last_affected_birth_month #flex_early_max_months "
                        "#flex_late_max_months",
    "transfer_rules": "name #value unit",
    "transitional_coef": "region #coef_per_year method",
    "unemployment_amount": "city period_start period_end method #min_years #max_years "
                           "#min_age #max_age #from_benefit_month #to_benefit_month #value",
    "unemployment_months": "city period_start period_end #min_years #max_years #months "
                           "#step_years #extra_months_per_step #cap",
    "unemployment_transfer": "rule #value unit",
    **{f"series_{c}": "series city period_start period_end #value"
       for c in CITIES},
}


@lru_cache(maxsize=None)
def national_table(name: str) -> pd.DataFrame:
    """Read ``data/national/{name}.csv`` with the columns :data:`NATIONAL_COLUMNS` names."""
    return checked_table(NATIONAL_DIR / f"{name}.csv", NATIONAL_COLUMNS.get(name, ""))


def checked_table(path, spec: str) -> pd.DataFrame:
    """Read a data table with the columns of `spec` (``"key #number ..."``; ``#`` marks a
    numeric column), ``source`` and ``confidence``.

    A missing column, text in a numeric column, a row without source, or a row with a value
    but no confidence is a ParameterError naming the file and the lines.
    """
    spec = spec.split()
    columns = [c.lstrip("#") for c in spec]
    numeric = [c[1:] for c in spec if c.startswith("#")]
    where = shown(path)
    df, lines = read_data_csv(path, where, required=columns + ["source", "confidence"],
                              numeric=numeric)

    def blank(col):
        return df[col].isna().to_numpy() | (df[col].astype(str).str.strip() == "").to_numpy()

    not_found = np.logical_and.reduce([df[c].isna().to_numpy() for c in numeric]) \
        if numeric else np.zeros(len(df), dtype=bool)
    for col, rows in (("source", blank("source")),
                      ("confidence", blank("confidence") & ~not_found)):
        if rows.any():
            raise ParameterError(f"{where}: every row needs a {col} (blank on "
                                 f"{lines_text(lines[rows])})")
    return df


def _key_column(table: str) -> str:
    spec = NATIONAL_COLUMNS.get(table, "").split()
    return spec[0].lstrip("#") if spec else "name"


def rule(table: str, name: str, month: str | None = None) -> str:
    """The ``value`` of the named rule `name` of a rules table (``pension_rules``,
    ``transfer_rules``, ``iit_rules``, ``injury_rules``, ``unemployment_transfer``), as text;
    in a dated table, the row whose period covers `month` (default: the latest row). A rule
    that is not there, or given twice for one month, is a ParameterError."""
    t = national_table(table)
    rows = t[t[_key_column(table)] == name]
    if "period_start" in t.columns and len(rows) and month is not None:
        m = int(month_numbers(month)[0])
        rows = rows[(month_numbers(rows["period_start"]) <= m)
                    & (m <= month_numbers(rows["period_end"]))]
    elif "period_start" in t.columns and len(rows) > 1:
        rows = rows.iloc[[int(np.argmax(month_numbers(rows["period_start"])))]]
    if len(rows) != 1:
        raise ParameterError(f"data/national/{table}.csv: rule {name!r} "
                             f"{'not found' if rows.empty else 'given more than once'}"
                             + (f" for {month}" if month else ""))
    return str(rows["value"].iloc[0])


def rule_value(table: str, name: str, month: str | None = None) -> float:
    """:func:`rule` as a number."""
    return float(rule(table, name, month))
