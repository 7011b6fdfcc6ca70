"""The parameters in force, as a readable text table (``wuxian params --city --month``)."""

import pandas as pd


def same_across_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Collapse rows that are equal for every category into one row with category ``all``."""
    value_cols = [c for c in frame.columns if c not in ("category",)]
    out = []
    for item, group in frame.groupby("item", sort=False):
        body = group[value_cols].astype(str)
        if len(group) > 1 and (body.nunique(dropna=False) == 1).all():
            row = group.iloc[[0]].copy()
            row["category"] = "all"
            out.append(row)
        else:
            out.append(group)
    return pd.concat(out, ignore_index=True)


def format_params(frame: pd.DataFrame, city: str, month: str) -> str:
    """A readable text table of :meth:`ParamTable.in_force` rows with numbered sources.

    >>> f = pd.DataFrame({"item": ["pension"], "category": ["local_urban"],
    ...     "employer_rate": [0.16], "employee_rate": [0.08], "employer_fixed": [0.0],
    ...     "employee_fixed": [0.0], "base_floor": [7460.0], "base_cap": [37302.0],
    ...     "rounding": ["half_up:0.01"], "source": ["沪人社规〔2025〕"], "confidence": ["high"],
    ...     "notes": [""]})
    >>> print(format_params(f, "shanghai", "2025-07"))  # doctest: +NORMALIZE_WHITESPACE
    shanghai 2025-07
       item    category employer employee floor   cap     rounding      confidence source
    pension local_urban  16%       8%      7460  37302   half_up:0.01  high       [1]
    <BLANKLINE>
    [1] 沪人社规〔2025〕
    """
    frame = same_across_categories(frame)
    sources = list(dict.fromkeys(frame["source"]))

    def pct(rate, fixed):
        text = "" if pd.isna(rate) else f"{rate * 100:.4g}%"
        if pd.notna(fixed) and fixed:
            text = f"{text} + {fixed:g}" if text else f"{fixed:g}"
        return text or "-"

    def num(x):
        return "-" if pd.isna(x) else f"{x:.10g}"

    show = pd.DataFrame({
        "item": frame["item"],
        "category": frame["category"],
        "employer": [pct(r, f) for r, f in zip(frame["employer_rate"], frame["employer_fixed"])],
        "employee": [pct(r, f) for r, f in zip(frame["employee_rate"], frame["employee_fixed"])],
        "floor": frame["base_floor"].map(num),
        "cap": frame["base_cap"].map(num),
        "rounding": frame["rounding"],
        "confidence": frame["confidence"],
        "source": [f"[{sources.index(s) + 1}]" for s in frame["source"]],
    })
    lines = [f"{city} {month}", show.to_string(index=False), ""]
    lines += [f"[{i}] {s}" for i, s in enumerate(sources, 1)]
    notes = [(r.item, r.category, r.notes) for r in frame.itertuples() if r.notes]
    if notes:
        lines += ["", "notes:"] + [f"  {i} ({c}): {n}" for i, c, n in notes]
    return "\n".join(lines)
