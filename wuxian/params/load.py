"""Read the parameter CSVs and check their columns with a pandera schema.

Examples
--------
>>> table = load()
>>> sorted(table.rows.city.unique())
['beijing', 'guangzhou', 'shanghai', 'shenzhen']
"""

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..errors import ParameterError
from . import vocab
from .table import ParamTable
from .validate import validate_rows

#: ``data/params`` of the source checkout (the package is installed editable) or the wheel.
DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "params"

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
        "city": pa.Column(str, pa.Check.isin(vocab.CITIES), unique=True),
        "period_start": _MONTH,
        "period_end": _MONTH,
        "notes": pa.Column(str, nullable=True),
    },
    strict=True,
)


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                       encoding="utf-8-sig")


def _check(schema: pa.DataFrameSchema, frame: pd.DataFrame, what: str) -> pd.DataFrame:
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        lines = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
            rows = ", ".join(str(i + 2) for i in group["index"].dropna().astype(int).head(5))
            where = f" (file lines {rows})" if rows else ""
            lines.append(f"  {column}: fails {check}{where}; e.g. {group['failure_case'].iloc[0]!r}")
        raise ParameterError(f"{what} breaks the parameter schema:\n" + "\n".join(lines)) from None


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
        When a file is missing, a column breaks the schema, or a rule of
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
    coverage = _check(COVERAGE_SCHEMA, _read_csv(coverage_path), str(coverage_path))
    frames = []
    for city in coverage["city"]:
        path = folder / f"{city}.csv"
        if not path.exists():
            raise ParameterError(f"coverage.csv lists {city} but {path} does not exist")
        frame = _check(ROW_SCHEMA, _read_csv(path), str(path))
        if (frame["city"] != city).any():
            raise ParameterError(f"{path}: rows for another city than {city!r}")
        frame.insert(0, "file_line", frame.index + 2)
        frame.insert(0, "file", path.name)
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    rows["notes"] = rows["notes"].fillna("")
    rows["applies"] = rows["applies"].fillna("yes") if "applies" in rows else "yes"
    coverage = coverage.set_index("city")
    validate_rows(rows, coverage, complete=complete)
    return ParamTable(rows=rows, coverage=coverage)


@lru_cache(maxsize=1)
def default_table() -> ParamTable:
    """The bundled parameter dataset, loaded and validated once per process.

    >>> default_table() is default_table()
    True
    """
    return load()
