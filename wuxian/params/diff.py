"""What changed between two versions of the parameter dataset, as changelog lines.

Both versions are resolved to one value per city, concrete category, item and month (the row a
cohort row would use), so a period split in two, a row moved from ``all`` to a concrete
category or a reordered file is not a change; a value that differs, appears or disappears is.
Consecutive months and categories with the same change are merged into one line, which names
the new row's source (the document the CHANGELOG must cite).

``wuxian params diff --since REV`` compares the bundled data with git revision ``REV``.

Examples
--------
>>> from wuxian.params import default_table
>>> t = default_table()
>>> len(diff_tables(t, t))
0
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import vocab
from ..months import month_label

#: The fields whose values a change is reported for (sources and notes are not values).
VALUE_FIELDS = ("employer_rate", "employee_rate", "employer_fixed", "employee_fixed",
                "base_floor", "base_cap", "rate_min", "rate_max", "rounding", "applies")
#: The fields shown for a newly covered month (zeros and blanks left out).
SHOWN = VALUE_FIELDS[:6]


def resolved_frame(table) -> pd.DataFrame:
    """One row per city, concrete category, item and covered month with the values in force.

    Columns: ``city, category, item, month`` (integer month), the :data:`VALUE_FIELDS` and
    ``source`` of the data row that applies. Months without a row are left out.
    """
    grid = table.grid
    rid = grid.row_id  # (city, category, month, item)
    c, k, m, i = np.nonzero(rid >= 0)
    rows = table.rows.iloc[rid[c, k, m, i]]
    out = pd.DataFrame({
        "city": np.asarray(vocab.CITIES)[c],
        "category": np.asarray(vocab.CATEGORIES)[k],
        "item": np.asarray(vocab.ALL_ITEMS)[i],
        "month": grid.first_month + m,
    })
    for name in VALUE_FIELDS + ("source",):
        out[name] = rows[name].to_numpy()
    return out


def _text(value) -> str:
    if isinstance(value, float):
        return "blank" if np.isnan(value) else f"{value:g}"
    return "blank" if value is None or value == "" else str(value)


def _new_values(values) -> str:
    """A newly covered month's values: the non-zero ones, else why there are none.

    >>> _new_values((0.005, 0.0, 0.0, 0.0, 2757.0, 13785.0, "yes"))
    'employer_rate 0.005, base_floor 2757, base_cap 13785'
    >>> _new_values((np.nan, 0.0, 0.0, 0.0, np.nan, np.nan, "yes"))
    'employer_rate blank'
    """
    *shown, applies = values
    if applies == "no":
        return "does not apply (by rule)"
    blank = [name for name, v in zip(SHOWN[:2], shown) if _text(v) == "blank"]
    if blank:
        return " and ".join(blank) + " blank"  # blank = not found (data README)
    return ", ".join(f"{name} {_text(v)}" for name, v in zip(SHOWN, shown)
                     if _text(v) not in ("0", "blank")) or "not charged"


def diff_tables(old, new) -> pd.DataFrame:
    """The changed values between two :class:`ParamTable` versions, merged into ranges.

    Returns one row per (city, item, change, month range) with columns ``city, item,
    categories, first, last, change, source``; ``change`` reads ``field old → new; ...``
    (``blank`` for a missing value), ``newly covered: ...`` for a month only the new version
    covers, or ``removed (month no longer covered)``.
    """
    keys = ["city", "category", "item", "month"]
    both = resolved_frame(old).merge(resolved_frame(new), on=keys, how="outer",
                                     suffixes=("_old", "_new"), indicator=True)
    parts = []
    for name in VALUE_FIELDS:
        a, b = both[f"{name}_old"], both[f"{name}_new"]
        same = (a == b) | (a.isna() & b.isna())
        text = pd.Series("", index=both.index)
        changed = ~same & (both["_merge"] == "both")
        text[changed] = [f"{name} {_text(x)} → {_text(y)}" for x, y in zip(a[changed], b[changed])]
        parts.append(text)
    change = pd.concat(parts, axis=1).agg(lambda r: "; ".join(t for t in r if t), axis=1) \
        if len(both) else pd.Series(dtype=str)
    change[both["_merge"] == "left_only"] = "removed (month no longer covered)"
    added = both["_merge"] == "right_only"
    change[added] = ["newly covered: " + _new_values(values) for values in both.loc[
        added, [f"{n}_new" for n in SHOWN + ("applies",)]].itertuples(index=False)]
    both["change"] = change
    both["source"] = both["source_new"].fillna(both["source_old"]).fillna("")
    both = both[both["change"] != ""]
    if both.empty:
        return pd.DataFrame(columns=["city", "item", "categories", "first", "last", "change",
                                     "source"])
    both = both.sort_values(keys)
    # consecutive months with the same change form one range per category
    step = ((both["month"].diff() != 1)
            | (both[["city", "category", "item", "change"]] != both[
                ["city", "category", "item", "change"]].shift()).any(axis=1)).cumsum()
    ranges = both.groupby(step, sort=False).agg(
        city=("city", "first"), category=("category", "first"), item=("item", "first"),
        change=("change", "first"), source=("source", "first"),
        first=("month", "min"), last=("month", "max"))
    # the same change over the same range in several categories is one line
    out = ranges.groupby(["city", "item", "first", "last", "change", "source"], sort=False)[
        "category"].agg(_categories).reset_index(name="categories")
    out["first"] = [month_label(m) for m in out["first"]]
    out["last"] = [month_label(m) for m in out["last"]]
    return out[["city", "item", "categories", "first", "last", "change", "source"]]


def _categories(names) -> str:
    names = set(names)
    for group, members in vocab.CATEGORY_MEMBERS.items():
        if names == set(members):
            return group
    return ", ".join(c for c in vocab.CATEGORIES if c in names)


#: Longest source text quoted in a changelog line.
SOURCE_CHARS = 160


def changelog_lines(diff: pd.DataFrame) -> list[str]:
    """Markdown bullets, one per changed range, naming the new row's first source.

    >>> d = pd.DataFrame([dict(city="guangzhou", item="unemployment", categories="all",
    ...     first="2021-07", last="2022-06", change="base_floor blank → 2100",
    ...     source="穗人社发〔2021〕1号 ; a mirror")])
    >>> changelog_lines(d)
    ['- Guangzhou unemployment 2021-07..2022-06 (all): base_floor blank → 2100 (穗人社发〔2021〕1号)']
    """
    lines = []
    for r in diff.itertuples(index=False):
        source = r.source.split(" ; ")[0].split(" | ")[0].strip() or "no source given"
        if len(source) > SOURCE_CHARS:
            source = source[:SOURCE_CHARS - 1] + "…"
        span = r.first if r.first == r.last else f"{r.first}..{r.last}"
        lines.append(f"- {r.city.capitalize()} {r.item} {span} ({r.categories}): {r.change} "
                     f"({source})")
    return lines


def table_at_revision(revision: str, data_dir: Path):
    """Load the parameter dataset as it was at git ``revision`` (files read with ``git show``).

    Raises :class:`wuxian.errors.ParameterError` when git cannot read the folder at that
    revision.
    """
    from ..errors import ParameterError
    from .load import load

    data_dir = Path(data_dir).resolve()
    top = data_dir

    def git(*args) -> str:
        done = subprocess.run(["git", *args], cwd=top, capture_output=True, text=True)
        if done.returncode:
            raise ParameterError(f"git {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    top = Path(git("rev-parse", "--show-toplevel").strip())
    folder = data_dir.relative_to(top).as_posix()
    names = git("ls-tree", "--name-only", revision, "--", f"{folder}/").split()
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if name.endswith(".csv"):
                text = git("show", f"{revision}:{name}")
                (Path(tmp) / Path(name).name).write_text(text, encoding="utf-8")
        return load(tmp, complete=False)  # the data may predate an item required today
