"""Choosing the contribution base: one home for every engine (memory, stream, dask).

The base of an employee-month is, in this order (人社部令第20号《社会保险费申报缴纳管理规定》
art. 8: 职工上一年度月平均工资; new hires declare their first month's wage):

1. ``declared_base`` where the payroll gives one (the employer's declaration);
2. with ``base_method="prior_year_average"``, the employee's mean monthly wage over the previous
   calendar year found in the cohort (or, streamed, in the whole file: `prior`), falling back
   to the month's wage (``base_fallback``) where there is no such history;
3. with ``base_method="current_month"``, the month's wage.

The city base years (a July–June or April–March year declared once) are issue 16's work: they
belong here.

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

import numpy as np
import pandas as pd

from .errors import InputError
from .schema import Cohort

BASE_METHODS = ("prior_year_average", "current_month")


def check_base_method(base_method: str) -> None:
    """InputError unless `base_method` is one of :data:`BASE_METHODS`.

    >>> check_base_method("annual")
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: base_method: 'annual' is not one of prior_year_average, current_month
    """
    if base_method not in BASE_METHODS:
        raise InputError(f"base_method: {base_method!r} is not one of {', '.join(BASE_METHODS)}")


def wage_base(cohort: Cohort, base_method: str, prior=None) -> tuple[np.ndarray, np.ndarray]:
    """The base from the wage alone (rules 2 and 3), and ``base_fallback``: the lawful base
    the gap compares a declaration with. `prior` is ``(base, fallback)`` computed elsewhere
    from the employees' whole history (:class:`wuxian.stream.History`)."""
    check_base_method(base_method)
    if base_method == "current_month":
        return cohort.wage, np.zeros(len(cohort), dtype=bool)
    return prior if prior is not None else prior_year_average(cohort)


def contribution_base(cohort: Cohort, base_method: str,
                      prior=None) -> tuple[np.ndarray, np.ndarray]:
    """The base charged (rules 1 to 3) and ``base_fallback`` (False where declared)."""
    base, fallback = wage_base(cohort, base_method, prior)
    if cohort.declared_base is not None:
        declared = ~np.isnan(cohort.declared_base)
        base = np.where(declared, cohort.declared_base, base)
        fallback = fallback & ~declared
    return base, fallback


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
    sums = np.bincount(slot, weights=cohort.wage, minlength=size)
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
