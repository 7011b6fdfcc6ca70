"""The cost engine: contribution bases and per-item employer / employee amounts.

For each employee-month and item (rules cited per step):

1. **Base.** ``declared_base`` when given; else, with ``base_method="prior_year_average"``, the
   employee's mean monthly wage over the previous calendar year found in the cohort
   (《社会保险费申报缴纳管理规定》人社部令第20号 art. 8: 职工上一年度月平均工资), falling back to the
   current month's wage (flag ``base_fallback``) where the cohort has no such history (new hires
   declare their first month's wage); with ``"current_month"``, the month's wage.
2. **Clip** the base to the item's ``[base_floor, base_cap]`` for the city, category and month
   (社会保险法 art. 12 and the city notices cited in each data row's ``source``).
3. **Amount** = round(clipped base × rate) + fixed amount, rounded per city and item as the data
   says (``rounding``). ``hf_rate`` replaces both housing-fund rates within the range each
   row's ``rate_min``/``rate_max`` states (《住房公积金管理条例》 art. 18: at least 5%;
   建金〔2005〕5号: at most 12%, some cities 20% before 2016);
   ``injury_rate`` replaces the employer injury rate (industry class, 人社部发〔2015〕71号).
   A Shenzhen member of medical tier 2 or 3 (``medical_tier``) is charged that tier's
   ``medical`` and ``maternity`` rows (深圳市社会医疗保险办法, 市政府令第256号, 2014-01 to
   2023-09; 深圳市医疗保障办法, 市政府令第358号, from 2023-10).

Examples
--------
>>> df = pd.DataFrame({"employee_id": ["e1"], "city": ["shanghai"], "month": ["2025-07"],
...                    "wage": [10000.0]})
>>> out = contributions(df, base_method="current_month")
>>> float(out["pension_employee"].iloc[0])
800.0
>>> bool((out["employer_total"] == out["social_insurance_employer"]
...       + out["housing_fund_employer"]).all())
True
"""

import numpy as np
import pandas as pd

from .errors import InputError, MissingParameterError, format_rows
from .params import default_table, vocab
from .months import month_label
from .params.table import ROUNDING_OFFSET, ParamCube, ParamTable
from .base import contribution_base
from .schema import Cohort, validate_payroll

#: The output columns, in order: the clipped bases the item registry names
#: (``data/registry/items.csv``, ``base_output``), ``base_fallback``, every item per side, the
#: registry's subtotals per side, the totals over every item, cost and pay before tax.
OUTPUT_COLUMNS = (
    list(vocab.BASE_OUTPUTS.values()) + ["base_fallback"]
    + [f"{item}_{side}" for item in vocab.ITEMS for side in vocab.SIDES]
    + [f"{sub}_{side}" for sub in vocab.SUBTOTALS for side in vocab.SIDES]
    + ["employer_total", "employee_total", "employer_cost", "net_before_tax"]
)
NUMERIC_OUTPUTS = tuple(c for c in OUTPUT_COLUMNS if c != "base_fallback")


def round_amounts(x: np.ndarray, scale, mode) -> np.ndarray:
    """Round `x` to steps of ``1/scale`` (0.01 = fen); mode 0 half-up, 1 up, 2 down.

    The engine applies the same rule as ``floor(x * scale + offset) / scale`` with the offset
    compiled per parameter row (:data:`wuxian.params.table.ROUNDING_OFFSET`); this function is
    the readable reference used by tests. `scale` and `mode` broadcast against `x`.

    >>> round_amounts(np.array([0.145, 0.125, 3.01]), 100., 0).tolist()
    [0.15, 0.13, 3.01]
    >>> round_amounts(np.array([12.1, 12.9]), 1., np.array([1, 2])).tolist()
    [13.0, 12.0]
    """
    offset = np.take(np.array(ROUNDING_OFFSET), np.asarray(mode))
    return np.floor(np.asarray(x) * scale + offset) / scale


def parameter_keys(cohort: Cohort, cube: ParamCube) -> tuple[np.ndarray, np.ndarray]:
    """Integer keys of every row and the distinct keys used; InputError naming the rows whose
    month is outside their city's data. Coverage is checked on the distinct keys only."""

    def outside_error(mask):
        rows = np.flatnonzero(mask)
        first = rows[0]
        c = int(cohort.city_code[first])
        city = vocab.CITIES[c]
        return InputError(
            f"month: outside the parameter data in {format_rows(rows)} (e.g. {city} "
            f"{month_label(cohort.month[first])}; {city} is covered "
            f"{month_label(cube.city_start[c])}..{month_label(cube.city_end[c])})")

    n = len(cohort)
    if n and (cohort.month.min() < cube.first_month
              or cohort.month.max() >= cube.first_month + cube.n_months):
        raise outside_error((cohort.month < cube.first_month)
                            | (cohort.month >= cube.first_month + cube.n_months))
    key = cube.keys(cohort.city_code, cohort.category_code, cohort.month)
    n_keys = cube.row_id.shape[1]
    used = np.flatnonzero(np.bincount(key, minlength=n_keys)) if n else key[:0]
    rest, pos = np.divmod(used, cube.n_months)
    city, month_of = rest // len(vocab.CATEGORIES), cube.first_month + pos
    bad = used[(month_of < cube.city_start[city]) | (month_of > cube.city_end[city])]
    if bad.size:
        raise outside_error(np.isin(key, bad))
    return key, used


class _Lookup:
    """Parameter arrays of one item for a cohort: indexes, and checks on the used keys only.

    The per-key arrays are tiny (a few thousand keys), so every check runs on the distinct
    keys the cohort uses, and only the final gather touches every row.
    """

    def __init__(self, cube: ParamCube, table: ParamTable, item_index, key: np.ndarray,
                 used: np.ndarray):
        self.cube, self.table, self.key = cube, table, key
        n_keys = cube.row_id.shape[1]
        if np.ndim(item_index) == 0:
            self.row, self.idx, self.used = int(item_index), key, used
        else:  # per-row item (Shenzhen medical tiers): index the flattened arrays
            self.row, self.idx = None, item_index * n_keys + key
            self.used = np.flatnonzero(np.bincount(self.idx, minlength=cube.row_id.size))

    def values(self, name: str) -> np.ndarray:
        arr = self.cube.fields[name]
        return arr[self.row] if self.row is not None else arr.ravel()

    def take(self, name: str, out: np.ndarray | None = None):
        """The field for every row (into `out` if given), or a scalar when the cohort uses
        a single value."""
        arr = self.values(name)
        seen = arr[self.used]
        if len(seen) and (seen == seen[0]).all():
            return seen[0]
        # mode="clip": the keys are valid (coverage checked), and unlike the default "raise"
        # it lets numpy write straight into `out` without a temporary buffer.
        return arr.take(self.idx, out=out, mode="clip")

    def check_applies(self) -> None:
        """InputError when the cohort asks for a combination that does not exist by rule
        (e.g. Shenzhen medical tier 2 for a 深户 worker)."""
        arr = self.values("applies")
        bad_keys = self.used[arr[self.used] == 0]
        if bad_keys.size:
            rows = np.flatnonzero(np.isin(self.idx, bad_keys))
            flat = int(self.idx[rows[0]])
            n_keys = self.cube.row_id.shape[1]
            ii, k = (self.row, flat) if self.row is not None else divmod(flat, n_keys)
            city, cat, month = self.cube.key_parts(k)
            note = self.table.rows["notes"].iat[self.cube.row_id[ii, k]]
            raise InputError(f"{vocab.ALL_ITEMS[ii]} does not apply to {cat} in {city} "
                             f"{month_label(month)} ({note}): {format_rows(rows)}")

    def require(self, *names: str, rows=None) -> None:
        """MissingParameterError naming city, month, item, field and rows when blank."""
        for name in names:
            arr = self.values(name)
            bad_keys = self.used[np.isnan(arr[self.used])]
            if bad_keys.size == 0:
                continue
            mask = np.isin(self.idx, bad_keys)
            if rows is not None:
                mask &= rows
                if not mask.any():
                    continue
            self.missing(name, mask)

    def missing(self, name: str, mask: np.ndarray) -> None:
        rows = np.flatnonzero(mask)
        flat = int(self.idx[rows[0]])
        n_keys = self.cube.row_id.shape[1]
        ii, k = (self.row, flat) if self.row is not None else divmod(flat, n_keys)
        city, cat, month = self.cube.key_parts(k)
        rid = self.cube.row_id[ii, k]
        note = self.table.rows["notes"].iat[rid] if rid >= 0 else ""
        raise MissingParameterError(
            f"{vocab.ALL_ITEMS[ii]} {name} is not in the parameter data for {city} "
            f"{month_label(month)} ({cat}), needed by {format_rows(rows)}"
            + (f"; data note: {note}" if note else ""))


def _rate_times_scale(look: _Lookup, side: str, override, column: str, out: np.ndarray):
    """Rate x rounding scale per row: the data's rate, or the user's where given and allowed."""
    given = None if override is None else ~np.isnan(override)
    if given is None or not given.any():
        look.require(f"{side}_rate")
        return look.take(f"{side}_rate_scaled", out=out)
    look.require(f"{side}_rate", rows=~given)
    look.require("rate_min", "rate_max", rows=given)
    lo, hi = look.values("rate_min").take(look.idx), look.values("rate_max").take(look.idx)
    out = given & ((override < lo) | (override > hi))
    if out.any():
        first = np.flatnonzero(out)[0]
        city, _, month = look.cube.key_parts(int(look.key[first]))
        raise InputError(f"{column}: outside the allowed range in {format_rows(np.flatnonzero(out))} "
                         f"(e.g. {city} {month_label(month)} allows {lo[first]:g}..{hi[first]:g})")
    scaled = look.values(f"{side}_rate_scaled").take(look.idx)
    return np.where(given, override * look.values("round_scale").take(look.idx), scaled)


def compute(cohort: Cohort, base_method: str = "prior_year_average",
            params: ParamTable | None = None, prior=None) -> pd.DataFrame:
    """Every output column for a validated :class:`Cohort`, as a frame with a RangeIndex.

    The frame wraps the block of :func:`compute_block` without copying it.

    >>> from wuxian.schema import validate_payroll
    >>> c = validate_payroll(pd.DataFrame({"employee_id": [1], "city": ["北京"],
    ...                                    "month": ["2025-07"], "wage": [10000.0]}))
    >>> float(compute(c, base_method="current_month")["pension_employee"].iloc[0])
    800.0
    """
    block, fallback = compute_block(cohort, base_method, params, prior)
    frame = pd.DataFrame(block.T, columns=list(NUMERIC_OUTPUTS), copy=False)
    frame.insert(OUTPUT_COLUMNS.index("base_fallback"), "base_fallback", fallback)
    return frame


def compute_block(cohort: Cohort, base_method: str = "prior_year_average",
                  params: ParamTable | None = None, prior=None,
                  bases=None) -> tuple[np.ndarray, np.ndarray]:
    """The numeric outputs as one ``(len(NUMERIC_OUTPUTS), n)`` block, and ``base_fallback``.

    Row ``i`` of the block is the column ``NUMERIC_OUTPUTS[i]``. The base is chosen by
    :func:`wuxian.base.contribution_base` (`prior`: the history computed elsewhere), unless
    `bases` gives it (one array, or a dict item -> array).
    """
    if bases is None:
        base, fallback = contribution_base(cohort, base_method, prior)
    else:
        base, fallback = bases, np.zeros(len(cohort), dtype=bool)
    table = params if params is not None else default_table()
    cube = table.compile()
    key, used = parameter_keys(cohort, cube)

    # One block for every numeric output column (the DataFrame wraps it without a copy) and
    # two scratch rows: the hot loop allocates nothing per item.
    n = len(cohort)
    block = np.empty((len(NUMERIC_OUTPUTS), n))
    col = dict(zip(NUMERIC_OUTPUTS, block))
    scratch, spare = np.empty(n), np.empty(n)
    tier = None  # Shenzhen medical tier per row, when any row is not in tier 1
    if cohort.medical_tier is not None:
        tier = np.nan_to_num(cohort.medical_tier, nan=1).astype(np.int64)
        tier = tier if (tier != 1).any() else None
    for item in vocab.ITEMS:
        ii = vocab.ALL_ITEMS.index(item)
        if tier is not None and item in vocab.TIER_VARIANTS:  # tier 2/3: the variant's rows
            ii = np.array([ii, ii, *map(vocab.ALL_ITEMS.index, vocab.TIER_VARIANTS[item])])[tier]
        look = _Lookup(cube, table, ii, key, used)
        look.check_applies()
        look.require("base_floor", "base_cap", "employer_fixed", "employee_fixed")
        # Rule 2: clip the base to [floor, cap]
        clipped = col[vocab.BASE_OUTPUTS[item]] if item in vocab.BASE_OUTPUTS else spare
        item_base = base[item] if isinstance(base, dict) else base
        np.maximum(item_base, look.take("base_floor", out=scratch), out=clipped)
        np.minimum(clipped, look.take("base_cap", out=scratch), out=clipped)
        offset, scale = look.take("round_offset"), look.take("round_scale")
        column, sides = vocab.RATE_INPUTS.get(item, (None, ()))
        for side in vocab.SIDES:
            # the registry's rate input (hf_rate, injury_rate) replaces the rate of its sides
            override = cohort.rate_input(column) if side in sides else None
            # Rule 3: round(base x rate) + fixed; rounding = floor(x * scale + offset) / scale
            amount = col[f"{item}_{side}"]
            np.multiply(clipped, _rate_times_scale(look, side, override, column, scratch),
                        out=amount)
            amount += offset
            np.floor(amount, out=amount)
            amount /= scale  # division, not * 0.01: 6173 / 100 is exactly the double of 61.73
            fixed = look.take(f"{side}_fixed", out=scratch)
            if np.ndim(fixed) or fixed != 0:
                amount += fixed

    for side in vocab.SIDES:  # subtotals and totals are sums over registry groups
        for sub, items in vocab.SUBTOTALS.items():
            _sum([col[f"{item}_{side}"] for item in items], out=col[f"{sub}_{side}"])
        _sum([col[f"{item}_{side}"] for item in vocab.ITEMS], out=col[f"{side}_total"])
    np.add(cohort.wage, col["employer_total"], out=col["employer_cost"])
    np.subtract(cohort.wage, col["employee_total"], out=col["net_before_tax"])
    return block, fallback


def _sum(arrays: list, out: np.ndarray) -> np.ndarray:
    """``out = arrays[0] + arrays[1] + ...`` in place, left to right (as written by hand)."""
    np.copyto(out, arrays[0])
    for a in arrays[1:]:
        out += a
    return out


def contributions(df: pd.DataFrame, base_method: str = "prior_year_average",
                  params: ParamTable | None = None) -> pd.DataFrame:
    """Employer and employee contributions, item by item, for a whole payroll cohort.

    Parameters
    ----------
    df : DataFrame
        One row per employee-month: ``employee_id``, ``city``, ``month`` (YYYY-MM), ``wage``;
        optional ``declared_base``, ``base_salary``, ``category``, ``hf_rate``,
        ``injury_rate``, ``medical_tier`` (Chinese headers accepted, see :mod:`wuxian.schema`).
    base_method : {"prior_year_average", "current_month"}
        How the base is found where ``declared_base`` is blank.
    params : ParamTable, optional
        Parameter table (default: the bundled dataset).

    Returns
    -------
    DataFrame
        The input columns unchanged, then the output contract (``docs/columns.md``):
        ``base_si`` (pension base after clipping), ``base_hf``, ``base_fallback``,
        ``{item}_employer`` / ``{item}_employee`` for every item, the social-insurance
        subtotals, ``employer_total``, ``employee_total``, ``employer_cost``, ``net_before_tax``.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": ["e1"], "city": ["北京"], "month": ["2025-07"],
    ...                    "wage": [100000.0]})
    >>> out = contributions(df, base_method="current_month")
    >>> float(out["base_si"].iloc[0])  # Beijing 2025-07 cap, 京人社发〔2025〕11号
    35811.0
    """
    cohort = validate_payroll(df)
    clash = [c for c in OUTPUT_COLUMNS if c in df.columns]
    if clash:
        raise InputError(f"input already has output column(s) {', '.join(clash)}: rename them first")
    result = compute(cohort, base_method=base_method, params=params)
    result.index = df.index
    return pd.concat([df, result], axis=1)


#: ``wuxian.contributions`` is this function (the package exports it under the module's name),
#: so the output contract is reachable from it: ``wuxian.contributions.OUTPUT_COLUMNS``.
contributions.OUTPUT_COLUMNS = OUTPUT_COLUMNS
