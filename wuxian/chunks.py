"""Whole-employee chunks: the one chunker of the in-memory engine.

A long frame is computed in chunks that each hold every row of their employees (prior-year
bases and cumulative income tax need an employee's whole year), in the original row order,
with a progress bar; the result equals one call on the whole frame.
"""

import sys

import numpy as np
import pandas as pd

from .errors import InputError, WuxianError
from .schema import canonical_columns, employee_codes

#: Inputs longer than this are processed in chunks of whole employees, with a progress bar.
CHUNK_THRESHOLD = 200_000
CHUNK_ROWS = 250_000


def employee_codes_of(df: pd.DataFrame) -> np.ndarray | None:
    """Trimmed-id codes of `df`'s employees; None when there is no usable id column (the
    engine then runs on the whole frame and reports the problem)."""
    by_name = {v: k for k, v in canonical_columns(df.columns).items()}
    if "employee_id" not in by_name:
        return None
    try:
        return employee_codes(df[by_name["employee_id"]])
    except InputError:
        return None


def compute_chunked(df: pd.DataFrame, base_method: str, table=None,
                    chunk_rows: int = CHUNK_ROWS, threshold: int = CHUNK_THRESHOLD,
                    progress: bool = True, engine=None) -> pd.DataFrame:
    """:func:`wuxian.contributions` on chunks of whole employees, in the original row order.

    Each employee's rows stay in one chunk, so prior-year averages are the same as in one call.
    If a chunk fails, the whole frame is recomputed in one call so the error names the rows of
    the input, not of the chunk. `engine` (default :func:`wuxian.contributions`) is any
    function ``engine(df, base_method=..., params=...)`` returning the input columns followed
    by new ones (e.g. :func:`wuxian.gap`).

    >>> df = pd.DataFrame({"employee_id": [1, 2, 1, 2], "city": "beijing",
    ...     "month": ["2024-12", "2024-12", "2025-01", "2025-01"], "wage": [9e3, 2e4, 1e4, 2e4]})
    >>> a = compute_chunked(df, "prior_year_average", chunk_rows=2, threshold=0, progress=False)
    >>> import wuxian
    >>> a.equals(wuxian.contributions(df))
    True
    """
    if engine is None:
        from .contributions import contributions as engine

    codes = employee_codes_of(df) if len(df) > threshold else None
    if codes is None or len(df) == 0:
        return engine(df, base_method=base_method, params=table)
    from tqdm import tqdm

    per_employee = len(df) / (codes.max() + 1)
    chunk = codes // max(1, int(chunk_rows / per_employee))
    order = np.argsort(chunk, kind="stable")
    bounds = np.flatnonzero(np.diff(chunk[order])) + 1
    parts = []
    try:
        with tqdm(total=len(df), unit="rows", disable=not progress, file=sys.stderr) as bar:
            for idx in np.split(order, bounds):
                out = engine(df.iloc[idx], base_method=base_method, params=table)
                parts.append(out.iloc[:, df.shape[1]:])
                bar.update(len(idx))
    except WuxianError:
        return engine(df, base_method=base_method, params=table)  # global row numbers
    added = pd.concat(parts, ignore_index=True).iloc[np.argsort(order, kind="stable")]
    added.index = df.index
    return pd.concat([df, added], axis=1)
