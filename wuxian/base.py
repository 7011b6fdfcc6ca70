"""Choosing the contribution base: one home for every engine (memory, stream, dask).

The base of an employee-month is, in this order (人社部令第20号《社会保险费申报缴纳管理规定》
art. 8: 职工上一年度月平均工资; new hires declare their first month's wage):

1. ``declared_base`` where the payroll gives one (the employer's declaration);
2. with ``base_method="prior_year_average"``, the employee's mean monthly wage over the previous
   calendar year found in the cohort (or, streamed, in the whole file: `prior`), falling back
   to the month's wage (``base_fallback``) where there is no such history;
3. with ``base_method="current_month"``, the month's wage;
4. with ``base_method="base_year"``, the base declared once per base year (a July–June or
   April–March year, or the month's wage, per city, item and period in
   ``data/national/base_rules.csv``) from the monthly average of total pay (wage + bonus) of
   the wage year, held for the base year; a new hire keeps the first month's wage.

Examples
--------
>>> from wuxian.schema import validate_payroll
>>> c = validate_payroll(pd.DataFrame({"employee_id": ["a", "a"], "city": "上海",
...     "month": ["2024-12", "2025-01"], "wage": [9000.0, 12000.0]}))
>>> contribution_base(c, "prior_year_average")[0].tolist()
[9000.0, 9000.0]
>>> contribution_base(c, "current_month")[0].tolist()
[9000.0, 12000.0]
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .errors import InputError, MissingParameterError, ParameterError, format_rows
from .schema import Cohort

BASE_METHODS = ("prior_year_average", "current_month", "base_year")


def check_base_method(base_method: str) -> None:
    """InputError unless `base_method` is one of :data:`BASE_METHODS`.

    >>> check_base_method("annual")
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: base_method: 'annual' is not one of prior_year_average, current_month, base_year
    """
    if base_method not in BASE_METHODS:
        raise InputError(f"base_method: {base_method!r} is not one of {', '.join(BASE_METHODS)}")


def wage_base(cohort: Cohort, base_method: str, prior=None):
    """The base from the pay alone (rules 2 to 4), and ``base_fallback``: the lawful base the
    gap compares a declaration with. The base is one array, or with ``"base_year"`` a dict
    item -> array (items may follow different base years). `prior` comes from the employees'
    whole history when the cohort is a chunk: ``(base, fallback)`` for
    ``"prior_year_average"``, a :class:`YearMeans` for ``"base_year"``."""
    check_base_method(base_method)
    if base_method == "current_month":
        return cohort.wage, np.zeros(len(cohort), dtype=bool)
    if base_method == "base_year":
        return base_year_bases(cohort, prior if prior is not None else year_means(cohort))
    return prior if prior is not None else prior_year_average(cohort)


def contribution_base(cohort: Cohort, base_method: str, prior=None):
    """The base charged (rules 1 to 4) and ``base_fallback`` (False where declared)."""
    base, fallback = wage_base(cohort, base_method, prior)
    if cohort.declared_base is not None:
        declared = ~np.isnan(cohort.declared_base)
        fallback = fallback & ~declared
        if isinstance(base, dict):
            return {i: np.where(declared, cohort.declared_base, b) for i, b in base.items()}, \
                fallback
        base = np.where(declared, cohort.declared_base, base)
    return base, fallback


# ------------------------------------------------------------------ base years (rule 4)
@dataclass
class YearMeans:
    """Each employee's monthly average of total pay (工资总额: wage + bonus) per calendar year,
    and the wage of the employee's first month: what base-year bases need.

    ``mean[y, code]`` is the mean of year ``year0 + y`` (NaN without a month that year);
    ``codes`` are the cohort rows' employee positions.
    """

    year0: int
    mean: np.ndarray
    first_wage: np.ndarray
    codes: np.ndarray

    def at(self, year: np.ndarray) -> np.ndarray:
        """The mean of `year` for each cohort row (NaN where the employee has none)."""
        y = year - self.year0
        ok = (y >= 0) & (y < len(self.mean)) & (self.codes >= 0)
        out = np.full(len(year), np.nan)
        out[ok] = self.mean[y[ok], self.codes[ok]]
        return out


def total_pay(cohort: Cohort) -> np.ndarray:
    """工资总额 of each row: the wage plus the month's bonus (国家统计局《关于工资总额组成的规定》
    art. 4: bonuses are part of total wages)."""
    if cohort.bonus is None:
        return cohort.wage
    return cohort.wage + np.nan_to_num(cohort.bonus)


def year_means(cohort: Cohort) -> YearMeans:
    """:class:`YearMeans` from the cohort's own rows (the memory engine).

    >>> from wuxian.schema import validate_payroll
    >>> c = validate_payroll(pd.DataFrame({"employee_id": ["a"] * 3, "city": "beijing",
    ...     "month": ["2024-11", "2024-12", "2025-01"], "wage": [100.0, 300.0, 50.0],
    ...     "bonus": [None, 600.0, None]}))
    >>> m = year_means(c)
    >>> m.at(np.array([2024, 2025, 2023])).tolist(), m.first_wage.tolist()
    ([500.0, 50.0, nan], [100.0])
    """
    code, month = cohort.employee_code, cohort.month
    n_emp = int(code.max()) + 1 if len(code) else 0
    if not len(code):
        return YearMeans(0, np.full((0, 0), np.nan), np.zeros(0), code)
    year = month // 12
    y0 = int(year.min())
    span = int(year.max()) - y0 + 1
    slot = (year - y0) * n_emp + code
    sums = np.bincount(slot, weights=total_pay(cohort), minlength=span * n_emp)
    counts = np.bincount(slot, minlength=span * n_emp)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).reshape(span, n_emp)
    order = np.lexsort((month, code))
    first = order[np.r_[True, code[order][1:] != code[order][:-1]]]
    first_wage = np.empty(n_emp)
    first_wage[code[first]] = cohort.wage[first]
    return YearMeans(y0, mean, first_wage, code)


@lru_cache(maxsize=1)
def _rules() -> pd.DataFrame:
    from .months import month_numbers
    from .national import national_table
    from .params import vocab

    t = national_table("base_rules").copy()
    unknown = ~t["city"].isin(vocab.CITIES)
    items = set(vocab.ALL_ITEMS) | {g for i in vocab.ITEMS for g in [item_group(i)]}
    unknown |= ~t["item"].isin(items) | ~t["rule"].isin(["base_year", "monthly"])
    if unknown.any():
        raise ParameterError("data/national/base_rules.csv: unknown city, item or rule in "
                             f"{int(unknown.sum())} row(s)")
    t["c"] = t["city"].map({c: i for i, c in enumerate(vocab.CITIES)})
    t["s"], t["e"] = month_numbers(t["period_start"]), month_numbers(t["period_end"])
    return t


def item_group(item: str) -> str:
    """The registry group of an item (a tier variant: its main item's group)."""
    from .params import vocab

    main = vocab.VARIANT_ITEMS.get(item, item)
    return vocab.group_of(main)


def item_rule(cohort: Cohort, item: str):
    """Per row, the base rule of `item` in force (``data/national/base_rules.csv``): whether
    the base is the month's wage, the base year's first month (0-11) and the wage-year offset.
    A row of an item's own beats its group's row; a month no row covers is a
    MissingParameterError naming the rows."""
    t = _rules()
    n = len(cohort)
    monthly = np.zeros(n, dtype=bool)
    start, offset = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    known = np.zeros(n, dtype=bool)
    for key in (item_group(item), item):  # the item's own rows last: they override
        for r in t[t["item"] == key].itertuples():  # a few dozen rule rows, not records
            m = (cohort.city_code == r.c) & (cohort.month >= r.s) & (cohort.month <= r.e)
            known |= m
            monthly[m] = r.rule == "monthly"
            if r.rule == "base_year":
                start[m], offset[m] = int(r.year_start_month) - 1, int(r.wage_year_offset)
    if not known.all():
        raise MissingParameterError(f"{item}: no base rule in data/national/base_rules.csv for "
                                    f"{format_rows(np.flatnonzero(~known))}")
    return monthly, start, offset


def base_year_labels(city_code: np.ndarray, month: np.ndarray, item: str = "pension"):
    """The base year of each row for `item`, as ``"2024-07..2025-06"`` (a ``monthly`` period:
    the calendar year, ``"2025"``): what ``gap_summary(by=["base_year"])`` groups by.

    >>> base_year_labels(np.array([0, 0]), np.array([2025 * 12, 2025 * 12 + 6])).tolist()
    ['2024-07..2025-06', '2025-07..2026-06']
    """
    from .months import month_label

    rows = Cohort(employee_code=np.zeros(len(month), dtype=np.int64), city_code=city_code,
                  category_code=np.zeros(len(month), dtype=np.int64), month=month,
                  wage=np.zeros(len(month)), base_salary=None, declared_base=None,
                  hf_rate=None, injury_rate=None, medical_tier=None)
    monthly, start, _ = item_rule(rows, item)
    year, mo = month // 12, month % 12
    first = np.where(mo >= start, year, year - 1) * 12 + start
    key = np.where(monthly, -1 - year, first)
    uniq, inv = np.unique(key, return_inverse=True)
    text = np.array([str(-1 - k) if k < 0 else f"{month_label(k)}..{month_label(k + 11)}"
                     for k in uniq], dtype=object)
    return text[inv.reshape(-1)]


def base_year_bases(cohort: Cohort, means: YearMeans):
    """Rule 4 (base years): per item, the base held through each base year.

    In a ``base_year`` period the base of a month is the employee's monthly average of total
    pay in the wage year (the calendar year the base year starts in, plus the row's
    ``wage_year_offset``, normally -1: 上一年度月平均工资, 人社部令第20号 art. 8); an employee with
    no month in the wage year (a new hire) keeps the wage of the first month of employment
    (``base_fallback``). In a ``monthly`` period the base is the month's wage. Returns
    ``({item: base}, fallback of the pension base)``.
    """
    from .params import vocab

    bases, seen, fallback = {}, {}, None
    year, mo = cohort.month // 12, cohort.month % 12
    own = set(_rules()["item"])
    for item in vocab.ITEMS:
        # items without rows of their own follow their group's rows: computed once per group
        key = item if item in own else item_group(item)
        if key not in seen:
            monthly, start, offset = item_rule(cohort, item)
            wage_year = np.where(mo >= start, year, year - 1) + offset
            mean = means.at(wage_year)
            hire = np.isnan(mean) & ~monthly
            base = np.where(monthly, cohort.wage, mean)
            first = means.first_wage[np.maximum(means.codes, 0)] if len(means.first_wage) \
                else cohort.wage
            base = np.where(hire, first, base)
            seen[key] = (base, hire)
        bases[item], hire = seen[key]
        if item == "pension":
            fallback = hire
    for variant, main in vocab.VARIANT_ITEMS.items():
        bases[variant] = bases[main]
    return bases, fallback


def prior_year_average(cohort: Cohort) -> tuple[np.ndarray, np.ndarray]:
    """Each row's previous-calendar-year mean wage of the same employee, from the cohort.

    Returns ``(base, fallback)``: the current month's wage and ``True`` where the employee
    has no month in the previous calendar year.

    >>> from wuxian.schema import validate_payroll
    >>> c = validate_payroll(pd.DataFrame({"employee_id": [1, 1, 1], "city": ["北京"] * 3,
    ...     "month": ["2024-11", "2024-12", "2025-01"], "wage": [100.0, 300.0, 999.0]}))
    >>> base, fb = prior_year_average(c)
    >>> base.tolist(), fb.tolist()
    ([100.0, 300.0, 200.0], [True, True, False])
    """
    if len(cohort) == 0:
        return cohort.wage.copy(), np.zeros(0, dtype=bool)
    slot = cohort.month // 12
    y0 = int(slot.min())
    span = int(slot.max()) - y0 + 1
    slot -= y0
    slot += cohort.employee_code * span  # slot = (employee, year)
    size = (int(cohort.employee_code.max()) + 1) * span
    sums = np.bincount(slot, weights=total_pay(cohort), minlength=size)
    counts = np.bincount(slot, minlength=size)
    # Per slot (small), the mean of the slot before it: the same employee's previous year.
    prev_mean = np.full(size, np.nan)
    have = counts[:-1] > 0
    prev_mean[1:][have] = sums[:-1][have] / counts[:-1][have]
    prev_mean[::span] = np.nan  # an employee's first year has no previous year in the cohort
    base = prev_mean.take(slot, mode="clip")
    fallback = np.isnan(base)
    np.copyto(base, cohort.wage, where=fallback)
    return base, fallback
