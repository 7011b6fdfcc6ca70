"""Read the parameter CSVs and check their columns with a pandera schema.

Every data CSV of wuxian (``data/params`` here, ``data/national`` through
:func:`wuxian.national.national_table`) is read by :func:`read_data_csv`, which turns a
corrupt file into a :class:`~wuxian.errors.ParameterError` naming the file and, when known,
the line: an empty or truncated file, a row with the wrong number of fields, text that is not
UTF-8 (a file saved as GBK), broken quoting, a missing or repeated column, a non-number in a
numeric column. Messages name columns and lines, never the value of a cell (a key column's
value such as a city or a month excepted).

Examples
--------
>>> table = load()
>>> sorted(table.rows.city.unique())
['beijing', 'guangzhou', 'shanghai', 'shenzhen']
"""

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..datafiles import lines_text as _lines_text, read_data_csv
from ..errors import ParameterError
from ..resources import data_path
from . import vocab
from .table import ParamTable
from .validate import validate_rows

#: ``data/params`` of the source checkout (the package is installed editable) or the wheel.
DATA_DIR = data_path("params")

_NUM = pa.Column(float, nullable=True, coerce=True)
_MONTH = pa.Column(str, pa.Check.str_matches(r"^\d{4}-(0[1-9]|1[0-2])$"))
ROW_SCHEMA = pa.DataFrameSchema(
    {
        "city": pa.Column(str, pa.Check.isin(vocab.CITIES)),
        "category": pa.Column(str, pa.Check.isin(list(vocab.CATEGORY_MEMBERS))),
        "item": pa.Column(str, pa.Check.isin(vocab.ALL_ITEMS)),
        "period_start": _MONTH,
        "period_end": _MONTH,
        **{f: _NUM for f in vocab.NUMERIC_FIELDS},
        "rounding": pa.Column(str, pa.Check.str_matches(
            r"^(%s):(%s)$" % ("|".join(vocab.ROUNDING_MODES),
                               "|".join(u.replace(".", r"\.") for u in vocab.ROUNDING_UNITS)))),
        "rounding_source": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source": pa.Column(str, pa.Check.str_length(min_value=1)),
        "confidence": pa.Column(str, pa.Check.isin(vocab.CONFIDENCE_LEVELS)),
        "notes": pa.Column(str, nullable=True),
        "applies": pa.Column(str, pa.Check.isin(["yes", "no"]), nullable=True, required=False),
    },
    strict=True,
    ordered=False,
)

COVERAGE_SCHEMA = pa.DataFrameSchema(
    {
        "city": pa.Column(str, unique=True),  # against the city list: _check_cities
        "period_start": _MONTH,
        "period_end": _MONTH,
        "notes": pa.Column(str, nullable=True),
    },
    strict=True,
)


#: Columns whose values may be quoted in an error message (they say where, not what).
KEY_COLUMNS = ("city", "category", "item", "period_start", "period_end")


def _read_csv(path: Path, schema: pa.DataFrameSchema, numeric=()) -> tuple[pd.DataFrame,
                                                                          np.ndarray]:
    """A parameter file as text (blank cells missing) and its file lines; pandera coerces."""
    required = [name for name, column in schema.columns.items() if column.required]
    return read_data_csv(path, str(path), required=required, numeric=numeric, dtype=str,
                         keep_default_na=False, na_values=[""])


def _check(schema: pa.DataFrameSchema, frame: pd.DataFrame, what: str,
           lines: np.ndarray | None = None) -> pd.DataFrame:
    """Validate `frame` against `schema`; ParameterError naming columns and file lines, and
    the offending value only for a key column (:data:`KEY_COLUMNS`) or a column-level check
    (a column name)."""
    if lines is None:
        lines = np.arange(len(frame), dtype=np.int64) + 2
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        out = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
            index = group["index"].dropna().astype(int)
            index = index[(index >= 0) & (index < len(lines))]
            where = f" (file {_lines_text(lines[index.to_numpy()])})" if len(index) else ""
            example = ""
            if column in KEY_COLUMNS or group["index"].isna().all():
                example = f"; e.g. {group['failure_case'].iloc[0]!r}"
            out.append(f"  {column}: fails {check}{where}{example}")
        raise ParameterError(f"{what} breaks the parameter schema:\n" + "\n".join(out)) from None


def load(data_dir: Path | str | None = None, *, complete: bool = True) -> ParamTable:
    """Load, check and validate the parameter dataset.

    Parameters
    ----------
    data_dir : path, optional
        Folder holding ``coverage.csv`` and one ``{city}.csv`` per city listed there
        (default: the bundled ``data/params``).
    complete : bool, default True
        Require a row for every item, category and covered month. ``False`` reads an older
        version of the data written before an item existed (``wuxian params diff``).

    Returns
    -------
    ParamTable
        The validated rows, ready to :meth:`ParamTable.compile`.

    Raises
    ------
    ParameterError
        When a file is missing, a column breaks the schema, coverage.csv and the city list
        disagree (:func:`_check_cities`), or a rule of
        :func:`wuxian.params.validate.validate_rows` is broken.

    Examples
    --------
    >>> load().coverage.loc["shanghai", "period_start"]
    '2012-01'
    """
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    coverage_path = folder / "coverage.csv"
    if not coverage_path.exists():
        raise ParameterError(f"parameter data not found: {coverage_path}")
    frame, lines = _read_csv(coverage_path, COVERAGE_SCHEMA)
    coverage = _check(COVERAGE_SCHEMA, frame, str(coverage_path), lines)
    _check_cities(coverage["city"].tolist(), lines, coverage_path,
                  every_city=folder.resolve() == Path(DATA_DIR).resolve())
    frames, paths = [], {}
    for city in coverage["city"]:
        path = folder / f"{city}.csv"
        frame, lines = _read_csv(path, ROW_SCHEMA, vocab.NUMERIC_FIELDS)
        frame = _check(ROW_SCHEMA, frame, str(path), lines)
        other = np.flatnonzero((frame["city"] != city).to_numpy())
        if other.size:
            raise ParameterError(f"{path} {_lines_text(lines[other])}: rows for another city "
                                 f"than {city!r}")
        frame.insert(0, "file_line", lines)
        frame.insert(0, "file", path.name)
        frames.append(frame)
        paths[city] = path
    rows = pd.concat(frames, ignore_index=True)
    rows["notes"] = rows["notes"].fillna("")
    rows["applies"] = rows["applies"].fillna("yes") if "applies" in rows else "yes"
    coverage = coverage.set_index("city")
    try:
        validate_rows(rows, coverage, complete=complete)
    except ParameterError as exc:
        raise _with_files(exc, paths) from None
    return ParamTable(rows=rows, coverage=coverage)


def _check_cities(listed: list, lines, coverage_path: Path, every_city: bool) -> None:
    """The city registry (``data/registry/cities.csv``), coverage.csv and the city files agree.

    ParameterError naming the city and the file when coverage.csv lists a city that is not
    in the city list (with its line), lists a city whose ``{city}.csv`` is missing, or lacks
    a city of the list that has a ``{city}.csv`` in the folder. With `every_city` (the
    bundled dataset) every city of the list needs a coverage row. A folder given to
    :func:`load` may hold a subset of the cities (the test fixture holds only Shanghai).

    >>> _check_cities(["beijing", "xian"], [2, 3], Path("p/coverage.csv"), False)
    Traceback (most recent call last):
    ...
    wuxian.errors.ParameterError: p/coverage.csv line 3: city 'xian' is not in the city list (beijing, shanghai, guangzhou, shenzhen); add it to data/registry/cities.csv or remove the row
    """
    known = tuple(vocab.CITIES)
    folder = coverage_path.parent
    for city, line in zip(listed, lines):
        if city not in known:
            raise ParameterError(f"{coverage_path} line {int(line)}: city {city!r} is not in "
                                 f"the city list ({', '.join(known)}); add it to "
                                 "data/registry/cities.csv or remove the row")
    for city, line in zip(listed, lines):
        if not (folder / f"{city}.csv").exists():
            raise ParameterError(f"{coverage_path} line {int(line)}: lists {city} but "
                                 f"{folder / f'{city}.csv'} does not exist")
    for city in known:
        if city in listed:
            continue
        path = folder / f"{city}.csv"
        if path.exists():
            raise ParameterError(f"{coverage_path}: no row for {city}, though {path} exists "
                                 f"and {city} is in the city list; add its covered months")
        if every_city:
            raise ParameterError(f"{coverage_path}: no row for {city}, a city of the city list "
                                 "(data/registry/cities.csv); add its covered months and "
                                 f"{path}, or remove {city} from the list")


def _with_files(exc: ParameterError, paths: dict) -> ParameterError:
    """`exc` with the files of the cities it names, when its lines name cities but no file
    (the gaps of a city file cut short at a line end name only city, item and months)."""
    text = str(exc)
    if any(p.name in text for p in paths.values()):
        return exc
    named = [str(p) for city, p in paths.items()
             if any(line.strip().startswith(f"{city} ") for line in text.splitlines()[1:])]
    if not named:
        return exc
    return type(exc)(f"{text}\n(in {', '.join(named)}: rows missing, or the file truncated?)")


@lru_cache(maxsize=1)
def default_table() -> ParamTable:
    """The bundled parameter dataset, loaded and validated once per process.

    >>> default_table() is default_table()
    True
    """
    return load()
