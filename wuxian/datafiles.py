"""Reading a data CSV strictly: the one reader of every file under ``data/``.

A corrupt file (empty, truncated, a ragged row, not UTF-8, broken quoting, a missing or
repeated column, text in a numeric column) is a :class:`~wuxian.errors.ParameterError`
naming the file and the lines, never a cell value. The parameter tables
(:mod:`wuxian.params.load`), the national tables (:func:`wuxian.national.national_table`),
the registries (:mod:`wuxian.params.vocab`) and the column list (:mod:`wuxian.columns`) all
read through :func:`read_data_csv`.

Examples
--------
>>> lines_text([5, 9])
'lines 5, 9'
"""

import codecs
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ParameterError


def lines_text(lines, limit: int = 5) -> str:
    """``'line 5'``, ``'lines 5, 9'`` or ``'lines 5, 9, 12, 20, 21 and 3 more'``."""
    lines = [int(n) for n in lines]
    more = f" and {len(lines) - limit} more" if len(lines) > limit else ""
    return ("line " if len(lines) == 1 else "lines ") + ", ".join(map(str, lines[:limit])) + more


def read_data_csv(path, where: str | None = None, *, required=(), numeric=(),
                  allow_empty: bool = False, **options) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a data CSV strictly; return the frame and the file line of each of its rows.

    The file must be UTF-8 (a BOM is allowed) with one header line, every row having as many
    fields as the header, every header named once, the `required` columns present, and every
    non-blank cell of the `numeric` columns a number (``inf`` included). Anything else is a
    :class:`~wuxian.errors.ParameterError` that starts with `where` (default: the path) and
    names the line when known, never a cell value. `options` go to :func:`pandas.read_csv`;
    a numeric column pandas read as text is converted with :func:`pandas.to_numeric` (unless
    `options` give a ``dtype``). A blank line is skipped, as pandas does.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a,b\\n1,2\\n3\\n")
    >>> read_data_csv(p, "t.csv")
    Traceback (most recent call last):
    ...
    wuxian.errors.ParameterError: t.csv line 3: 1 field where the header has 2 (a truncated line, or a missing or extra comma)
    >>> _ = p.write_text("a,b\\n1,x\\n")
    >>> read_data_csv(p, "t.csv", numeric=["b"])
    Traceback (most recent call last):
    ...
    wuxian.errors.ParameterError: t.csv line 2: column b is not a number
    """
    path = Path(path)
    where = where or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ParameterError(f"{where}: file not found") from None
    except OSError as exc:
        raise ParameterError(f"{where}: cannot be read ({exc.strerror or type(exc).__name__})") \
            from None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw.strip():
        raise ParameterError(f"{where}: empty file (no header line)")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw:
        raise ParameterError(f"{where}: UTF-16 text or binary data, not a UTF-8 CSV file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        if exc.end >= len(raw) and exc.reason == "unexpected end of data":
            why = "the file ends in the middle of a character (truncated?)"
        else:
            why = "not UTF-8 text (saved as GBK/GB18030?); save the file as UTF-8"
        raise ParameterError(f"{where} line {line}: {why}") from None
    header, header_line, lines, prev = None, 0, [], 0
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line (pandas skips it too)
            if header is None:
                header, header_line = row, start
                _check_header(header, where, header_line)
                continue
            if len(row) != len(header):
                word = "field" if len(row) == 1 else "fields"
                raise ParameterError(f"{where} line {start}: {len(row)} {word} where the header "
                                     f"has {len(header)} (a truncated line, or a missing or "
                                     "extra comma)")
            lines.append(start)
    except csv.Error:
        raise ParameterError(f"{where} line {prev + 1}: malformed CSV quoting (a quoted field "
                             "that is never closed: a truncated file or a stray quote?)") \
            from None
    if header is None:
        raise ParameterError(f"{where}: empty file (no header line)")
    missing = [c for c in required if c not in [h.strip() for h in header]]
    if missing:
        raise ParameterError(f"{where} line {header_line}: missing column"
                             f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if not lines and not allow_empty:
        raise ParameterError(f"{where}: no data rows after the header (a truncated file?)")
    try:
        frame = pd.read_csv(io.StringIO(text, newline=""), **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error):
        raise ParameterError(f"{where}: not a readable CSV file") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    lines = np.asarray(lines, dtype=np.int64)
    if len(lines) != len(frame):  # pandas read the rows otherwise: number them from the header
        lines = header_line + 1 + np.arange(len(frame), dtype=np.int64)
    for column in numeric:
        if column not in frame.columns:
            continue
        values = frame[column]
        given = values.notna().to_numpy()
        if pd.api.types.is_numeric_dtype(values):
            number = values.to_numpy(dtype=float, na_value=np.nan)
            converted = None
        else:
            stripped = values.map(lambda v: v.strip() if isinstance(v, str) else v)
            converted = pd.to_numeric(stripped.where(stripped != ""), errors="coerce")
            number = converted.to_numpy(dtype=float, na_value=np.nan)
        bad = given & np.isnan(number)  # "inf" is a number (base_cap: no cap)
        if bad.any():
            raise ParameterError(f"{where} {lines_text(lines[bad])}: column {column} is not a "
                                 "number")
        if converted is not None and "dtype" not in options:
            frame[column] = converted
    return frame, lines


def _check_header(header: list, where: str, line: int) -> None:
    seen: dict = {}
    for i, name in enumerate(header, 1):
        key = name.strip()
        if not key:
            raise ParameterError(f"{where} line {line}: column {i} has no header")
        if key in seen:
            raise ParameterError(f"{where} line {line}: column {key!r} given twice (columns "
                                 f"{seen[key]} and {i})")
        seen[key] = i
