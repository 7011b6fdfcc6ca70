"""Synthetic payroll: a realistic sample cohort and large frames for benchmarks.

Nothing here is real data. :func:`make_cohort` draws employers and employees in the four
cities with log-normal wages, yearly raises, hires and leavers, employers that declare only the
basic salary, employer housing-fund rates and Shenzhen medical tiers. :func:`make_synthetic`
makes millions of rows fast for timing. ``python -m wuxian.samples`` writes
``data/samples/cohort.csv``.

Examples
--------
>>> df = make_cohort(20, 3)
>>> len(df) <= 60, sorted(df.city.unique()) == sorted(set(df.city))
(True, True)
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from .datafiles import read_data_csv
from .errors import ParameterError
from .months import month_range, parse_months
from .params import vocab
from .params.vocab import CATEGORIES
from .resources import data_path

SEED = 20240701


def _settings() -> pd.DataFrame:
    """Per-city sample settings, ``data/samples/sample_cities.csv`` (cities of the registry)."""
    numeric = ["share", "wage_median", "wage_sigma", *CATEGORIES, "tier2_share"]
    frame, lines = read_data_csv(data_path("samples", "sample_cities.csv"),
                                 "data/samples/sample_cities.csv",
                                 required=["city", *numeric, "source"], numeric=numeric)
    unknown = ~frame["city"].isin(vocab.CITIES).to_numpy()
    if unknown.any():
        raise ParameterError(f"data/samples/sample_cities.csv line {lines[unknown][0]}: a city "
                             "not in data/registry/cities.csv")
    return frame


_SETTINGS = _settings()
#: The sample's cities, their share of employees, median monthly wage (yuan, 2024) and log-sd,
#: category shares (rows: cities; columns: CATEGORIES) and medical tier-2 share.
CITIES = tuple(_SETTINGS["city"])
CITY_SHARE = _SETTINGS["share"].to_numpy()
WAGE_MEDIAN = _SETTINGS["wage_median"].to_numpy(dtype=float)
WAGE_SIGMA = _SETTINGS["wage_sigma"].to_numpy()
CATEGORY_SHARE = _SETTINGS[list(CATEGORIES)].to_numpy()
TIER2_SHARE = _SETTINGS["tier2_share"].to_numpy()
#: Codes of the sample's cities in the parameter cube (the registry's order).
_CUBE_CITY = np.array([vocab.CITIES.index(c) for c in CITIES])

YEARLY_RAISE = 0.05
#: Average wage growth used to move the 2024 wage levels to the sample's window (about the
#: growth of urban average wages 2012-2024, 国家统计局).
HISTORIC_GROWTH = 0.07
#: Employer declaration patterns: the full wage (lawful), the basic salary, or the floor.
DECLARE_PATTERNS = ("full_wage", "basic_salary", "floor")
DECLARE_SHARE = np.array([0.65, 0.25, 0.10])
#: Hukou places of non-local workers (large sending cities; any city name is accepted).
HOMETOWNS = ("chengdu", "wuhan", "changsha", "zhengzhou", "hefei", "nanchang")
SHARE_OWN_HF_RATE = 0.30  # employers with their own housing-fund rate
SAMPLE_PATH = data_path("samples", "cohort.csv")
#: Parameter items the sample never charges: it has Shenzhen tier-2 members but no tier 3.
ITEMS_NOT_SAMPLED = ("medical_tier3", "maternity_tier3")


def latest_complete_window(n_months: int = 24, table=None) -> str:
    """First month of the latest `n_months` run in which every city's data is complete.

    Complete: no missing value for any item and category the sample uses (Shenzhen tier 3,
    abolished in 2023, is not drawn). The sample cohort follows the data: as gaps are filled,
    the window moves to the latest months.

    >>> len(latest_complete_window(12))
    7

    Raises InputError unless `n_months` is a whole number >= 1, or when no window
    qualifies; the message says why (cities without data, or the longest complete run).
    """
    from .errors import InputError
    from .months import month_label
    from .params import default_table
    from .params.coverage import cell_status

    if isinstance(n_months, bool) or not isinstance(n_months, (int, np.integer)) \
            or n_months < 1:
        raise InputError(f"n_months: {n_months!r} is not a whole number of at least 1")
    cells = cell_status(table or default_table())
    cells = cells[~cells["item"].isin(ITEMS_NOT_SAMPLED) & (cells["status"] != "not_applicable")]
    per_month = cells.groupby("month")["status"].agg(lambda s: not (s == "missing").any())
    per_city = cells.groupby("month")["city"].nunique() == len(CITIES)
    ok = per_month & per_city
    good = np.sort(ok.index[ok.to_numpy()].to_numpy())
    run_start = good[np.r_[True, np.diff(good) != 1][:good.size]]  # first month of each run
    run_of = run_start[np.searchsorted(run_start, good, side="right") - 1]
    ends = good[good - run_of + 1 >= n_months]  # months that close a long enough window
    if ends.size == 0:
        absent = [c for c in CITIES if c not in set(cells["city"])]
        if absent:
            why = f"the parameter data has no months for {', '.join(absent)}"
        elif good.size == 0:
            why = "no month has complete data (no missing value) for every city"
        else:
            length = good - run_of + 1
            last = int(np.argmax(length))  # the earliest longest run
            why = (f"the longest run of complete months is {int(length[last])} "
                   f"({month_label(int(run_of[last]))}..{month_label(int(good[last]))})")
        raise InputError(f"no {n_months}-month window with complete parameter data for all of "
                         f"{', '.join(CITIES)}: {why}")
    best = int(ends.max()) - n_months + 1
    return month_label(best)


def make_cohort(n_employees: int = 3000, months=24, seed: int = SEED) -> pd.DataFrame:
    """A synthetic payroll cohort, one row per employee-month.

    Parameters
    ----------
    n_employees : int
        Number of employees (about 20 per employer).
    months : int or sequence of str
        Number of months (the latest window with complete data for all four cities, see
        :func:`latest_complete_window`), or the ``YYYY-MM`` labels themselves.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same frame.

    Returns
    -------
    DataFrame
        ``employee_id`` (E00001), ``employer_id`` (C0001), ``city`` (pinyin), ``month``,
        ``wage``, ``base_salary``, ``declared_base`` (the lawful base — prior-year average
        wage — for employers that declare the full wage; the basic salary or the city's floor
        for the others), ``category``, ``hf_rate``
        (blank unless the employer sets one), ``medical_tier`` (blank; 2 for some Shenzhen
        nonlocal workers), ``birth_month``, ``sex``, ``track``, ``hukou_city`` and
        ``declare_pattern`` (full_wage / basic_salary / floor). About 85% of the employees
        stay all months; the rest join late or leave early.

    Examples
    --------
    >>> a, b = make_cohort(50, 6, seed=1), make_cohort(50, 6, seed=1)
    >>> a.equals(b), list(a.columns[:4])
    (True, ['employee_id', 'employer_id', 'city', 'month'])
    """
    labels = (month_range(latest_complete_window(months), months) if isinstance(months, int)
              else list(months))
    n_months = len(labels)
    rng = np.random.default_rng(seed)
    n_employers = max(1, n_employees // 20)

    # Employers: city, own housing-fund rate (whole percent), declares the basic salary.
    er_city = rng.choice(len(CITIES), size=n_employers, p=CITY_SHARE)
    lo, hi = _hf_rate_range(labels)
    er_hf = np.where(rng.random(n_employers) < SHARE_OWN_HF_RATE,
                     rng.integers(lo[er_city], hi[er_city] + 1) / 100.0, np.nan)
    er_pattern = rng.choice(len(DECLARE_PATTERNS), size=n_employers, p=DECLARE_SHARE)
    er_size = rng.lognormal(0.0, 0.8, n_employers)  # uneven employer sizes

    # Employees.
    employer = rng.choice(n_employers, size=n_employees, p=er_size / er_size.sum())
    city = er_city[employer]
    u = rng.random(n_employees)[:, None]
    category = (u > np.cumsum(CATEGORY_SHARE[city], axis=1)).sum(axis=1).clip(0, 3)
    level = (1 + HISTORIC_GROWTH) ** (int(labels[0][:4]) - 2024)  # 2024 medians to the window
    wage0 = rng.lognormal(np.log(WAGE_MEDIAN[city] * level), WAGE_SIGMA[city])
    basic_share = rng.uniform(0.5, 0.8, n_employees)
    tier2 = (category >= 2) & (rng.random(n_employees) < TIER2_SHARE[city])
    stay = rng.random(n_employees) < 0.85
    start = np.where(stay, 0, rng.integers(0, n_months, n_employees))
    length = np.where(stay, n_months, rng.integers(1, n_months + 1, n_employees))
    end = np.minimum(start + length, n_months)

    # Employee-months.
    emp = np.repeat(np.arange(n_employees), n_months)
    mon = np.tile(np.arange(n_months), n_employees)
    keep = (mon >= start[emp]) & (mon < end[emp])
    emp, mon = emp[keep], mon[keep]
    years = pd.PeriodIndex(labels, freq="M").year.to_numpy()
    raise_ = (1 + YEARLY_RAISE) ** (years - years[0])
    wage = np.round(wage0[emp] * raise_[mon] * rng.lognormal(0.0, 0.04, len(emp)), 2)
    base_salary = np.round(wage * basic_share[emp], 2)
    pattern = er_pattern[employer[emp]]
    declared = np.where(pattern == 1, base_salary, np.nan)
    floor_rows = pattern == 2
    declared[floor_rows] = _pension_floor(city[emp][floor_rows], category[emp][floor_rows],
                                          np.array(labels)[mon][floor_rows])
    # Birth month (ages 22-58 in 2024), sex and retirement track, hukou city.
    birth = rng.integers(1966 * 12, 2002 * 12, n_employees)
    male = rng.random(n_employees) < 0.55
    track = np.where(male, "male", np.where(rng.random(n_employees) < 0.7, "female_55",
                                            "female_50"))
    local = category < 2
    hukou = np.where(local, np.array(CITIES)[city],
                     np.array(HOMETOWNS)[rng.integers(0, len(HOMETOWNS), n_employees)])

    frame = pd.DataFrame({
        "employee_id": np.char.add("E", np.char.zfill(np.arange(1, n_employees + 1).astype(str),
                                                      5))[emp],
        "employer_id": np.char.add("C", np.char.zfill(np.arange(1, n_employers + 1).astype(str),
                                                      4))[employer[emp]],
        "city": np.array(CITIES)[city[emp]],
        "month": np.array(labels)[mon],
        "wage": wage,
        "base_salary": base_salary,
        "declared_base": declared,
        "category": np.array(CATEGORIES)[category[emp]],
        "hf_rate": er_hf[employer[emp]],
        "medical_tier": pd.array(np.where(tier2[emp], 2, pd.NA), dtype="Int8"),
        "birth_month": [f"{b // 12:04d}-{b % 12 + 1:02d}" for b in birth[emp]],
        "sex": np.where(male, "M", "F")[emp],
        "track": track[emp],
        "hukou_city": hukou[emp],
        "declare_pattern": np.array(DECLARE_PATTERNS)[pattern],
    })
    # A compliant employer declares the lawful base: the prior-year average wage (人社部令第20号
    # art. 8), the first month's wage for new hires.
    from .base import prior_year_average
    from .schema import validate_payroll

    lawful, _ = prior_year_average(validate_payroll(frame))
    full = pattern == 0
    frame.loc[full, "declared_base"] = lawful[full]
    return frame


def _hf_rate_range(labels) -> tuple[np.ndarray, np.ndarray]:
    """Per city, the whole-percent housing-fund rates allowed in every month of `labels`."""
    from .params import default_table

    cube = default_table().compile()
    months = parse_months(list(labels))
    lo, hi = [], []
    for code in _CUBE_CITY:
        key = cube.keys(code, 0, months)
        lo.append(int(np.ceil(np.nanmax(cube.field("rate_min", "housing_fund")[key]) * 100 - 1e-9)))
        hi.append(int(np.floor(np.nanmin(cube.field("rate_max", "housing_fund")[key]) * 100 + 1e-9)))
    return np.array(lo), np.array(hi)


def _pension_floor(city_code, category_code, labels) -> np.ndarray:
    """The pension base floor in force (what a floor-only employer declares)."""
    from .params import default_table

    cube = default_table().compile()
    uniq, inv = np.unique(labels, return_inverse=True)
    months = parse_months(list(uniq))[inv]
    return cube.field("base_floor", "pension").take(cube.keys(_CUBE_CITY[city_code], category_code,
                                                              months))


def make_synthetic(n_rows: int, seed: int = SEED, months=24, cities=CITIES) -> pd.DataFrame:
    """A large frame for benchmarks: ``n_rows`` employee-months, fast to build.

    Employees have consecutive months of the latest window with complete data (``months``
    each, the last one fewer),
    each in one of `cities`; ``employee_id`` is an integer, ``city``, ``month`` and
    ``category`` are pandas Categoricals, ``wage`` log-normal around 10000.

    Examples
    --------
    >>> df = make_synthetic(50, months=12)
    >>> len(df), df["month"].dtype.name, df["employee_id"].nunique()
    (50, 'category', 5)
    """
    rng = np.random.default_rng(seed)
    labels = month_range(latest_complete_window(months), months)
    row = np.arange(n_rows)
    emp = row // months
    n_emp = int(emp[-1]) + 1 if n_rows else 0
    city = np.array([CITIES.index(c) for c in cities], dtype=np.int8)[
        rng.integers(0, len(cities), n_emp)]
    category = rng.integers(0, len(CATEGORIES), n_emp).astype(np.int8)
    wage0 = rng.lognormal(np.log(10000.0), 0.6, n_emp)
    return pd.DataFrame({
        "employee_id": emp,
        "city": pd.Categorical.from_codes(city[emp], categories=list(CITIES)),
        "month": pd.Categorical.from_codes((row % months).astype(np.int16), categories=labels),
        "wage": np.round(wage0[emp] * rng.lognormal(0.0, 0.05, n_rows), 2),
        "category": pd.Categorical.from_codes(category[emp], categories=list(CATEGORIES)),
    })


def main(argv=None) -> int:
    """Write the sample cohort (default ``data/samples/cohort.csv``).

    >>> callable(main)
    True
    """
    parser = argparse.ArgumentParser(prog="python -m wuxian.samples", description=__doc__)
    parser.add_argument("--out", type=Path, default=SAMPLE_PATH)
    parser.add_argument("--employees", type=int, default=3000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    from .io import write_table

    args.out.parent.mkdir(parents=True, exist_ok=True)
    df = make_cohort(args.employees, args.months, args.seed)
    write_table(df, args.out)
    print(f"wrote {args.out}: {len(df)} rows, {df.employee_id.nunique()} employees")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
