"""Payroll input: column names (English or Chinese), values, and their checks.

:func:`validate_payroll` turns a user's frame into a :class:`Cohort` of integer-coded arrays.
Keys are parsed once per *distinct* value (categoricals), so millions of rows cost little.
Every problem is an :class:`~wuxian.errors.InputError` naming the field and the row numbers
(row 1 = first data row); no names or ID numbers are ever printed.

Examples
--------
>>> df = pd.DataFrame({"工号": ["a", "a"], "城市": ["上海", "Shanghai"],
...                    "月份": ["2025-07", "2025-08"], "应发工资": [10000, 12000]})
>>> c = validate_payroll(df)
>>> c.city_code.tolist(), c.wage.tolist()
([1, 1], [10000.0, 12000.0])
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .errors import InputError, format_rows
from .params import vocab
from .months import month_numbers

#: Accepted header for each input column (English first, then Chinese aliases).
ALIASES = {
    "employee_id": ("employee_id", "工号"),
    "city": ("city", "城市"),
    "month": ("month", "月份"),
    "wage": ("wage", "应发工资"),
    "base_salary": ("base_salary", "基本工资"),
    "declared_base": ("declared_base", "缴费基数"),
    "category": ("category", "户籍类型"),
    "hf_rate": ("hf_rate", "公积金比例"),
    "injury_rate": ("injury_rate", "工伤费率"),
    "medical_tier": ("medical_tier", "医疗档次"),
    "bonus": ("bonus", "奖金"),
    "employer_id": ("employer_id", "单位编号"),
    "birth_month": ("birth_month", "出生年月"),
    "sex": ("sex", "性别"),
}
REQUIRED = ("employee_id", "city", "month", "wage")
#: Input columns wuxian reads as numbers (all others are keys or pass-through text).
NUMERIC_INPUTS = ("wage", "base_salary", "declared_base", "hf_rate", "injury_rate",
                  "medical_tier", "bonus")

#: Every accepted spelling of a city -> canonical name (``data/registry/cities.csv``).
CITY_NAMES = vocab.CITY_NAMES
#: What an unknown city is told to use instead.
CITY_HINT = (", ".join(vocab.CITIES) + " (or " + ", ".join(vocab.CITY_ZH[c] for c in vocab.CITIES)
             + ")")

CATEGORY_NAMES = {
    **{c: c for c in vocab.CATEGORIES},
    "本地城镇": "local_urban", "本市城镇": "local_urban", "本市户籍": "local_urban",
    "深户": "local_urban", "本地农村": "local_rural", "本市农业": "local_rural",
    "本市农村": "local_rural", "外地城镇": "nonlocal_urban", "外埠城镇": "nonlocal_urban",
    "非深户城镇": "nonlocal_urban", "外地农村": "nonlocal_rural", "外埠农村": "nonlocal_rural",
    "外埠农业": "nonlocal_rural", "农民工": "nonlocal_rural", "非深户农村": "nonlocal_rural",
}

#: Value checks on the numeric columns, as a pandera schema (run on the coded frame).
NUMERIC_SCHEMA = pa.DataFrameSchema(
    {
        "wage": pa.Column(float, pa.Check.ge(0), nullable=False),
        "base_salary": pa.Column(float, pa.Check.ge(0), nullable=True, required=False),
        "declared_base": pa.Column(float, pa.Check.ge(0), nullable=True, required=False),
        "hf_rate": pa.Column(float, pa.Check.in_range(0, 1, include_max=False),
                             nullable=True, required=False),
        "injury_rate": pa.Column(float, pa.Check.in_range(0, 1, include_max=False),
                                 nullable=True, required=False),
        "bonus": pa.Column(float, pa.Check.ge(0), nullable=True, required=False),
        "medical_tier": pa.Column(float, pa.Check.isin([1, 2, 3]), nullable=True,
                                  required=False),
    },
)


@dataclass
class Cohort:
    """A validated payroll: integer codes and float arrays aligned with the input rows."""

    employee_code: np.ndarray  # int64, 0..n_employees-1
    city_code: np.ndarray  # int64 into vocab.CITIES
    category_code: np.ndarray  # int64 into vocab.CATEGORIES
    month: np.ndarray  # int64 integer months (year*12 + month-1)
    wage: np.ndarray
    base_salary: np.ndarray | None
    declared_base: np.ndarray | None
    hf_rate: np.ndarray | None
    injury_rate: np.ndarray | None
    medical_tier: np.ndarray | None
    bonus: np.ndarray | None = None  # 奖金 of the month: in 工资总额 for the base-year average

    def __len__(self) -> int:
        return len(self.wage)

    def rate_input(self, column: str | None) -> np.ndarray | None:
        """The rate input named by the item registry (``hf_rate``, ``injury_rate``), if given."""
        return getattr(self, column) if column in NUMERIC_INPUTS else None


def canonical_columns(columns) -> dict:
    """Map each recognised header to its English name; InputError on a clash.

    >>> canonical_columns(["工号", "wage", "note"])
    {'工号': 'employee_id', 'wage': 'wage'}
    """
    lookup = {alias.lower(): name for name, aliases in ALIASES.items() for alias in aliases}
    found: dict = {}
    for col in columns:
        name = lookup.get(str(col).strip().lower())
        if name is None:
            continue
        if name in found.values():
            raise InputError(f"{name}: given twice (as {col!r} and another header)")
        found[col] = name
    return found


def _codes(column: pd.Series, names: dict, field: str, hint: str) -> np.ndarray:
    """Integer codes of a text column via its distinct values; InputError on unknown ones."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    normal = [names.get(str(v).strip().lower(), names.get(str(v).strip())) for v in cat.cat.categories]
    targets = list(dict.fromkeys(v for v in names.values()))
    table = np.array([targets.index(n) if n is not None else -1 for n in normal] + [-2])
    codes = table[cat.cat.codes.to_numpy()]  # code -1 (missing) picks the trailing -2
    if (codes == -2).any():
        raise InputError(f"{field}: missing value in {format_rows(np.flatnonzero(codes == -2))}")
    if (codes == -1).any():
        raise InputError(f"{field}: unknown value in {format_rows(np.flatnonzero(codes == -1))}; "
                         f"expected {hint}")
    return codes


def city_names(values, keep_unknown: bool = False) -> np.ndarray:
    """Canonical city names (``data/registry/cities.csv``) of city cells, once per distinct value.

    A name the registry does not know is an InputError naming its rows, or is kept lower-cased
    with `keep_unknown` (a hukou city such as ``chengdu``).

    >>> city_names(["上海", " Shanghai", "SH", "shanghai"]).tolist()
    ['shanghai', 'shanghai', 'shanghai', 'shanghai']
    >>> city_names(["北京", "chengdu"], keep_unknown=True).tolist()
    ['beijing', 'chengdu']
    """
    codes, uniq = pd.factorize(pd.Series(np.asarray(values, dtype=object)).astype(str)
                               .str.strip())
    names = np.array([CITY_NAMES.get(c, CITY_NAMES.get(c.lower())) for c in uniq] + [None],
                     dtype=object)
    unknown = np.flatnonzero(pd.isna(names[codes]))
    if unknown.size and not keep_unknown:
        raise InputError(f"city: unknown value in {format_rows(unknown)}; expected {CITY_HINT}")
    if keep_unknown:
        names[:-1] = [n if n is not None else c.lower() for n, c in zip(names[:-1], uniq)]
    return names[codes]


def nonnegative_values(x, name: str) -> np.ndarray:
    """`x` (a number or array-like) as a 1-d float array; an InputError naming `name` and the
    rows where a value is missing or negative.

    >>> nonnegative_values([1, 2.5], "wage").tolist()
    [1.0, 2.5]
    """
    v = np.atleast_1d(np.asarray(x, dtype=float))
    bad = np.flatnonzero(np.isnan(v) | (v < 0))
    if bad.size:
        raise InputError(f"{name}: missing or negative value in {format_rows(bad)}")
    return v


def numeric_values(column: pd.Series, field: str) -> np.ndarray:
    """A column as float64: blanks become NaN; text that is not a number, ``inf``/``nan`` text,
    true/false values and (for the fields in ``data/national/input_limits.csv``) numbers above
    the plausible maximum are an InputError naming `field` and the rows, never the values.

    >>> numeric_values(pd.Series(["1.5", "", None]), "wage").tolist()
    [1.5, nan, nan]
    >>> numeric_values(pd.Series(["1", "inf"]), "wage")
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: wage: not a finite number in row 2
    """
    if pd.api.types.is_bool_dtype(column):
        boolean = column.notna().to_numpy()
    elif column.dtype == object:  # cells of mixed types (Excel, a user's frame)
        boolean = column.map(type, na_action="ignore").eq(bool).to_numpy()
    else:
        boolean = np.zeros(0, dtype=bool)
    if boolean.any():
        raise InputError(f"{field}: true/false is not a number in "
                         f"{format_rows(np.flatnonzero(boolean))}")
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        parsed = pd.to_numeric(column, errors="coerce")
        suspect = np.flatnonzero(parsed.isna().to_numpy() & column.notna().to_numpy())
        text = column.iloc[suspect].astype(str).str.strip()
        bad = suspect[(text != "").to_numpy()]
        if bad.size:
            raise InputError(f"{field}: not a number in {format_rows(bad)}")
        values = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        raise InputError(f"{field}: not a finite number in {format_rows(infinite)}")
    limit = input_limits().get(field)
    if limit is not None:
        high = np.flatnonzero(values > limit[0])
        if high.size:
            raise InputError(f"{field}: implausible value (above {limit[0]:,.0f} {limit[1]}) in "
                             f"{format_rows(high)}; check the unit and the cell")
    return values


@lru_cache(maxsize=1)
def input_limits() -> dict:
    """``{field: (maximum, unit)}`` from ``data/national/input_limits.csv``.

    >>> input_limits()["wage"]
    (100000000.0, 'yuan a month')
    """
    from .national import national_table

    df = national_table("input_limits")
    return {r.field: (float(r.max), r.unit) for r in df.itertuples()}


def trimmed_ids(ids: pd.Series) -> tuple:
    """``(codes, text)``: codes into the distinct ids and those ids as trimmed text (two
    distinct ids may trim to one); InputError naming the rows of a missing or blank id.

    >>> codes, text = trimmed_ids(pd.Series(["a ", "b", "a "]))
    >>> codes.tolist(), list(text)
    ([0, 1, 0], ['a', 'b'])
    """
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    text = pd.Index(uniques).astype(str).str.strip()
    blank = (codes < 0) | np.append(np.asarray(text == ""), False)[codes]
    if blank.any():
        raise InputError(f"employee_id: missing value in {format_rows(np.flatnonzero(blank))}")
    return codes, text


def employee_keys(ids: pd.Series) -> np.ndarray:
    """Employee ids as trimmed text (an object array): ``" E001"``, ``"E001 "`` and ``"E001"``
    are one employee, as city, month and category values are trimmed; an integer id ``7`` and
    the text ``"7"`` are one employee. The ids are never shown in messages.

    >>> employee_keys(pd.Series([" E001", "E001 ", 7])).tolist()
    ['E001', 'E001', '7']
    """
    codes, text = trimmed_ids(ids)
    return np.asarray(text, dtype=object)[codes]


def employee_codes(ids: pd.Series) -> np.ndarray:
    """0-based int64 codes of the trimmed employee ids (:func:`employee_keys`), in order of
    first appearance.

    >>> employee_codes(pd.Series(["b", " a", "b ", "a"])).tolist()
    [0, 1, 0, 1]
    """
    codes, text = trimmed_ids(ids)
    if text.has_duplicates:  # " E001" and "E001": one employee
        codes = pd.factorize(text)[0][codes]
    return codes.astype(np.int64)


def with_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose numeric input columns (:data:`NUMERIC_INPUTS`, under any alias) are
    float64, parsed by :func:`numeric_values` (a CSV read by :func:`wuxian.io.read_payroll`
    holds text); for analysis of the input in pandas. Other columns are left as they are.

    >>> with_numbers(pd.DataFrame({"应发工资": ["9000", ""], "note": ["007", "x"]})).dtypes.tolist()
    [dtype('float64'), <StringDtype(na_value=nan)>]
    """
    out = df.copy()
    for column, name in canonical_columns(df.columns).items():
        if name in NUMERIC_INPUTS:
            out[column] = numeric_values(df[column], name)
    return out


def _check_numeric(frame: pd.DataFrame) -> None:
    try:
        NUMERIC_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        messages = []
        for (column, check), group in cases.groupby(["column", "check"], sort=False):
            what = "missing value" if "not_nullable" in str(check) else f"fails {check}"
            messages.append(f"{column}: {what} in {format_rows(sorted(group['index'].astype(int)))}")
        raise InputError("; ".join(messages)) from None


def _duplicate_pairs(employee_code: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Mask of rows whose (employee, month) pair occurs more than once.

    Counts pairs with a bincount over ``employee x month span`` when that fits in memory
    (the usual case), else falls back to hashing.

    >>> _duplicate_pairs(np.array([0, 0, 1]), np.array([5, 5, 5])).tolist()
    [True, True, False]
    """
    if len(month) == 0:
        return np.zeros(0, dtype=bool)
    first = month.min()
    span = int(month.max() - first + 1)
    pair = employee_code * span + (month - first)
    size = (int(employee_code.max()) + 1) * span
    if size <= 8 * len(pair) + 1_000_000:
        return np.bincount(pair, minlength=size)[pair] > 1
    return pd.Series(pair).duplicated(keep=False).to_numpy()


def validate_payroll(df: pd.DataFrame) -> Cohort:
    """Check a payroll frame and return its :class:`Cohort` of coded arrays.

    Raises
    ------
    InputError
        Missing required column; unknown city or category; malformed or missing month;
        missing, non-numeric or negative wage; hf_rate/injury_rate outside [0, 1);
        medical_tier not 1/2/3; duplicate (employee_id, month).

    Examples
    --------
    >>> validate_payroll(pd.DataFrame({"employee_id": [1], "city": ["x"], "month": ["2025-01"],
    ...                                "wage": [1.0]}))
    Traceback (most recent call last):
    ...
    wuxian.errors.InputError: city: unknown value in row 1; expected beijing, shanghai, guangzhou, shenzhen (or 北京, 上海, 广州, 深圳)
    """
    names = canonical_columns(df.columns)
    by_name = {v: k for k, v in names.items()}
    missing = [f"{n} ({'/'.join(ALIASES[n])})" for n in REQUIRED if n not in by_name]
    if missing:
        raise InputError("missing required column: " + ", ".join(missing))
    col = {n: df[c] for n, c in by_name.items()}
    n = len(df)

    employee_code = employee_codes(col["employee_id"])
    city_code = _codes(col["city"], CITY_NAMES, "city", CITY_HINT)
    month = month_numbers(col["month"])
    if "category" in col:
        category_code = _codes(col["category"], CATEGORY_NAMES, "category",
                               ", ".join(vocab.CATEGORIES) + " (or 本市城镇, 外埠农业, ...)")
    else:
        category_code = np.zeros(n, dtype=np.int64)  # documented default: local_urban

    numeric = {"wage": numeric_values(col["wage"], "wage")}
    for name in NUMERIC_INPUTS[1:]:
        if name in col:
            numeric[name] = numeric_values(col[name], name)
    _check_numeric(pd.DataFrame(numeric, copy=False))

    dup = _duplicate_pairs(employee_code, month)
    if dup.any():
        raise InputError("employee_id + month: duplicate pair in " + format_rows(np.flatnonzero(dup)))

    tier = numeric.get("medical_tier")
    if tier is not None:
        tier_city = np.isin(city_code, [vocab.CITIES.index(c) for c in vocab.TIER_CITIES])
        odd = (np.nan_to_num(tier, nan=1) != 1) & ~tier_city
        if odd.any():
            raise InputError("medical_tier: tiers 2 and 3 exist only in "
                             f"{', '.join(vocab.CITY_EN[c] for c in vocab.TIER_CITIES)}, "
                             f"given elsewhere in {format_rows(np.flatnonzero(odd))}")
    return Cohort(
        employee_code=employee_code, city_code=city_code, category_code=category_code,
        month=month, wage=numeric["wage"], base_salary=numeric.get("base_salary"),
        declared_base=numeric.get("declared_base"), hf_rate=numeric.get("hf_rate"),
        injury_rate=numeric.get("injury_rate"), medical_tier=tier, bonus=numeric.get("bonus"),
    )
