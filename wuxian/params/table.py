"""ParamTable (the validated rows) and ParamCube (the dense monthly lookup).

Examples
--------
>>> from wuxian.params import default_table
>>> cube = default_table().compile()
>>> key = cube.keys(np.array([0]), np.array([0]), np.array([month_index("2025-07")]))
>>> float(cube.field("employee_rate", "pension")[key][0])
0.08
"""

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from . import vocab
from ..months import month_index
from .resolve import Grid, resolve

ROUNDING_SCALE = {"0.01": 100.0, "0.1": 10.0, "1": 1.0}
ROUNDING_MODE = {m: i for i, m in enumerate(vocab.ROUNDING_MODES)}
#: Rounding ``x`` to a step is ``floor(x * scale + offset) / scale``; the offsets of half_up, up
#: and down carry a tolerance of 1e-7 step that absorbs the binary error of ``base * rate``
#: (0.145 * 100 = 14.499999999999998 must round half up to 15).
_EPS = 1e-7
ROUNDING_OFFSET = (0.5 + _EPS, 1.0 - _EPS, _EPS)
CUBE_FIELDS = ("employer_rate", "employee_rate", "employer_fixed", "employee_fixed",
               "base_floor", "base_cap", "rate_min", "rate_max")


@dataclass(frozen=True)
class ParamCube:
    """Parameters as dense arrays indexed by integer key and item.

    ``key = (city_code * n_categories + category_code) * n_months + (month - first_month)``;
    every field is an array of shape ``(n_items, n_keys)`` over :data:`vocab.ALL_ITEMS`.
    """

    fields: dict
    row_id: np.ndarray
    first_month: int
    n_months: int
    city_start: np.ndarray  # first covered integer month per city code
    city_end: np.ndarray

    def keys(self, city_code, category_code, month) -> np.ndarray:
        """Integer keys for arrays of city codes, category codes and integer months."""
        pos = np.asarray(month, dtype=np.int64) - self.first_month
        return (np.asarray(city_code, dtype=np.int64) * len(vocab.CATEGORIES)
                + np.asarray(category_code, dtype=np.int64)) * self.n_months + pos

    def field(self, name: str, item: str) -> np.ndarray:
        """The small per-key array of one field for one item (index it with keys)."""
        return self.fields[name][vocab.ALL_ITEMS.index(item)]

    def key_parts(self, key: int) -> tuple[str, str, int]:
        """(city, category, integer month) of a key, for messages."""
        rest, pos = divmod(int(key), self.n_months)
        ci, k = divmod(rest, len(vocab.CATEGORIES))
        return vocab.CITIES[ci], vocab.CATEGORIES[k], self.first_month + pos


@dataclass(frozen=True)
class ParamTable:
    """The validated parameter rows (one per city, category, item and period)."""

    rows: pd.DataFrame
    coverage: pd.DataFrame = field(repr=False)

    @cached_property
    def grid(self) -> Grid:
        return resolve(self.rows, self.coverage)

    def compile(self) -> ParamCube:
        """Compile to a :class:`ParamCube` (cached on the table)."""
        return self._cube

    @cached_property
    def _cube(self) -> ParamCube:
        grid = self.grid
        # (city, cat, month, item) -> (item, key)
        rid = np.moveaxis(grid.row_id, 3, 0).reshape(len(vocab.ALL_ITEMS), -1)
        none = rid < 0
        take = np.where(none, 0, rid)
        rows = self.rows
        fields = {}
        for name in CUBE_FIELDS:
            values = rows[name].to_numpy(dtype=np.float64)[take]
            values[none] = np.nan
            fields[name] = values
        # An item that is not charged (all rates and fixed amounts 0) needs no base.
        free = np.ones(rid.shape, dtype=bool)
        for name in ("employer_rate", "employee_rate", "employer_fixed", "employee_fixed"):
            free &= fields[name] == 0
        for name in ("base_floor", "base_cap"):
            fields[name] = np.where(free & np.isnan(fields[name]), 0.0, fields[name])
        applies = (rows["applies"] == "yes").to_numpy(dtype=np.float64)[take]
        fields["applies"] = np.where(none, np.nan, applies)
        mode, unit = rows["rounding"].str.split(":", expand=True).to_numpy().T
        fields["round_mode"] = np.array([ROUNDING_MODE[m] for m in mode])[take]
        fields["round_scale"] = np.array([ROUNDING_SCALE[u] for u in unit])[take]
        fields["round_offset"] = np.take(ROUNDING_OFFSET, fields["round_mode"])
        for side in ("employer", "employee"):
            fields[f"{side}_rate_scaled"] = fields[f"{side}_rate"] * fields["round_scale"]
        cov = self.coverage.reindex(list(vocab.CITIES))
        start = np.array([month_index(m) if isinstance(m, str) else 1 << 40
                          for m in cov["period_start"]])
        end = np.array([month_index(m) if isinstance(m, str) else -1 for m in cov["period_end"]])
        return ParamCube(fields=fields, row_id=rid, first_month=grid.first_month,
                         n_months=grid.n_months, city_start=start, city_end=end)

    def in_force(self, city: str, month: str) -> pd.DataFrame:
        """The rows in force for `city` in `month`, one per item and category, with sources.

        >>> from wuxian.params import default_table
        >>> t = default_table().in_force("shanghai", "2025-07")
        >>> t.loc[(t.item == "pension") & (t.category == "local_urban"), "employee_rate"].item()
        0.08
        """
        from ..errors import MissingParameterError

        if city not in vocab.CITIES:
            raise MissingParameterError(f"unknown city {city!r}; known: {', '.join(vocab.CITIES)}")
        m = month_index(month)
        cov = self.coverage.loc[city]
        if not month_index(cov["period_start"]) <= m <= month_index(cov["period_end"]):
            raise MissingParameterError(
                f"{month} is outside the data for {city} "
                f"({cov['period_start']}..{cov['period_end']})")
        grid = self.grid
        ci = vocab.CITIES.index(city)
        out = []
        for item_code, item in enumerate(vocab.ALL_ITEMS):
            for k, cat in enumerate(vocab.CATEGORIES):
                rid = grid.row_id[ci, k, m - grid.first_month, item_code]
                if rid >= 0:
                    out.append((item, cat, rid))
        frame = pd.DataFrame(out, columns=["item", "category", "rid"])
        picked = self.rows.iloc[frame["rid"]].drop(columns=["city", "category", "item"])
        return pd.concat([frame.drop(columns="rid"), picked.reset_index(drop=True)], axis=1)
