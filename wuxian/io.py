"""Read payroll files and write result tables (CSV, Excel, parquet), losing nothing.

:func:`read_payroll` keeps the user's data as given. Every CSV column is read as text (a
code ``0012345`` stays ``0012345``, an ID number with a blank cell stays digit for digit);
only empty cells become missing (``"NA"`` stays ``"NA"``). Excel and parquet cells keep the
types the file gives them (parquet integers with blanks stay integers). The columns wuxian
reads as numbers (wage, bases, rates) are parsed by :mod:`wuxian.schema`, which names bad
rows; ``numbers=False`` leaves them as written too (the CLI's choice). A
duplicated header or a workbook with several data sheets is an error, never a silent choice.

:class:`AtomicWriter` / :func:`write_table` write to a hidden temporary file beside the
output (its name carries the writing process's id) and rename it over the output only once
it is complete; an error, Ctrl-C or SIGTERM removes it, and temporary files left by a killed
run are removed by the next run writing there. Text cells that a spreadsheet would run as
a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, and not a plain
number) are written with a leading ``'`` to CSV and ``.xlsx`` (OWASP, "CSV Injection");
``escape_formulas=False`` turns that off. No error message carries a cell value.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> df = pd.DataFrame({"employee_id": ["007"], "month": ["2025-07"], "wage": [1.5]})
>>> write_table(df, folder / "t.csv")
>>> read_payroll(folder / "t.csv")[["employee_id", "wage"]].values.tolist()
[['007', 1.5]]
>>> read_payroll(folder / "t.csv", numbers=False)["wage"].tolist()
['1.5']
"""

import csv
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

READ_SUFFIXES = (".csv", ".xlsx", ".parquet")
WRITE_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: CSV encodings tried in order: UTF-8 with or without BOM, then the Chinese GB18030 superset of
#: GBK (what Excel on a Chinese Windows saves as "CSV").
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
#: Data rows an .xlsx sheet can hold (Excel's limit of 1,048,576 rows, less the header).
XLSX_MAX_ROWS = 1_048_575
#: A text cell starting with one of these is run as a formula by spreadsheets (OWASP).
_FORMULA = re.compile(r"^[=+\-@\t\r]")
#: ... unless it is a plain number such as ``-5`` or ``+1.5e3``.
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def file_suffix(path: Path, allowed: tuple, what: str) -> str:
    """The lower-case suffix of `path`; InputError if it is not one of `allowed`.

    >>> file_suffix(Path("Payroll.CSV"), (".csv", ".xlsx"), "input")
    '.csv'
    """
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError(f"{path.name}: unknown {what} file type {suffix or '(none)'!r}; "
                         f"expected {', '.join(allowed)}")
    return suffix


# --------------------------------------------------------------------------------- reading
def csv_encoding(path) -> str:
    """The first of :data:`CSV_ENCODINGS` that decodes the file's first megabyte.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.csv"
    >>> _ = p.write_bytes("城市\\n北京\\n".encode("gbk"))
    >>> csv_encoding(p)
    'gb18030'
    """
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        raise InputError(f"{path.name}: UTF-16 text (or binary data); save it as UTF-8 CSV")
    for encoding in CSV_ENCODINGS:
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut by the 1 MB window
                return encoding
    raise InputError(f"{path.name}: text encoding not recognised; save it as UTF-8")


def check_headers(headers, where: str) -> list:
    """`headers` as a list; InputError naming any header given twice or left empty.

    >>> check_headers(["wage", " wage"], "p.csv")
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: p.csv: header 'wage' given twice (columns 1 and 2); rename one
    """
    headers = list(headers)
    seen: dict = {}
    for i, h in enumerate(headers, 1):
        key = str(h).strip()
        if key == "" or key.lower().startswith("unnamed:"):
            raise InputError(f"{where}: column {i} has no header")
        if key in seen:
            raise InputError(f"{where}: header {key!r} given twice (columns {seen[key]} and {i}); "
                             "rename one")
        seen[key] = i
    return headers


def csv_headers(path, encoding: str) -> list:
    """The header row of a CSV file as written (pandas would rename a repeated ``wage`` to
    ``wage.1``); InputError for an empty file or a repeated header."""
    path = Path(path)
    with path.open(encoding=encoding, newline="") as handle:
        try:
            row = next(csv.reader(handle), None)
        except csv.Error:
            raise InputError(f"{path.name}: the header line is not valid CSV") from None
    if not row or not any(c.strip() for c in row):
        raise InputError(f"{path.name}: empty file (no header line)")
    return check_headers(row, path.name)


def csv_read_options(headers=None) -> dict:
    """``pd.read_csv`` options for a payroll file: every column as text (``"007"`` stays
    ``"007"``; numbers are parsed by :mod:`wuxian.schema`), only an empty cell is missing
    ("NA" is a value).

    >>> csv_read_options()["dtype"], csv_read_options()["na_values"]
    (<class 'str'>, [''])
    """
    return {"dtype": str, "keep_default_na": False, "na_values": [""]}


def _read_csv(path: Path) -> pd.DataFrame:
    encoding = csv_encoding(path)
    headers = csv_headers(path, encoding)
    try:
        df = pd.read_csv(path, encoding=encoding, **csv_read_options())
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: text encoding changes within the file; "
                         "save it as UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path.name}: not a readable CSV file ({csv_problem(exc)})") from None
    check_fields(df, headers, path.name)
    df.columns = headers
    return df


def check_fields(df: pd.DataFrame, headers, where: str) -> None:
    """InputError if pandas made index columns of rows longer than the header (it does so
    silently when the first data row has more fields, shifting every column)."""
    if not isinstance(df.index, pd.RangeIndex):
        raise InputError(f"{where}: not a readable CSV file (a data row has more than the "
                         f"{len(headers)} fields of the header)")


def csv_problem(exc: Exception) -> str:
    """The place a pandas CSV parser error names (line and field counts), never the text.

    >>> csv_problem(ValueError("Error tokenizing data. C error: Expected 3 fields in line 4, saw 5"))
    'expected 3 fields in line 4, saw 5'
    """
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if m:
        return f"expected {m.group(1)} fields in line {m.group(2)}, saw {m.group(3)}"
    if "EOF" in str(exc):
        return "a quoted field is never closed"
    return "malformed rows"


def _excel_sheet(path: Path, sheet) -> str | int:
    """The sheet to read: `sheet` when given, else the only sheet holding data."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = book.sheetnames
        if sheet is not None:
            if str(sheet) in names:
                return str(sheet)
            raise InputError(f"{path.name}: no sheet {sheet!r}; sheets are {', '.join(names)}")
        full = [n for n in names if any(v is not None for v in next(
            book[n].iter_rows(max_row=1, values_only=True), ()))]
    finally:
        book.close()
    if len(full) > 1:
        raise InputError(f"{path.name}: {len(full)} sheets hold data ({', '.join(full)}); "
                         "choose one with --sheet NAME (sheet= in Python)")
    return full[0] if full else names[0]


def _read_excel(path: Path, sheet=None) -> pd.DataFrame:
    from .schema import canonical_columns

    name = _excel_sheet(path, sheet)
    headers = check_headers(_excel_header(path, name), path.name)
    names = canonical_columns(headers)
    # Cells keep their Excel types (object: an integer ID stays an integer, blanks stay blank);
    # key columns are text, except month, whose date cells are valid months.
    text = {h for h, n in names.items() if n in ("employee_id", "city", "category", "employer_id")}
    dtype = {h: (str if h in text else object) for h in headers}
    df = pd.read_excel(path, sheet_name=name, dtype=dtype, keep_default_na=False,
                       na_values=[""])
    df.columns = headers
    return df


def _excel_header(path: Path, sheet) -> list:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        row = next(book[sheet].iter_rows(max_row=1, values_only=True), ())
    finally:
        book.close()
    while row and row[-1] is None:  # trailing empty cells are no columns
        row = row[:-1]
    if not row:
        raise InputError(f"{path.name}: sheet {sheet!r} is empty (no header row)")
    return ["" if v is None else str(v) for v in row]


def arrow_to_pandas(table) -> pd.DataFrame:
    """A pyarrow table as pandas with nothing lost: integer and boolean columns with blanks
    become pandas' nullable ``Int64``/``boolean`` (not float, which loses digits past 2**53).

    >>> import pyarrow as pa
    >>> arrow_to_pandas(pa.table({"id": [110101199003071234, None]}))["id"].tolist()
    [110101199003071234, <NA>]
    """
    import pyarrow as pa

    mapping = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(),
               pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
               pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
               pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(),
               pa.bool_(): pd.BooleanDtype()}
    nullable = {f.name for f in table.schema if f.type in mapping and table[f.name].null_count}
    check_headers(table.column_names, "parquet file")
    df = table.to_pandas(types_mapper=None)
    for name in nullable:
        df[name] = table[name].to_pandas(types_mapper=mapping.get)
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        raise InputError(f"{path.name}: not a readable .parquet file (corrupt or truncated)") \
            from None
    return arrow_to_pandas(table)


def read_payroll(path, sheet=None, numbers: bool = True) -> pd.DataFrame:
    """Read a payroll file (``.csv``, ``.xlsx`` or ``.parquet``) into a DataFrame.

    Parameters
    ----------
    path : str or Path
        The input file. CSV may be UTF-8 (with or without BOM) or GB18030/GBK.
    sheet : str, optional
        The workbook sheet to read (``.xlsx``); needed when several sheets hold data.
    numbers : bool, default True
        Parse the columns wuxian reads as numbers (wage, bases, rates: see
        :func:`wuxian.schema.with_numbers`) to float, for analysis in pandas. With False every
        CSV column stays text, so that writing the frame back reproduces each cell as written
        (``12000.50`` stays ``12000.50``); the CLI reads so.

    Returns
    -------
    DataFrame
        The file's other columns unchanged: CSV cells as text, Excel and parquet cells as
        typed in the file; empty cells as missing.

    Raises
    ------
    InputError
        Unknown suffix, missing file, a file that cannot be parsed, a repeated or empty
        header, several data sheets and no `sheet`.

    Examples
    --------
    >>> read_payroll("payroll.txt")
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: payroll.txt: unknown input file type '.txt'; expected .csv, .xlsx, .parquet
    """
    path = Path(path)
    suffix = file_suffix(path, READ_SUFFIXES, "input")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if suffix == ".csv":
        df = _read_csv(path)
    elif suffix == ".parquet":
        df = _read_parquet(path)
    else:
        try:
            df = _read_excel(path, sheet)
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - openpyxl's messages may quote cells
            raise InputError(f"{path.name}: not a readable .xlsx workbook") from None
    if numbers:
        from .schema import with_numbers

        df = with_numbers(df)
    return df


# --------------------------------------------------------------------------------- writing
def same_file(a, b) -> bool:
    """True if paths `a` and `b` name one file (same resolved path, or same device and inode:
    a hard link or a symlink).

    >>> same_file("x.csv", "./x.csv")
    True
    """
    a, b = Path(a), Path(b)
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(path, inputs=()) -> Path:
    """Check that `path` has a writable table suffix and is none of `inputs` (call before
    any computing): an output never overwrites an input.

    >>> check_output_path("out.txt")
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: out.txt: unknown output file type '.txt'; expected .csv, .xlsx, .parquet
    >>> check_output_path("pay.csv", inputs=["./pay.csv"])
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: pay.csv: the output would overwrite an input file; choose another --out
    """
    path = Path(path)
    file_suffix(path, WRITE_SUFFIXES, "output")
    for given in inputs:
        if given is None:
            continue
        given = Path(given)
        if same_file(path, given) or (given.is_dir() and Path(path).resolve().is_relative_to(
                given.resolve())):
            raise InputError(f"{path.name}: the output would overwrite an input file; "
                             "choose another --out")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: output folder does not exist")
    return path


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with a ``'`` before every text cell a spreadsheet would run as a formula (OWASP
    "CSV Injection": a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR), except plain
    numbers such as ``-5``. Numeric and boolean columns are untouched; `df` is not changed.

    >>> escape_formulas(pd.DataFrame({"a": ["=1+1", "-5", "-x", "ok"]}))["a"].tolist()
    ["'=1+1", '-5', "'-x", 'ok']
    """
    out = None
    for name in df.columns[[t == object or pd.api.types.is_string_dtype(t) for t in df.dtypes]]:
        col = df[name]
        text = col.where(col.map(type, na_action="ignore") == str) if col.dtype == object \
            else col
        risky = text.str.match(_FORMULA).fillna(False) & ~text.str.match(_NUMBER).fillna(False)
        if risky.any():
            out = df.copy(deep=False) if out is None else out
            fixed = col.astype(object).copy()
            fixed[risky.to_numpy()] = "'" + text[risky]
            out[name] = fixed.astype(col.dtype) if col.dtype != object else fixed
    return df if out is None else out


def _arrow_schema(df: pd.DataFrame):
    """The parquet schema of the first chunk; an all-blank text column is text, not null."""
    import pyarrow as pa

    schema = pa.Schema.from_pandas(df, preserve_index=False)
    for i, field in enumerate(schema):
        if pa.types.is_null(field.type):
            schema = schema.set(i, pa.field(field.name, pa.large_string()))
    return schema


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temps(path) -> int:
    """Delete temporary files a killed run left beside `path` (their writer process is gone);
    return how many. A temporary of a live process is left alone.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".out.csv.999999999.x.tmp").write_text("partial")
    >>> remove_stale_temps(d / "out.csv"), sorted(p.name for p in d.iterdir())
    (1, [])
    """
    path = Path(path)
    removed = 0
    for tmp in path.parent.glob(_temp_prefix(path) + "*.tmp"):
        pid = tmp.name[len(_temp_prefix(path)):].split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            try:
                os.unlink(tmp) if tmp.is_file() else __import__("shutil").rmtree(tmp)
                removed += 1
            except OSError:
                pass
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2 ** 22  # another user's process (or an impossible id)
    return True


def temp_path(path, directory: bool = False) -> Path:
    """A new hidden temporary file (or folder) beside `path`, named with this process's id
    so that :func:`remove_stale_temps` can tell a killed run's leftovers."""
    path = Path(path)
    prefix = f"{_temp_prefix(path)}{os.getpid()}."
    if directory:
        return Path(tempfile.mkdtemp(dir=path.parent, prefix=prefix, suffix=".tmp"))
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    os.close(fd)
    return Path(name)


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class AtomicWriter:
    """Append frames to a temporary file beside `path`; :meth:`commit` renames it over `path`.

    Used as a context manager: leaving the block by an exception (a full disk, Ctrl-C, a
    SIGTERM turned into an exception by the CLI) removes the temporary file and leaves `path`
    untouched. CSV is UTF-8; parquet keeps the first chunk's column types for every chunk
    (a later chunk that cannot be stored so is an InputError naming the column); ``.xlsx``
    holds one sheet of at most :data:`XLSX_MAX_ROWS` rows (XML stores a carriage return in
    a cell as a line feed: the one change a text cell can undergo in ``.xlsx``).

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "o.csv"
    >>> with AtomicWriter(out) as w:
    ...     w.write(pd.DataFrame({"a": ["=x"]}))
    >>> out.read_text()
    "a\\n'=x\\n"
    """

    def __init__(self, path, inputs=(), escape: bool = True):
        self.path = check_output_path(path, inputs)
        self.kind = self.path.suffix.lower()
        self.escape = escape and self.kind != ".parquet"
        remove_stale_temps(self.path)
        self.tmp = temp_path(self.path)
        self.handle = open(self.tmp, "wb")  # noqa: SIM115 - closed in commit/abort
        self.writer = None
        self.rows = 0

    def write(self, df: pd.DataFrame) -> None:
        if self.escape:
            df = escape_formulas(df)
        if self.kind == ".parquet":
            self._write_parquet(df)
        elif self.kind == ".xlsx":
            self._write_xlsx(df)
        else:
            df.to_csv(self.handle, index=False, header=self.rows == 0, encoding="utf-8",
                      quoting=csv.QUOTE_ALL if _has_carriage_return(df) else csv.QUOTE_MINIMAL)
        self.rows += len(df)

    def _write_parquet(self, df: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            self.schema = _arrow_schema(df)
        try:
            table = pa.Table.from_pandas(df, schema=self.schema, preserve_index=False)
        except (pa.ArrowException, ValueError, TypeError, OverflowError):
            raise InputError(self._type_problem(df)) from None
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.handle, table.schema)
        self.writer.write_table(table)

    def _type_problem(self, df: pd.DataFrame) -> str:
        """Name the column whose values parquet cannot store as typed (never a value)."""
        import pyarrow as pa

        for field in self.schema:
            try:
                pa.array(df[field.name], type=field.type, from_pandas=True)
            except (pa.ArrowException, ValueError, TypeError, OverflowError, KeyError):
                where = (f"rows {self.rows + 1}..{self.rows + len(df)}" if self.rows
                         else "the first rows")
                return (f"{self.path.name}: column {field.name!r} cannot be written to parquet "
                        f"as {field.type} in {where} (mixed or changing types); write CSV "
                        "instead, or give the column one type")
        return f"{self.path.name}: the rows cannot be written to parquet; write CSV instead"

    def _write_xlsx(self, df: pd.DataFrame) -> None:
        if self.writer is None:
            import openpyxl

            self.writer = openpyxl.Workbook(write_only=True)
            self.sheet = self.writer.create_sheet("wuxian")
            self.sheet.append([str(c) for c in df.columns])
        if self.rows + len(df) > XLSX_MAX_ROWS:
            raise InputError(f"{self.path.name}: more than {XLSX_MAX_ROWS:,} rows do not fit "
                             "in one Excel sheet; write CSV or parquet")
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.utils.exceptions import IllegalCharacterError

        try:
            for row in df.astype(object).where(df.notna(), None).itertuples(index=False):
                self.sheet.append([_xlsx_cell(v) for v in row])
        except IllegalCharacterError:
            bad = [str(c) for c in df.columns if df[c].dtype == object or
                   pd.api.types.is_string_dtype(df[c])
                   if df[c].astype("string").str.contains(ILLEGAL_CHARACTERS_RE.pattern)
                   .fillna(False).any()]
            raise InputError(f"{self.path.name}: column {', '.join(bad) or '?'} holds control "
                             "characters an Excel sheet cannot store; write CSV or parquet") \
                from None

    def commit(self) -> None:
        if self.kind == ".parquet":
            if self.writer is None:
                raise InputError(f"{self.path.name}: no rows to write")
            self.writer.close()
        elif self.kind == ".xlsx":
            if self.writer is None:
                raise InputError(f"{self.path.name}: no rows to write")
            self.writer.save(self.handle)
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.chmod(self.tmp, 0o666 & ~current_umask())
        os.replace(self.tmp, self.path)

    def _xlsx_cleanup(self) -> None:
        """Finish openpyxl's sheet stream and delete its own temporary file (it writes each
        sheet to a file in the system temp folder first); otherwise a failed stream prints
        an 'Exception ignored' traceback when collected, and the file stays."""
        writer = getattr(getattr(self, "sheet", None), "_writer", None)
        if writer is None:
            return
        try:
            writer.close()
        except Exception:  # noqa: BLE001 - the stream failed already (a full disk)
            pass
        try:
            writer.cleanup()
        except (OSError, ValueError):
            pass

    def abort(self) -> None:
        """Remove the temporary file; never raises (a full disk may fail every close)."""
        if self.kind == ".xlsx":
            self._xlsx_cleanup()
        for close in (getattr(self.writer, "close", None), self.handle.close):
            try:
                if close is not None:
                    close()
            except Exception:  # noqa: BLE001 - the file is deleted anyway
                pass
        try:
            _unlink(self.tmp)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is None:
            try:
                self.commit()
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()
        return False


def _has_carriage_return(df: pd.DataFrame) -> bool:
    """True if a text cell holds a bare carriage return: pandas quotes fields holding a line
    feed but not a carriage return, which CSV readers take as a line end, so such chunks are
    written fully quoted.

    >>> _has_carriage_return(pd.DataFrame({"a": ["x", "y" + chr(13) + "z"]}))
    True
    """
    for name in df.columns[[t == object or pd.api.types.is_string_dtype(t) for t in df.dtypes]]:
        col = df[name]
        if col.dtype == object:
            col = col.where(col.map(type, na_action="ignore") == str).astype("string")
        if col.str.contains("\r", regex=False).fillna(False).any():
            return True
    return False


def _xlsx_cell(v):
    """A value openpyxl can store; text is never read back as a formula by openpyxl's writer
    because :func:`escape_formulas` ran first (or the user turned escaping off)."""
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, (pd.Period,)):
        return str(v)
    return v


def write_table(df: pd.DataFrame, path, inputs=(), escape: bool = True) -> None:
    """Write `df` to ``.csv`` (UTF-8, no index), ``.xlsx`` or ``.parquet``, atomically.

    The data go to a temporary file in the same folder, renamed over `path` with
    :func:`os.replace` only when complete; on any error the temporary file is removed and an
    existing `path` is left untouched. `path` may not be one of `inputs`. With `escape`
    (default), text cells a spreadsheet would run as formulas get a leading ``'`` in CSV and
    ``.xlsx`` (:func:`escape_formulas`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.parquet"
    >>> write_table(pd.DataFrame({"a": [1, 2]}), out)
    >>> pd.read_parquet(out)["a"].sum()
    np.int64(3)
    """
    with AtomicWriter(path, inputs, escape) as writer:
        writer.write(df)


def write_text(path, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically, leaving no temporary file on any error.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "README.md"
    >>> write_text(p, "hello")
    >>> p.read_text()
    'hello'
    """
    path = Path(path)
    remove_stale_temps(path)
    tmp = temp_path(path)
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            _unlink(tmp)
        except OSError:
            pass
        raise


def current_umask() -> int:
    """The process's file-creation mask (read without changing it), so a file written to a
    temporary name and renamed gets the same permissions as one opened directly."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
