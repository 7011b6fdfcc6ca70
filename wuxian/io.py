"""Read payroll files and write result tables (CSV, Excel, parquet).

:func:`read_payroll` keeps the user's data as given: key columns (``employee_id``, ``month``,
``city``, ``category`` and their Chinese headers) are read as text, only empty cells become
missing (``"NA"`` stays ``"NA"``), nothing is renamed or converted. :func:`write_table` is
atomic: the output file appears only once it is complete.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> df = pd.DataFrame({"employee_id": ["007"], "month": ["2025-07"], "wage": [1.5]})
>>> write_table(df, folder / "t.csv")
>>> read_payroll(folder / "t.csv")["employee_id"].tolist()
['007']
"""

import os
import tempfile
from pathlib import Path

import pandas as pd

from .errors import InputError
from .schema import ALIASES

READ_SUFFIXES = (".csv", ".xlsx", ".parquet")
WRITE_SUFFIXES = (".csv", ".parquet")
#: Columns always read as text (with their Chinese aliases).
TEXT_FIELDS = ("employee_id", "month", "city", "category", "employer_id")
#: CSV encodings tried in order: UTF-8 with or without BOM, then the Chinese GB18030 superset of
#: GBK (what Excel on a Chinese Windows saves as "CSV").
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


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


def text_headers(headers, fields=TEXT_FIELDS) -> list:
    """The headers among `headers` that name a text field (English or Chinese).

    >>> text_headers(["工号", "Month", "wage"])
    ['工号', 'Month']
    """
    names = {a.lower() for f in fields for a in ALIASES[f]}
    return [h for h in headers if str(h).strip().lower() in names]


def csv_read_options(headers) -> dict:
    """``pd.read_csv`` options for a payroll file with these `headers`: key columns as text
    (``"007"`` stays ``"007"``), and only an empty cell is missing ("NA" is a value).

    >>> csv_read_options(["工号", "wage"])["dtype"]
    {'工号': <class 'str'>}
    """
    return {"dtype": {h: str for h in text_headers(headers)}, "keep_default_na": False,
            "na_values": {h: [""] for h in headers}}


def _read_csv(path: Path) -> pd.DataFrame:
    for encoding in CSV_ENCODINGS:
        try:
            headers = pd.read_csv(path, nrows=0, encoding=encoding).columns
            return pd.read_csv(path, encoding=encoding, **csv_read_options(headers))
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{path.name}: not a readable CSV file ({exc})") from None
    raise InputError(f"{path.name}: text encoding not recognised; save it as UTF-8")


def read_payroll(path) -> pd.DataFrame:
    """Read a payroll file (``.csv``, ``.xlsx`` or ``.parquet``) into a DataFrame.

    Parameters
    ----------
    path : str or Path
        The input file. CSV may be UTF-8 (with or without BOM) or GB18030/GBK.

    Returns
    -------
    DataFrame
        The file's columns unchanged; key columns as text, empty cells as missing.

    Raises
    ------
    InputError
        Unknown suffix, missing file, or a file that cannot be parsed.

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
        return _read_csv(path)
    try:
        if suffix == ".xlsx":
            headers = pd.read_excel(path, nrows=0).columns
            # month stays as Excel gives it: a date cell arrives as a datetime, which is valid.
            text = text_headers(headers, tuple(f for f in TEXT_FIELDS if f != "month"))
            return pd.read_excel(path, dtype={h: str for h in text})
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name}: cannot read {suffix} file ({exc})") from None


def check_output_path(path) -> Path:
    """Check that `path` has a writable table suffix (call before any computing).

    >>> check_output_path("out.xlsx")
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: out.xlsx: unknown output file type '.xlsx'; expected .csv, .parquet
    """
    path = Path(path)
    file_suffix(path, WRITE_SUFFIXES, "output")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: output folder does not exist")
    return path


class AtomicWriter:
    """Append frames to a temporary file beside `path`; :meth:`commit` renames it over `path`.

    Used as a context manager: leaving the block by an exception removes the temporary file
    and leaves `path` untouched.
    """

    def __init__(self, path):
        self.path = check_output_path(path)
        self.parquet = self.path.suffix.lower() == ".parquet"
        fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                        suffix=".tmp")
        self.handle = os.fdopen(fd, "wb")
        self.writer = None
        self.rows = 0

    def write(self, df: pd.DataFrame) -> None:
        if self.parquet:
            import pyarrow as pa
            import pyarrow.parquet as pq

            if self.writer is None:
                table = pa.Table.from_pandas(df, preserve_index=False)
                self.writer = pq.ParquetWriter(self.handle, table.schema)
            else:
                try:
                    table = pa.Table.from_pandas(df, schema=self.writer.schema,
                                                 preserve_index=False)
                except (pa.ArrowException, ValueError, TypeError) as exc:
                    raise InputError(f"row {self.rows + 1} on: column types change from one "
                                     f"chunk to the next ({exc}); write CSV instead") from None
            self.writer.write_table(table)
        else:
            df.to_csv(self.handle, index=False, header=self.rows == 0, encoding="utf-8")
        self.rows += len(df)

    def commit(self) -> None:
        if self.writer is not None:
            self.writer.close()
        elif self.parquet:  # no rows at all: still a valid (empty) file
            raise InputError(f"{self.path.name}: no rows to write")
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()

        os.chmod(self.tmp, 0o666 & ~current_umask())
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            if self.writer is not None:
                self.writer.close()
        except Exception:  # noqa: BLE001 - the file is deleted anyway
            pass
        self.handle.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is None:
            self.commit()
        else:
            self.abort()
        return False


# --------------------------------------------------------------------------------- driver
def write_table(df: pd.DataFrame, path) -> None:
    """Write `df` to ``.csv`` (UTF-8, no index) or ``.parquet``, atomically.

    The data go to a temporary file in the same folder, renamed over `path` with
    :func:`os.replace` only when complete; on any error the temporary file is removed and an
    existing `path` is left untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.parquet"
    >>> write_table(pd.DataFrame({"a": [1, 2]}), out)
    >>> pd.read_parquet(out)["a"].sum()
    np.int64(3)
    """
    with AtomicWriter(path) as writer:
        writer.write(df)


def current_umask() -> int:
    """The process's file-creation mask (read without changing it), so a file written to a
    temporary name and renamed gets the same permissions as one opened directly."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
