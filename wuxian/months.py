"""Months as integers: ``year * 12 + (month - 1)``, parsed once per distinct value.

The one home of month parsing and formatting: parameter data, payroll columns, national
tables, benefits, pensions and the sample all use these functions.

Examples
--------
>>> month_index("2012-01")
24144
>>> month_label(24144)
'2012-01'
>>> parse_months(["2025-07", "2025-13", "July"]).tolist()
[24306, -1, -1]
"""

import re

import numpy as np
import pandas as pd

from .errors import InputError, format_rows

_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


def month_index(label: str) -> int:
    """Return the integer month of a ``YYYY-MM`` label; ValueError when malformed.

    >>> month_index("2026-06") - month_index("2025-07")
    11
    """
    m = _MONTH_RE.match(str(label))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"malformed month {label!r}: expected YYYY-MM")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def month_label(index: int) -> str:
    """Return the ``YYYY-MM`` label of an integer month.

    >>> month_label(month_index("1999-12"))
    '1999-12'
    """
    year, m0 = divmod(int(index), 12)
    return f"{year:04d}-{m0 + 1:02d}"


def parse_months(labels) -> np.ndarray:
    """Parse an array of labels to integer months; -1 marks a malformed label.

    Meant for the *distinct* values of a column (categories), not for every row.

    >>> parse_months(["2024-12", "2024-00"]).tolist()
    [24299, -1]
    """
    out = np.full(len(labels), -1, dtype=np.int64)
    for i, label in enumerate(labels):
        try:
            out[i] = month_index(label)
        except ValueError:
            pass
    return out


def month_numbers(values, field: str = "month") -> np.ndarray:
    """Integer months of a column, an array or a scalar (``YYYY-MM`` text, trimmed, or
    datetimes), parsed once per distinct value; an InputError naming `field` and the rows of
    a missing or malformed value (never the value).

    >>> (month_numbers(pd.Series([" 2025-07", "2025-07"])) // 12).tolist()
    [2025, 2025]
    >>> month_numbers("2025-01").tolist()
    [24300]
    >>> month_numbers(["2025-01", "2025/01"], "birth_month")
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: birth_month: malformed value in row 2; expected YYYY-MM
    """
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(values):
        if values.isna().any():
            raise InputError(f"{field}: missing value in "
                             f"{format_rows(np.flatnonzero(values.isna()))}")
        return (values.dt.year * 12 + values.dt.month - 1).to_numpy(dtype=np.int64)
    if isinstance(values, pd.Series) and not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("category")  # distinct values once (the fastest way in pandas)
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(values)
        codes, uniq = cat.codes.astype(np.int64), cat.categories.astype(str)
    else:
        arr = np.atleast_1d(np.asarray(values, dtype=object)).ravel()
        codes, uniq = pd.factorize(arr, sort=False)
        uniq = pd.Index(uniq, dtype=object).astype(str)
    parsed = np.append(parse_months(list(uniq)), -2)  # code -1 (missing) picks the -2
    months = parsed[codes]
    if (months == -2).any():
        raise InputError(f"{field}: missing value in {format_rows(np.flatnonzero(months == -2))}")
    if (months == -1).any():
        raise InputError(f"{field}: malformed value in "
                         f"{format_rows(np.flatnonzero(months == -1))}; expected YYYY-MM")
    return months


def month_labels(idx) -> np.ndarray:
    """Format integer months as ``YYYY-MM`` labels, once per distinct value.

    >>> month_labels(np.array([24300, 24301, 24300])).tolist()
    ['2025-01', '2025-02', '2025-01']
    """
    uniq, inv = np.unique(np.asarray(idx, dtype=np.int64), return_inverse=True)
    labels = np.array([month_label(u) for u in uniq], dtype=object)
    return labels[inv.reshape(-1)]


def month_range(first: str, n: int) -> list:
    """`n` consecutive ``YYYY-MM`` labels from `first`.

    >>> month_range("2024-11", 3)
    ['2024-11', '2024-12', '2025-01']
    """
    start = month_index(first)
    return [month_label(start + i) for i in range(n)]
