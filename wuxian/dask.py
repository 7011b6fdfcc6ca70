"""The Dask engine: :func:`contributions` and :func:`gap` over a ``dask.dataframe``.

Partitions need not hold whole employees. The prior-year base comes from a per-employee-year
aggregate computed first and joined back by lookup:

1. each partition is validated (errors name the row's number in the whole frame) and reduced
   to ``employee_id, month, wage, row`` (the id trimmed, as every engine does);
2. these are shuffled by ``employee_id``; each output partition sorts its rows by ``row`` and
   sums wages per (employee, year) with ``np.bincount`` — the same additions in the same
   order as the in-memory engine, so the bases are bit-for-bit equal — and finds duplicate
   (employee, month) pairs anywhere in the frame;
3. the aggregate (employees x years rows: small) is collected into a
   :class:`wuxian.stream.History` and, with the parameter table, broadcast once to the
   workers (one graph key each, scattered when a distributed client is active);
4. ``map_partitions`` computes every partition with
   :func:`wuxian.stream.compute_rows`, the same code the streaming CLI runs.

:func:`read` reads a payroll file as :func:`wuxian.io.read_payroll` does (every CSV column as
text, parquet integers with blanks as nullable integers) and checks it before any cluster
work: encoding, header, the first rows. An error inside a worker reaches the caller as a
:class:`~wuxian.errors.WuxianError`; any other exception a worker raises is replaced by one
naming only its type (library messages may quote cells). :func:`local_cluster` is a
LocalCluster that logs nothing (distributed's logs of a failed task quote its data).

Examples
--------
>>> import dask
>>> import dask.dataframe as dd
>>> df = pd.DataFrame({"employee_id": ["a", "b", "a "], "city": "beijing",
...     "month": ["2024-12", "2025-01", "2025-01"], "wage": [9e3, 2e4, 1e4]})
>>> with dask.config.set(scheduler="synchronous"):
...     out = contributions(dd.from_pandas(df, npartitions=2)).compute()
>>> out["base_si"].tolist()
[9000.0, 20000.0, 9000.0]
"""

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .base import check_base_method, total_pay
from .errors import InputError, WuxianError, format_rows
from .io import (arrow_to_pandas, check_headers, csv_encoding, csv_headers, csv_problem,
                 csv_read_options, file_suffix)
from .params import default_table
from .schema import canonical_columns, employee_keys, validate_payroll, with_numbers
from .gap import summary_combine, summary_partial
from .stream import History, reraise_shifted, compute_rows

#: Bytes of a CSV file parsed in the calling process by :func:`read` (meta and early errors).
HEAD_BYTES = 1 << 20
_UNCLOSED = "is not closed in it"
#: What :func:`wuxian.io.csv_problem` says of a quoted field left open (io is the one home of
#: pandas' message patterns; dask only moves the line it names to the whole file's).
_NEVER_CLOSED = csv_problem(ValueError("EOF inside string"))
_IN_LINE = re.compile(r"(?<=\bin line )\d+")  # the line csv_problem's text names


# --------------------------------------------------------------------------------- errors
def hidden_error(exc: BaseException) -> WuxianError:
    """The WuxianError shown for an exception that is not one: its type, never its message
    (a parser's or pyarrow's message may quote a cell, e.g. an ID number).

    >>> str(hidden_error(ValueError("could not convert '110101199003071234'")))
    'the dask computation failed (ValueError; its message is not shown as it may quote the data)'
    """
    kind = type(exc).__name__
    if isinstance(exc, MemoryError) or kind == "KilledWorker":
        return WuxianError(f"a dask worker ran out of memory or died ({kind}); use more "
                           "--workers on a larger machine, or --engine stream")
    return WuxianError(f"the dask computation failed ({kind}; its message is not shown as it "
                       "may quote the data)")


def _compute(*collections):
    """``dask.compute`` whose non-wuxian exceptions become :func:`hidden_error`."""
    import dask

    try:
        return dask.compute(*collections)
    except WuxianError:
        raise
    except Exception as exc:  # noqa: BLE001 - raised below, outside this handler
        error = hidden_error(exc)
    raise error


def _worker_call(offset: int, func, *args):
    """`func(*args)` in a worker: wuxian errors with whole-frame row numbers, others hidden."""
    try:
        return func(*args)
    except WuxianError as exc:
        reraise_shifted(exc, offset)
    except Exception as exc:  # noqa: BLE001 - raised below, outside this handler
        error = hidden_error(exc)
    raise error


# --------------------------------------------------------------------------------- cluster
def local_cluster(n_workers: int = 2, processes: bool = True, **kwargs):
    """A ``distributed.LocalCluster`` of `n_workers` single-threaded worker processes,
    without dashboard and silent: distributed logs a failed task with its arguments and
    traceback (which may quote the data), so nothing below CRITICAL is logged by the
    cluster. InputError unless `n_workers` is a whole number >= 1 (0 workers wait forever).
    `kwargs` go to ``LocalCluster``.

    >>> local_cluster(0)
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: workers: 0 is not a whole number of at least 1
    """
    import logging

    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) \
            or n_workers < 1:
        raise InputError(f"workers: {n_workers!r} is not a whole number of at least 1")
    try:
        from distributed import LocalCluster
    except ImportError:
        raise InputError("--engine dask needs dask: pip install 'dask[dataframe,distributed]'") \
            from None
    # No dashboard; the scheduler's HTTP server (health, metrics) on a free local port, not
    # 8787 (another cluster's port gives a warning on stderr).
    options = dict(n_workers=int(n_workers), threads_per_worker=1, processes=processes,
                   dashboard_address=None, silence_logs=logging.CRITICAL,
                   scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    return LocalCluster(**{**options, **kwargs})


# --------------------------------------------------------------------------------- engine
def _column(columns, name):
    by_name = {v: k for k, v in canonical_columns(columns).items()}
    if name not in by_name:
        raise InputError(f"missing required column: {name}")
    return by_name[name]


def partition_offsets(ddf) -> list:
    """0-based row number of each partition's first row in the whole frame."""
    (lengths,) = _compute(ddf.map_partitions(len))
    return [0] + np.cumsum(list(lengths))[:-1].tolist()


def _keys(part, emp, offset):
    cohort = validate_payroll(part)
    return pd.DataFrame({"employee_id": employee_keys(part[emp]), "month": cohort.month,
                         "wage": cohort.wage, "pay": total_pay(cohort),
                         "row": np.arange(offset, offset + len(part), dtype=np.int64)})


def _keys_partition(part, emp, offsets, partition_info=None):
    offset = offsets[partition_info["number"]] if partition_info else 0
    return _worker_call(offset, _keys, part, emp, offset)


def _aggregate(part):
    """Per (employee, year) wage sum and count, summed in row order; duplicates are errors."""
    part = part.sort_values("row", kind="stable")
    code = pd.factorize(part["employee_id"])[0].astype(np.int64)
    month = part["month"].to_numpy(dtype=np.int64)
    if len(part):
        pair = code * (int(month.max()) + 1) + month
        dup = pd.Series(pair).duplicated(keep=False).to_numpy()
        if dup.any():
            raise InputError("employee_id + month: duplicate pair in "
                             + format_rows(np.sort(part["row"].to_numpy()[dup])))
    year = month // 12
    slot, uniques = pd.factorize(code * 10_000 + year)
    sums = np.bincount(slot, weights=part["pay"].to_numpy(), minlength=len(uniques))
    counts = np.bincount(slot, minlength=len(uniques))
    first = np.zeros(len(uniques), dtype=np.int64)
    first[slot[::-1]] = np.arange(len(slot))[::-1]  # first row of each slot
    order = np.lexsort((month, code))  # each employee's first month, and its wage
    lead = order[np.r_[True, code[order][1:] != code[order][:-1]]] if len(code) else order
    first_wage = np.zeros(int(code.max()) + 1 if len(code) else 0)
    first_wage[code[lead]] = part["wage"].to_numpy()[lead]
    return pd.DataFrame({"employee_id": part["employee_id"].to_numpy()[first],
                         "year": year[first], "sum": sums, "count": counts,
                         "first_wage": first_wage[code[first]]})


def _aggregate_partition(part):
    return _worker_call(0, _aggregate, part)  # row numbers are already whole-frame ones


def history(ddf, offsets=None) -> History:
    """The :class:`~wuxian.stream.History` (prior-year means) of a whole dask frame.

    Raises InputError naming whole-frame rows for any invalid row or duplicate pair.
    """
    import dask

    emp = _column(ddf.columns, "employee_id")
    offsets = partition_offsets(ddf) if offsets is None else offsets
    meta = pd.DataFrame({"employee_id": np.zeros(0, dtype=object),
                         "month": np.zeros(0, np.int64), "wage": np.zeros(0),
                         "pay": np.zeros(0), "row": np.zeros(0, np.int64)})
    keys = ddf.map_partitions(_keys_partition, emp, offsets, meta=meta)
    # A task shuffle is faster than p2p for the few partitions of one machine (10M rows on 2
    # workers: 2.7 s against 4.0 s); p2p scales to many partitions. dask's config decides if set.
    method = dask.config.get("dataframe.shuffle.method", None) or (
        "tasks" if keys.npartitions <= 64 else None)
    keys = keys.shuffle("employee_id", shuffle_method=method)
    agg_meta = pd.DataFrame({"employee_id": meta["employee_id"], "year": np.zeros(0, np.int64),
                             "sum": np.zeros(0), "count": np.zeros(0, np.int64),
                             "first_wage": np.zeros(0)})
    (agg,) = _compute(keys.map_partitions(_aggregate_partition, meta=agg_meta))
    return History.from_aggregate(agg)


def _broadcast(obj):
    """One graph key for `obj` (scattered to every worker when a client is active)."""
    import dask

    try:
        from distributed import get_client

        return get_client().scatter(obj, broadcast=True, hash=False)
    except (ImportError, ValueError):
        return dask.delayed(obj)


def _compute_partition(part, command, base_method, hist, table, strict, offsets,
                       partition_info=None):
    offset = offsets[partition_info["number"]] if partition_info else 0
    return _worker_call(offset, compute_rows, part, command, base_method, hist, table, strict)


def _run(ddf, command, base_method, params, strict):
    check_base_method(base_method)
    table = params if params is not None else default_table()
    table.compile()
    offsets = partition_offsets(ddf)
    hist = history(ddf, offsets) if base_method != "current_month" else None
    head = ddf._meta_nonempty
    meta = compute_rows(head.iloc[:0], command, "current_month", None, table, strict) \
        if len(head.columns) else None
    return ddf.map_partitions(_compute_partition, command, base_method, _broadcast(hist),
                              _broadcast(table), strict, offsets, meta=meta)


def contributions(ddf, base_method: str = "prior_year_average", params=None):
    """:func:`wuxian.contributions` over a dask DataFrame (lazy result, same columns).

    The per-employee-year aggregate and the validation run eagerly (they raise at once);
    the returned frame is lazy. Equal, row for row, to the pandas result.
    """
    return _run(ddf, "contributions", base_method, params, False)


def gap(ddf, base_method: str = "prior_year_average", params=None, strict: bool = False):
    """:func:`wuxian.gap` over a dask DataFrame (lazy result, same columns)."""
    return _run(ddf, "gap", base_method, params, strict)


def _summary_partial(part, by):
    return _worker_call(0, summary_partial, part, by)


def gap_summary(gaps, by=("city", "year")) -> pd.DataFrame:
    """:func:`wuxian.gap_summary` of a dask :func:`gap` result (per-partition partial sums)."""
    import dask

    parts = _compute(*[dask.delayed(_summary_partial)(p, list(by)) for p in gaps.to_delayed()])
    return summary_combine(parts, by)


# --------------------------------------------------------------------------------- reading
def read(path, blocksize="64MB", numbers: bool = True):
    """A payroll file or folder as a dask DataFrame, read as :func:`wuxian.io.read_payroll`
    reads it: CSV (UTF-8 or GB18030/GBK) with every column as text, only empty cells
    missing; parquet (a file, or a folder of ``.parquet`` files in name order, as the
    streaming engine reads it) with integer and boolean columns holding blanks as pandas'
    nullable types, so an ID number keeps every digit. `numbers` parses the columns wuxian
    reads as numbers to float (:func:`wuxian.schema.with_numbers`); with False every CSV
    column stays text, as written (the CLI's choice). Other columns are never changed.

    Everything that can be checked without reading the whole file is checked here, before
    any cluster work (InputError): suffix, encoding, an empty file or header, a repeated
    header, the first megabyte of CSV rows, each parquet file's footer and columns. A CSV row
    that cannot be parsed later is an InputError naming its line when the partitions are
    computed. Partitions are about `blocksize` bytes (CSV split at line ends: a quoted cell
    holding a line break must not straddle two blocks; None reads each file as one
    partition, and ``--engine stream`` reads any CSV).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = p.write_text("工号,身份证号\\n007,\\n", encoding="gbk")
    >>> df = read(p).compute()
    >>> df["工号"].tolist(), df["身份证号"].isna().tolist()
    (['007'], [True])
    """
    from dask.utils import parse_bytes

    path = Path(path)
    size = (1 << 62 if blocksize is None else
            parse_bytes(blocksize) if isinstance(blocksize, str) else int(blocksize))
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.parquet") if p.is_file())
        if not files:
            raise InputError(f"{path}: no .parquet files in this folder")
        return _read_parquet(files, size, numbers)
    suffix = file_suffix(path, (".csv", ".parquet"), "dask engine input")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if suffix == ".parquet":
        return _read_parquet([path], size, numbers)
    return _read_csv(path, max(size, 1), numbers)


def _read_csv(path: Path, blocksize: int, numbers: bool):
    import dask.dataframe as dd

    encoding = csv_encoding(path)
    headers = csv_headers(path, encoding)
    with path.open("rb") as handle:
        header = handle.readline()  # the header line as bytes, prepended to later blocks
        head = header + handle.read(HEAD_BYTES)
    head = head[:head.rfind(b"\n") + 1] or head  # whole lines only
    try:
        one_line = next(csv.reader([header.decode(encoding)])) == headers
    except (UnicodeDecodeError, csv.Error):
        one_line = False
    blocks = _csv_blocks(path, len(header), blocksize) if one_line else [(0, path.stat().st_size)]
    options = dict(source=str(path), encoding=encoding, header=header, headers=headers,
                   numbers=numbers)
    try:  # errors in the first rows are raised here, before any cluster work
        meta = _parse_csv_block(head, 0, **options).iloc[:0]
    except InputError as exc:
        if len(head) >= path.stat().st_size or _UNCLOSED not in str(exc):
            raise
        meta = _parse_csv_block(header, 0, **options)  # a quoted cell cut by HEAD_BYTES
    return dd.from_map(_read_csv_block, blocks, meta=meta, label="wuxian-read-csv",
                       enforce_metadata=False, **options)


def _csv_blocks(path: Path, body: int, blocksize: int) -> list:
    """``(start, end)`` byte ranges of about `blocksize` bytes ending at line ends; the
    first starts at 0 (with the header line), the others hold data lines only."""
    total = path.stat().st_size
    starts = [0]
    with path.open("rb") as handle:
        pos = max(body, blocksize)
        while pos < total:
            handle.seek(pos - 1)
            handle.readline()  # to the start of the next line (pos itself if one starts there)
            pos = handle.tell()
            if pos >= total:
                break
            starts.append(pos)
            pos += blocksize
    return list(zip(starts, starts[1:] + [total]))


def _read_csv_block(block, source, encoding, header, headers, numbers):
    """One partition: the bytes `block` = ``(start, end)`` of the CSV file `source`."""
    start, end = block
    try:
        with open(source, "rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
    except OSError as exc:
        raise InputError(f"{Path(source).name}: cannot be read ({exc.strerror})") from None
    return _parse_csv_block(data if start == 0 else header + data, start, source, encoding,
                            header, headers, numbers)


def _parse_csv_block(data: bytes, start: int, source, encoding, header, headers,
                     numbers=False):
    """`data` (a header line, then the lines of the file from byte `start`) as text columns;
    errors name lines of the whole file and never a cell."""
    from io import BytesIO

    name = Path(source).name
    try:
        df = pd.read_csv(BytesIO(data), encoding=encoding, **csv_read_options())
    except UnicodeDecodeError:
        problem = "text encoding changes within the file; save the whole file as UTF-8"
        try:  # pandas' error holds a position in its own buffer: find the byte here
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            problem = (f"text encoding changes in line {_line_of(source, start, data, exc.start)}"
                       "; save the whole file as UTF-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problem = _block_problem(exc, source, start, data, header)
    except Exception as exc:  # noqa: BLE001 - raised below, outside this handler
        problem = None
        error = hidden_error(exc)
    else:
        if not isinstance(df.index, pd.RangeIndex) or len(df.columns) != len(headers):
            # pandas takes a first row longer than the header as index + data: never silently
            line = _lines_before(source, start) + 1 if start else 2
            problem = f"expected {len(headers)} fields in line {line}, saw more"
        else:
            df.columns = headers
            if not numbers:
                return df
            # rows before the block: its lines before, less the header (exact without blank
            # lines or line breaks in quoted cells); counted only for an error
            return _numbers(df, lambda: _lines_before(source, start) - 1 if start else 0)
    if problem is not None:
        error = InputError(f"{name}: not a readable CSV file ({problem})")
    raise error


def _numbers(df: pd.DataFrame, rows_before) -> pd.DataFrame:
    """:func:`wuxian.schema.with_numbers` of a partition; its errors name rows of the whole
    input (`rows_before()` rows precede the partition)."""
    hidden = None
    try:
        return with_numbers(df)
    except WuxianError as exc:
        failure = exc
    except Exception as exc:  # noqa: BLE001 - raised below, outside this handler
        hidden = hidden_error(exc)
    if hidden is not None:
        raise hidden
    reraise_shifted(failure, rows_before())


def _block_problem(exc, source, start, data, header) -> str:
    """:func:`wuxian.io.csv_problem` of a block's parser error, its line that of the file."""
    problem = csv_problem(exc)
    if _IN_LINE.search(problem):
        before = _lines_before(source, start) - (1 if start else 0)  # minus the added header
        return _IN_LINE.sub(lambda m: str(int(m.group()) + before), problem, count=1)
    if problem == _NEVER_CLOSED and start + len(data) - (len(header) if start else 0) \
            < Path(source).stat().st_size:
        line = _lines_before(source, start) + 1
        return (f"a quoted field opened in the block from line {line} {_UNCLOSED}: "
                "a cell holding a line break cannot be split by the dask engine; use "
                "--engine stream")
    return problem


def _lines_before(source, start: int) -> int:
    """Line ends in the file `source` before byte `start` (read in 16 MB pieces)."""
    count, left = 0, start
    with open(source, "rb") as handle:
        while left > 0:
            piece = handle.read(min(left, 1 << 24))
            if not piece:
                break
            count += piece.count(b"\n")
            left -= len(piece)
    return count


def _line_of(source, start: int, data: bytes, position: int) -> int:
    """1-based line of the file holding byte `position` of a block's `data`."""
    header = 0
    if start:  # data begins with the header line added before the block
        header = data.find(b"\n") + 1
        if position < header:
            return 1
    return _lines_before(source, start) + data.count(b"\n", header, position) + 1


def _read_parquet(files: list, blocksize: int, numbers: bool):
    """Partitions of row groups (about `blocksize` bytes) of parquet `files`, typed as
    :func:`wuxian.io.arrow_to_pandas` types the whole input."""
    import dask.dataframe as dd
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema, pieces, nullable, rows = None, [], set(), 0
    for file in files:
        try:
            meta = pq.ParquetFile(file).metadata
            arrow = meta.schema.to_arrow_schema()
        except (OSError, pa.ArrowException):
            raise InputError(f"{file.name}: not a readable .parquet file (corrupt or truncated)") \
                from None
        check_headers(arrow.names, file.name)
        if schema is None:
            schema = arrow
        elif arrow.names != schema.names:
            raise InputError(f"{file.name}: its columns differ from those of {files[0].name}")
        nullable |= _nullable_columns(meta, schema)
        group, size, first = [], 0, rows
        for i in range(meta.num_row_groups):
            group.append(i)
            size += meta.row_group(i).total_byte_size
            rows += meta.row_group(i).num_rows
            if size >= blocksize:
                pieces.append((str(file), tuple(group), first))
                group, size, first = [], 0, rows
        if group or not meta.num_row_groups:
            pieces.append((str(file), tuple(group), first))
    types = {name: _nullable_type(schema.field(name).type) for name in sorted(nullable)}
    meta = _typed(arrow_to_pandas(schema.empty_table()), types)
    if numbers:
        meta = with_numbers(meta)
    return dd.from_map(_read_parquet_piece, pieces, meta=meta, label="wuxian-read-parquet",
                       enforce_metadata=False, schema=schema, types=types, numbers=numbers)


def _nullable_columns(meta, schema) -> set:
    """Integer and boolean columns with a blank in some row group (or no null count)."""
    import pyarrow as pa

    wanted = {f.name for f in schema if pa.types.is_integer(f.type) or pa.types.is_boolean(f.type)}
    found = set()
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        for j in range(group.num_columns):
            column = group.column(j)
            name = column.path_in_schema
            if name in wanted:
                stats = column.statistics
                if stats is None or not stats.has_null_count or stats.null_count:
                    found.add(name)
    return found


def _nullable_type(arrow_type):
    import pyarrow as pa

    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    name = np.dtype(arrow_type.to_pandas_dtype()).name  # int64 -> Int64, uint8 -> UInt8
    return pd.api.types.pandas_dtype(name.replace("uint", "UInt").replace("int", "Int"))


def _typed(df: pd.DataFrame, types: dict) -> pd.DataFrame:
    for name, dtype in types.items():
        if df[name].dtype != dtype:
            df[name] = df[name].astype(dtype)
    return df


def _read_parquet_piece(piece, schema, types, numbers):
    """One partition: row groups `piece` = ``(file, groups, rows before)``, typed as the
    whole input is."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    file, groups, first = piece
    try:
        table = pq.ParquetFile(file).read_row_groups(list(groups)) if groups \
            else schema.empty_table()
        if not table.schema.equals(schema):
            table = table.select(schema.names).cast(schema)
    except (OSError, pa.ArrowException, ValueError, TypeError):
        raise InputError(f"{Path(file).name}: not a readable .parquet file (corrupt, truncated, "
                         "or its column types differ from the first file's)") from None
    df = _worker_call(first, lambda: _typed(arrow_to_pandas(table), types))
    return _numbers(df, lambda: first) if numbers else df


# ------------------------------------------------------------------ files (--engine dask)
def run_file(src, out, command: str = "contributions", base_method: str = "prior_year_average",
             table=None, by=None, strict: bool = False, scheduler: str | None = None,
             workers: int = 2, inputs=(), escape: bool = True) -> int:
    """`command` on the payroll file `src` with Dask into `out` (``--engine dask``): a quiet
    LocalCluster of `workers` (or the cluster at `scheduler`); a parquet `out` is a
    partitioned folder, a CSV/XLSX one is written partition by partition in order, `by` gives
    the gap summary. Returns the rows written."""
    import dask
    from distributed import Client

    from . import io

    src = Path(src)
    if not src.exists():
        raise InputError(f"{src}: no such file")
    with dask.config.set({"dataframe.convert-string": False}):
        # the file is checked (encoding, header, first rows) before any cluster starts; all
        # columns stay as written, as --engine memory reads them
        ddf = read(src, numbers=False)
        if scheduler:
            cluster, client = None, Client(scheduler)
        else:
            cluster = local_cluster(workers)  # quiet: worker logs quote data
            client = Client(cluster)
        try:
            if command == "gap":
                result = gap(ddf, base_method=base_method, params=table, strict=strict)
            else:
                result = contributions(ddf, base_method=base_method, params=table)
            if by:
                frame = gap_summary(result, by)
                io.write_table(frame, out, [src, *inputs], escape)
                return len(frame)
            if Path(out).suffix.lower() == ".parquet":
                return write_parquet_dataset(result, Path(out))
            return write_in_order(client, result, out, window=2 * max(1, workers),
                                  inputs=[src, *inputs], escape=escape)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def write_in_order(client, result, out, window: int, inputs=(), escape=True) -> int:
    """Compute partitions in parallel (at most `window` in flight) and append them in order."""
    from collections import deque

    from .io import AtomicWriter

    def result_of(future):
        try:
            return future.result()
        except WuxianError:
            raise
        except Exception as exc:  # noqa: BLE001 - a worker's message may quote the data
            error = hidden_error(exc)
        raise error

    parts = iter(result.to_delayed())
    pending: deque = deque()
    rows = 0
    with AtomicWriter(out, inputs, escape) as writer:
        for part in parts:
            pending.append(client.compute(part))
            if len(pending) >= window:
                frame = result_of(pending.popleft())
                writer.write(frame)
                rows += len(frame)
        while pending:
            frame = result_of(pending.popleft())
            writer.write(frame)
            rows += len(frame)
    return rows


def write_parquet_dataset(result, out: Path) -> int:
    """A partitioned parquet folder at `out`, written beside it and renamed when complete."""
    import os
    import shutil

    from . import io

    io.remove_stale_temps(out)
    tmp = io.temp_path(out, directory=True)
    try:
        result.to_parquet(str(tmp), write_index=False)
        rows = sum(pq_rows(f) for f in tmp.glob("*.parquet"))
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        return rows
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def pq_rows(path) -> int:
    """Rows of a parquet file, from its metadata."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows
