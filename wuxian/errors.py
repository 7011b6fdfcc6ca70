"""Exceptions raised by wuxian.

Every error names what is wrong and where (row numbers, fields, city, month, item), never a
person's name or ID number.

Examples
--------
>>> raise InputError("wage: negative value in rows 3, 7")
Traceback (most recent call last):
...
wuxian.errors.InputError: wage: negative value in rows 3, 7
"""


class WuxianError(Exception):
    """Base class of every error wuxian raises on purpose."""


class InputError(WuxianError, ValueError):
    """The payroll input is malformed: a missing column, an unknown city, a negative wage..."""


class ParameterError(WuxianError):
    """The parameter dataset breaks a rule (overlap, gap, floor above cap, bad rate...)."""


class MissingParameterError(ParameterError, LookupError):
    """A value needed for a computation is not in the data (not found, never assumed zero)."""


def format_rows(positions, limit: int = 10) -> str:
    """Format 0-based row positions as 1-based row numbers, abbreviated after `limit`.

    Row 1 is the first data row (the line after the header in a CSV file).

    Examples
    --------
    >>> format_rows([0, 4, 5])
    'rows 1, 5, 6'
    >>> format_rows(range(15), limit=3)
    'rows 1, 2, 3 and 12 more'
    """
    rows = [int(p) + 1 for p in positions]
    word = "row" if len(rows) == 1 else "rows"
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{word} {shown}{more}"
