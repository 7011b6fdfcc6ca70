"""Months as integers: ``year * 12 + (month - 1)``, parsed once per distinct value.

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
