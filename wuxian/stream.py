"""Streaming: payroll files larger than memory, in two passes over chunks of rows.

The prior-year-average base (人社部令第20号 art. 8) needs each employee's whole history, and
duplicate (employee, month) pairs may sit in different chunks. Design chosen (input need not
be sorted):

* **Pass 1** reads the file chunk by chunk, validates each chunk (every error names its row
  number in the *whole file*), checks that each month has parameter data, and keeps two small
  per-employee tables: the wage sum and count per (employee, calendar year), accumulated in
  file order with ``np.add.at`` (the same additions, in the same order, as the in-memory
  ``np.bincount``, so the bases are bit-for-bit equal), and a bitset of the months seen per
  employee over the parameter data's month span (duplicates across chunks; ~23 bytes per
  employee for 2012-2026). Memory: employees x (years x 12 bytes + span / 8), e.g. ~100 MB
  for 2 million employees over 3 years.
* **Pass 2** reads the file again and computes each chunk with the engine
  (:func:`wuxian.contributions.compute` / :func:`wuxian.gap.gap_cohort`), the prior-year base
  looked up in the :class:`History` of pass 1, and appends it to a temporary file (CSV append
  or ``pyarrow.parquet.ParquetWriter``) that is renamed over the output only when every
  chunk succeeded. A failure anywhere leaves no output (an existing file stays as it was).

Memory is bounded by the chunk size (about 0.6 KB per row for contributions, 1 KB for gap),
plus the :class:`History`; the rows are never all in memory.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> pd.DataFrame({"employee_id": ["a", "a", "b"], "city": "beijing",
...     "month": ["2024-12", "2025-01", "2025-01"], "wage": [9e3, 1e4, 2e4]}).to_csv(
...     folder / "in.csv", index=False)
>>> stream_file(folder / "in.csv", folder / "out.csv", chunk_rows=2, progress=False)
3
>>> pd.read_csv(folder / "out.csv")["base_si"].tolist()
[9000.0, 9000.0, 20000.0]
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .base import YearMeans, check_base_method, total_pay
from .contributions import OUTPUT_COLUMNS, compute, parameter_keys
from .gap import summary_combine, summary_fold, summary_partial
from .errors import InputError, WuxianError, format_rows
from .io import (READ_SUFFIXES, AtomicWriter, arrow_to_pandas, check_fields, check_headers,
                 check_output_path, csv_encoding, csv_headers, csv_problem, csv_read_options,
                 file_suffix)
from .params import default_table
from .schema import canonical_columns, trimmed_ids, validate_payroll

DEFAULT_CHUNK_ROWS = 500_000
COMMANDS = ("contributions", "gap")

_ROWS = re.compile(r"\b(rows?) (\d+(?:, \d+)*)")


def shift_rows(message: str, offset: int) -> str:
    """Add `offset` to every row number a :func:`~wuxian.errors.format_rows` text names.

    >>> shift_rows("wage: fails ge(0) in rows 3, 4 and 2 more; city: missing value in row 1", 10)
    'wage: fails ge(0) in rows 13, 14 and 2 more; city: missing value in row 11'
    """
    if not offset:
        return message

    def add(m):
        return m.group(1) + " " + ", ".join(str(int(r) + offset) for r in m.group(2).split(", "))

    return _ROWS.sub(add, message)


def reraise_shifted(exc: WuxianError, offset: int):
    """Raise `exc` again with its row numbers shifted by `offset` (a chunk's first row)."""
    raise type(exc)(shift_rows(str(exc), offset)) from None


# --------------------------------------------------------------------------------- reading
def count_rows(path) -> int | None:
    """Rows of a parquet file from its metadata (None for CSV: known after pass 1)."""
    path = Path(path)
    if path.is_dir():
        import pyarrow as pa
        import pyarrow.dataset as ds

        try:
            return ds.dataset(path, format="parquet").count_rows()
        except (OSError, pa.ArrowException):
            raise InputError(f"{path.name}: a file in this folder is not readable .parquet") \
                from None
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException):
            raise InputError(f"{path.name}: not a readable .parquet file (corrupt or truncated)") \
                from None
    return None


def iter_chunks(path, chunk_rows: int = DEFAULT_CHUNK_ROWS):
    """Yield the payroll file `path` (``.csv``, ``.parquet`` or a folder of parquet files,
    read in name order) as frames of at most `chunk_rows`.

    Values are read as :func:`wuxian.io.read_payroll` reads them (key columns as text, only
    empty cells missing); each frame's index continues the previous one (0-based file rows).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> pd.DataFrame({"employee_id": ["007", "8"], "wage": [1.0, 2.0]}).to_csv(p, index=False)
    >>> [c.index.tolist() for c in iter_chunks(p, 1)]
    [[0], [1]]
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.parquet") if p.is_file())
        if not files:
            raise InputError(f"{path}: no .parquet files in this folder")
        yield from _parquet_chunks(files, chunk_rows)
        return
    suffix = file_suffix(path, (".csv", ".parquet"), "streamed input")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    offset = 0
    if suffix == ".csv":
        encoding = csv_encoding(path)
        headers = csv_headers(path, encoding)
        try:
            reader = pd.read_csv(path, encoding=encoding, chunksize=chunk_rows,
                                 **csv_read_options())
            with reader:
                for chunk in reader:
                    check_fields(chunk, headers, path.name)
                    chunk.columns = headers
                    chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                    offset += len(chunk)
                    yield chunk
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: text encoding changes after row {offset}; "
                             "save it as UTF-8") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{path.name}: not a readable CSV file ({csv_problem(exc)})") \
                from None
        return
    yield from _parquet_chunks([path], chunk_rows)


def _parquet_chunks(files, chunk_rows: int):
    """Record batches of the parquet `files` in order, indexed by their row in the whole input."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    offset = 0
    for file in files:
        try:
            pf = pq.ParquetFile(file)
            schema = pf.schema_arrow
            check_headers(schema.names, file.name)
            batches = pf.iter_batches(batch_size=chunk_rows)
        except (OSError, pa.ArrowException):
            raise InputError(f"{file.name}: not a readable .parquet file (corrupt or truncated)") \
                from None
        while True:
            try:  # arrow's messages may quote cells: reworded without them
                batch = next(batches, None)
            except (OSError, pa.ArrowException):
                raise InputError(f"{file.name}: not a readable .parquet file after row {offset}"
                                 " (corrupt or truncated)") from None
            if batch is None:
                break
            chunk = arrow_to_pandas(pa.Table.from_batches([batch], schema=schema))
            chunk.index = pd.RangeIndex(offset, offset + len(chunk))
            offset += len(chunk)
            yield chunk


# --------------------------------------------------------------------------------- history
@dataclass
class History:
    """Each employee's mean monthly wage per calendar year: what prior-year bases need.

    ``index`` holds the employee ids (position = code), ``mean[y, code]`` the mean wage of
    year ``year0 + y`` (NaN without a month that year).

    >>> h = History.from_aggregate(pd.DataFrame({"employee_id": ["a", "a"],
    ...     "year": [2024, 2025], "sum": [300.0, 50.0], "count": [2, 1]}))
    >>> base, fb = h.prior(pd.Series(["a", "a"]), np.array([2025 * 12, 2024 * 12]),
    ...                    np.array([7.0, 8.0]))
    >>> base.tolist(), fb.tolist()
    ([150.0, 8.0], [False, True])
    """

    index: pd.Index
    year0: int
    mean: np.ndarray
    first_wage: np.ndarray | None = None  # the wage of each employee's first month

    @classmethod
    def from_aggregate(cls, agg: pd.DataFrame) -> "History":
        """From rows ``employee_id, year, sum, count`` (one per employee and year)."""
        codes, ids = pd.factorize(agg["employee_id"])
        if len(agg) == 0:
            return cls(pd.Index(ids), 0, np.full((0, 0), np.nan), np.zeros(0))
        year = agg["year"].to_numpy(dtype=np.int64)
        y0 = int(year.min())
        mean = np.full((int(year.max()) - y0 + 1, len(ids)), np.nan)
        mean[year - y0, codes] = agg["sum"].to_numpy() / agg["count"].to_numpy()
        first = None
        if "first_wage" in agg:
            first = np.empty(len(ids))
            first[codes] = agg["first_wage"].to_numpy(dtype=float)
        return cls(pd.Index(ids), y0, mean, first)

    def codes(self, ids) -> np.ndarray:
        """Positions of the (trimmed) `ids` in :attr:`index`; -1 for an id not in it."""
        local, text = trimmed_ids(pd.Series(ids))
        return self.index.get_indexer(text)[local]

    def year_means(self, ids) -> YearMeans:
        """The :class:`wuxian.base.YearMeans` of the rows of `ids` (base-year bases)."""
        return YearMeans(self.year0, self.mean, self.first_wage, self.codes(ids))

    def prior(self, ids, month: np.ndarray, wage: np.ndarray):
        """``(base, fallback)`` as :func:`wuxian.base.prior_year_average` gives."""
        code = self.codes(ids)
        prev = month // 12 - 1 - self.year0
        ok = (prev >= 0) & (prev < len(self.mean)) & (code >= 0)
        base = np.full(len(month), np.nan)
        if ok.any():
            base[ok] = self.mean[prev[ok], code[ok]]
        fallback = np.isnan(base)
        np.copyto(base, wage, where=fallback)
        return base, fallback


class _Collector:
    """Pass-1 state: employee codes, yearly sums/counts, months seen (a bitset)."""

    def __init__(self, first_month: int, n_months: int):
        self.codes: dict = {}
        self.first_month, self.width = first_month, (n_months + 7) // 8
        self.sums: dict = {}  # year -> float array over employee codes (total pay)
        self.counts: dict = {}
        self.first = np.zeros(0, dtype=np.int64)  # each employee's first month, and its wage
        self.first_wage = np.zeros(0)
        self.seen = np.zeros((1024, self.width), dtype=np.uint8)

    def encode(self, ids: pd.Series) -> np.ndarray:
        local, uniques = trimmed_ids(ids)  # " E001" and "E001" are one employee
        d = self.codes
        table = np.fromiter((d.setdefault(u, len(d)) for u in uniques), dtype=np.int64,
                            count=len(uniques))
        return table[local]

    def _grow(self, arr, n):
        if len(arr) >= n:
            return arr
        new = np.zeros((max(n, 2 * len(arr)),) + arr.shape[1:], dtype=arr.dtype)
        new[:len(arr)] = arr
        return new

    def add(self, code: np.ndarray, month: np.ndarray, pay: np.ndarray,
            wage: np.ndarray) -> np.ndarray:
        """Accumulate `pay` (工资总额) per year and each employee's first month's `wage`; return
        the mask of rows whose (employee, month) was seen before."""
        n = len(self.codes)
        if len(self.first) < n:
            grown = max(n, 2 * len(self.first))
            self.first = np.concatenate([self.first, np.full(grown - len(self.first),
                                                             np.iinfo(np.int64).max)])
            self.first_wage = np.concatenate([self.first_wage,
                                              np.zeros(grown - len(self.first_wage))])
        order = np.lexsort((month, code))
        lead = order[np.r_[True, code[order][1:] != code[order][:-1]]] if len(code) else order
        earlier = month[lead] < self.first[code[lead]]
        self.first[code[lead[earlier]]] = month[lead[earlier]]
        self.first_wage[code[lead[earlier]]] = wage[lead[earlier]]
        self.seen = self._grow(self.seen, n)
        pos = month - self.first_month
        byte, bit = pos >> 3, (1 << (pos & 7)).astype(np.uint8)
        dup = (self.seen[code, byte] & bit) != 0
        np.bitwise_or.at(self.seen, (code, byte), bit)
        year = month // 12
        for y in np.unique(year):
            rows = year == y
            if y not in self.sums:
                self.sums[y], self.counts[y] = np.zeros(n), np.zeros(n, dtype=np.int64)
            self.sums[y] = self._grow(self.sums[y], n)
            self.counts[y] = self._grow(self.counts[y], n)
            np.add.at(self.sums[y], code[rows], pay[rows])  # file order: as np.bincount
            np.add.at(self.counts[y], code[rows], 1)
        return dup

    def history(self) -> History:
        n = len(self.codes)
        ids = pd.Index(list(self.codes))
        if not self.sums:
            return History(ids, 0, np.full((0, n), np.nan), self.first_wage[:n])
        y0, y1 = min(self.sums), max(self.sums)
        mean = np.full((y1 - y0 + 1, n), np.nan)
        for y in self.sums:
            s, c = self.sums[y][:n], self.counts[y][:n]  # may be shorter: later employees
            have = c > 0
            mean[y - y0, :len(c)][have] = s[have] / c[have]
        return History(ids, int(y0), mean, self.first_wage[:n])


def _duplicate_error(path, chunk_rows, collector, chunk_index, code, month, dup):
    """Name the repeated rows and the earlier rows they repeat (one more read, error path)."""
    span = len(collector.seen[0]) * 8
    pairs = np.unique(code[dup] * span + (month[dup] - collector.first_month))
    rows = [chunk_index[dup]]
    for chunk in iter_chunks(path, chunk_rows):
        if chunk.index[0] >= chunk_index[0]:
            break
        c = validate_payroll(chunk)
        key = collector.encode(chunk[_id_column(chunk)]) * span + (c.month - collector.first_month)
        rows.append(chunk.index.to_numpy()[np.isin(key, pairs)])
    rows = np.sort(np.concatenate(rows))
    return InputError("employee_id + month: duplicate pair in " + format_rows(rows))


def _id_column(df: pd.DataFrame):
    return {v: k for k, v in canonical_columns(df.columns).items()}["employee_id"]


def scan(path, chunk_rows: int = DEFAULT_CHUNK_ROWS, table=None, bar=None) -> tuple[History, int]:
    """Pass 1: validate every chunk, find duplicates across chunks, build the :class:`History`.

    Returns the history and the number of rows.
    """
    table = table if table is not None else default_table()
    cube = table.compile()
    collector = _Collector(cube.first_month, cube.n_months)
    rows = 0
    for chunk in iter_chunks(path, chunk_rows):
        try:
            cohort = validate_payroll(chunk)
            parameter_keys(cohort, cube)  # months outside the parameter data
        except WuxianError as exc:
            reraise_shifted(exc, rows)
        code = collector.encode(chunk[_id_column(chunk)])
        dup = collector.add(code, cohort.month, total_pay(cohort), cohort.wage)
        if dup.any():
            raise _duplicate_error(path, chunk_rows, collector, chunk.index.to_numpy(), code,
                                   cohort.month, dup)
        rows += len(chunk)
        if bar is not None:
            bar.update(len(chunk))
    return collector.history(), rows


# --------------------------------------------------------------------------------- computing
def compute_rows(chunk: pd.DataFrame, command: str = "contributions",
                 base_method: str = "prior_year_average", history: History | None = None,
                 table=None, strict: bool = False) -> pd.DataFrame:
    """The engine's output for one chunk, prior-year bases taken from `history`.

    Equal to ``wuxian.contributions(whole)`` / ``wuxian.gap(whole)`` restricted to the chunk's
    rows when `history` was built from the whole file. Row numbers in errors are the chunk's.

    >>> df = pd.DataFrame({"employee_id": ["a"], "city": "beijing", "month": ["2025-01"],
    ...                    "wage": [10000.0]})
    >>> h = History.from_aggregate(pd.DataFrame({"employee_id": ["a"], "year": [2024],
    ...                                          "sum": [24000.0], "count": [3]}))
    >>> float(compute_rows(df, history=h)["base_si"].iloc[0])
    8000.0
    """
    check_base_method(base_method)
    table = table if table is not None else default_table()
    cohort = validate_payroll(chunk)
    prior = None
    if base_method in ("prior_year_average", "base_year"):
        if history is None:
            raise InputError(f"compute_rows: {base_method} needs the employees' History")
        ids = chunk[_id_column(chunk)]
        prior = history.year_means(ids) if base_method == "base_year" else \
            history.prior(ids, cohort.month, cohort.wage)
    if command == "gap":
        from .gap import gap_cohort

        return gap_cohort(cohort, chunk, base_method, table, strict, prior)
    clash = [c for c in OUTPUT_COLUMNS if c in chunk.columns]
    if clash:
        raise InputError(f"input already has output column(s) {', '.join(clash)}: rename them first")
    frame = compute(cohort, base_method, table, prior)
    frame.index = chunk.index
    return pd.concat([chunk, frame], axis=1)


def stream_file(src, out, command: str = "contributions",
                base_method: str = "prior_year_average", table=None, strict: bool = False,
                by=None, chunk_rows: int = DEFAULT_CHUNK_ROWS, progress: bool = True,
                inputs=(), escape: bool = True) -> int:
    """Compute `command` for the payroll file `src` chunk by chunk into `out`; return rows.

    Two passes (module docstring). With `by` (gap only) the output is
    :func:`wuxian.gap_summary` grouped by those columns, built from per-chunk partial sums.
    A progress bar on stderr shows rows and rows/s for each pass. Every error names the row
    by its number in the whole file, and leaves no `out` behind. `out` may not be `src` or
    one of `inputs`; `escape` as in :func:`wuxian.io.write_table`.

    The summary's state is folded whenever the pieces since the last fold outgrow it, so
    memory stays of the order of the distinct (group, employee) pairs.
    """
    from tqdm import tqdm

    if command not in COMMANDS:
        raise InputError(f"stream: unknown command {command!r}")
    check_base_method(base_method)
    inputs = [src, *inputs]
    out = check_output_path(out, inputs)
    table = table if table is not None else default_table()
    total = count_rows(src)
    kw = dict(unit=" rows", unit_scale=True, disable=not progress, file=sys.stderr,
              dynamic_ncols=True)
    with tqdm(total=total, desc="pass 1/2 check", **kw) as bar:
        history, total = scan(src, chunk_rows, table, bar)
    partials, pending = [], 0
    with AtomicWriter(out, inputs, escape) as writer, tqdm(total=total, desc="pass 2/2 compute", **kw) as bar:
        done = 0
        for chunk in iter_chunks(src, chunk_rows):
            try:
                result = compute_rows(chunk, command, base_method, history, table, strict)
            except WuxianError as exc:
                reraise_shifted(exc, done)
            if by:
                partials.append(summary_partial(result, by, history.codes(
                    result[_id_column(result)]) if history is not None else None))
                pending += len(partials[-1])
                if len(partials) > 1 and pending > len(partials[0]):
                    partials, pending = [summary_fold(partials, by)], 0
            else:
                writer.write(result)
            done += len(chunk)
            del result
            bar.update(len(chunk))
        if by:
            summary = summary_combine(partials, by) if partials else pd.DataFrame()
            writer.write(summary)
            return len(summary)
    return done


def is_streamable(path) -> bool:
    """True for the file types :func:`stream_file` reads (CSV and parquet).

    >>> is_streamable("a.xlsx"), is_streamable("b.CSV")
    (False, True)
    """
    if Path(path).is_dir():
        return True
    suffix = Path(path).suffix.lower()
    return suffix in READ_SUFFIXES and suffix != ".xlsx"
