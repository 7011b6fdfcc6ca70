"""Papermill reports: one per city, one comparing the four cities, and the quickstart.

Each report is a notebook from ``notebooks/`` executed with papermill, then exported to one
self-contained HTML file (figures embedded as data URIs, no code and no prompts shown). The
notebook saves every figure as PNG and SVG and its key tables as CSV in the same folder::

    reports/shanghai_2025/shanghai_2025.html   .ipynb (executed)   *.png  *.svg  *.csv
    reports/compare_2025/compare_2025.html     ...

A report is built in a hidden temporary folder beside its own (``reports/.shanghai_2025.<pid>.
<random>.tmp``) and renamed into place only once complete, replacing the previous report; an
error, a full disk, Ctrl-C or SIGTERM removes the temporary folder and leaves the previous
report as it was. Temporary folders of runs that were killed are removed by the next run.

The request is checked before any notebook runs: an unknown city, a year the parameter data
does not cover, or a year (or city) the cohort has no rows for is a :class:`ReportError`
naming what is available. Reports show aggregates only (see :mod:`wuxian.plots`).

Examples
--------
>>> check_request("atlantis", 2016)
Traceback (most recent call last):
...
wuxian.report.ReportError: unknown city 'atlantis'; known: beijing, shanghai, guangzhou, shenzhen
"""

import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd

from .errors import InputError
from .params import CITIES
from .params.vocab import CITY_NAMES, CITY_ZH
from .resources import notebooks_dir

NOTEBOOKS = notebooks_dir()
KERNEL = "python3"


class ReportError(InputError):
    """A report that cannot be built (raised before any notebook runs)."""


# ---------------------------------------------------------------- checks
def normalise_city(city: str) -> str:
    """``"上海"`` or ``"Shanghai "`` -> ``"shanghai"``; unknown cities raise ReportError."""
    name = CITY_NAMES.get(str(city).strip(), CITY_NAMES.get(str(city).strip().lower()))
    if name is None:
        raise ReportError(f"unknown city {city!r}; known: {', '.join(CITIES)}")
    return name


def _cohort_path(cohort) -> Path:
    from .samples import SAMPLE_PATH

    path = Path(cohort) if cohort else SAMPLE_PATH
    if not path.exists():
        raise ReportError(f"cohort file not found: {path}")
    return path


def _cohort_param(cohort) -> str:
    """The cohort's absolute path, for a notebook running in another folder."""
    return str(_cohort_path(cohort).resolve())


def _cohort_months(cohort) -> pd.DataFrame:
    """Distinct (city, month) pairs of the cohort file."""
    from .io import read_payroll
    from .schema import canonical_columns, city_names

    df = read_payroll(_cohort_path(cohort))
    df = df.rename(columns=canonical_columns(df.columns))
    missing = [c for c in ("employee_id", "city", "month", "wage") if c not in df.columns]
    if missing:
        raise ReportError(f"cohort has no column {', '.join(missing)}")
    pairs = df[["city", "month"]].astype(str).drop_duplicates()
    pairs["city"] = city_names(pairs["city"], keep_unknown=True)
    pairs["year"] = pairs["month"].str[:4]
    return pairs


def default_year(cohort=None) -> int:
    """The latest year in which the cohort has all 12 months for every city it holds."""
    pairs = _cohort_months(cohort)
    n = pairs.groupby(["year", "city"])["month"].nunique().unstack().min(axis=1)
    full = n[n >= 12]
    return int((full if len(full) else n).index.max())


def check_request(city, year, cohort=None, cities=None) -> tuple:
    """Check a report request before running anything; return ``(cities, year)``.

    `city` None means all four cities (the comparison).
    """
    cities = [normalise_city(c) for c in (cities or ([city] if city else CITIES))]
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ReportError(f"year must be a number like 2025, not {year!r}") from None
    from .params import default_table
    from .params.coverage import coverage

    cov = coverage(default_table())
    for c in cities:
        row = cov[(cov["city"] == c) & (cov["year"] == year)]
        if row.empty or float(row["share_missing"].iloc[0]) >= 1.0:
            years = cov.loc[(cov["city"] == c) & (cov["share_missing"] < 1.0), "year"]
            raise ReportError(f"no parameter data for {c} in {year}; covered years: "
                              f"{years.min()}-{years.max()}")
    _check_complete(cities, year)
    pairs = _cohort_months(cohort)
    for c in cities:
        have = pairs[(pairs["city"] == c)]
        if have.empty:
            raise ReportError(f"the cohort has no rows for {c}")
        if not (have["year"] == str(year)).any():
            raise ReportError(f"the cohort has no rows for {c} in {year}; its months for {c} "
                              f"run {have['month'].min()}..{have['month'].max()}")
    return cities, year


def _check_complete(cities, year: int) -> None:
    """Every item a report computes must resolve in `year`: a blank value is an error that
    names city, item and months (the engine would stop half-way through the notebook)."""
    from .months import month_label
    from .params import default_table
    from .params.coverage import cell_status
    from .samples import ITEMS_NOT_SAMPLED

    cells = cell_status(default_table())
    cells = cells[cells["city"].isin(cities) & (cells["month"] // 12 == year)
                  & (cells["status"] == "missing") & ~cells["item"].isin(ITEMS_NOT_SAMPLED)]
    if len(cells):
        first = cells.groupby(["city", "item"])["month"].agg(["min", "max"])
        where = "; ".join(f"{c} {i} {month_label(lo)}..{month_label(hi)}"
                          for (c, i), (lo, hi) in first.head(4).iterrows())
        raise ReportError(f"parameter data incomplete in {year}: {where}"
                          + (" ..." if len(first) > 4 else "")
                          + "; choose another year (wuxian params coverage)")


# ---------------------------------------------------------------- execution
def _execute(notebook: str, name: str, out, parameters: dict, show_code: bool) -> Path:
    """Run `notebook` with papermill and export ``name.html``, into ``out/name/``.

    Everything is written to a hidden temporary folder beside ``out/name`` (the notebook runs
    there, with ``out="."``) that replaces ``out/name`` only when complete; any exception
    (a failing cell, a full disk, KeyboardInterrupt) removes it and leaves a previous report
    untouched. Leftovers of killed runs are removed first.
    """
    from .io import remove_stale_temps, temp_path

    final = Path(out) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(final)
    work = temp_path(final, directory=True)
    try:
        _render(notebook, name, work, parameters, show_code, final)
        _move_into_place(work, final)
    except BaseException:
        _remove(work)
        raise
    return final / f"{name}.html"


def _render(notebook: str, name: str, folder: Path, parameters: dict, show_code: bool,
            final: Path) -> None:
    """Execute `notebook` into `folder` and export ``folder/name.html``."""
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter

    executed = folder / f"{name}.ipynb"
    params = dict(parameters, out=".")  # the kernel runs in `folder`: no temporary path shown
    try:
        pm.execute_notebook(str(NOTEBOOKS / notebook), str(executed), parameters=params,
                            kernel_name=KERNEL, progress_bar=False, log_output=False,
                            cwd=str(folder))
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"{notebook} failed in cell {exc.exec_count}: {exc.ename}: "
                          f"{exc.evalue}; no report was written to {final}") from None
    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    body = strip_remote_scripts(body)
    with open(folder / f"{name}.html", "w", encoding="utf-8") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())


def _move_into_place(work: Path, final: Path) -> None:
    """Rename the complete folder `work` to `final`. A previous `final` is first renamed to
    a hidden temporary name (put back if the second rename fails), then deleted."""
    from .io import current_umask, temp_path

    os.chmod(work, 0o777 & ~current_umask())  # mkdtemp made it private (0700)
    if not (final.exists() or final.is_symlink()):
        os.replace(work, final)
        return
    old = temp_path(final, directory=final.is_dir() and not final.is_symlink())
    try:
        os.replace(final, old)
        os.replace(work, final)
    except BaseException:
        if not os.path.lexists(final):
            os.replace(old, final)  # the previous report back where it was
        else:
            _remove(old)
        raise
    _remove(old)


def _remove(path: Path) -> None:
    """Delete a file or folder, ignoring errors (a killed run's leftovers are removed later)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def strip_remote_scripts(body: str) -> str:
    """Drop the template's scripts (require.js, MathJax, mermaid loaders, all from a CDN):
    the reports need no JavaScript, and a report must open offline exactly as it was built.

    >>> strip_remote_scripts('<p>a</p><script src="https://x.org/r.js"></script><p>b</p>')
    '<p>a</p><p>b</p>'
    """
    return re.sub(r"<script\b[^>]*>.*?</script>\s*", "", body, flags=re.S | re.I)


def build_city(city, year=None, cohort=None, out="reports") -> Path:
    """Build the report for one city; return the HTML path."""
    year = default_year(cohort) if year is None else year
    (city,), year = check_request(city, year, cohort)
    return _execute("city_report.ipynb", f"{city}_{year}", out,
                    {"city": city, "year": year, "cohort": _cohort_param(cohort)}, False)


def build_compare(year=None, cohort=None, out="reports") -> Path:
    """Build the four-city comparison; return the HTML path."""
    year = default_year(cohort) if year is None else year
    _, year = check_request(None, year, cohort)
    return _execute("compare_cities.ipynb", f"compare_{year}", out,
                    {"year": year, "cohort": _cohort_param(cohort)}, False)


def build_quickstart(cohort=None, out="reports") -> Path:
    """Run the quickstart notebook (code shown) and export it."""
    return _execute("quickstart.ipynb", "quickstart", out,
                    {"cohort": _cohort_param(cohort)}, True)


def build_all(year=None, cohort=None, out="reports") -> list:
    """The four city reports and the comparison (all checked before the first runs)."""
    year = default_year(cohort) if year is None else year
    check_request(None, year, cohort)
    return [build_city(c, year, cohort, out) for c in CITIES] + [build_compare(year, cohort, out)]


# ---------------------------------------------------------------- CLI (wired by wuxian.cli)
def add_parser(subparsers):
    """``wuxian report --city C --year Y [--cohort IN] [--out DIR]`` or ``--all``."""
    r = subparsers.add_parser("report", help="papermill HTML reports: one city, or --all "
                              "(four cities + comparison)")
    which = r.add_mutually_exclusive_group(required=True)
    which.add_argument("--city", help=", ".join(f"{c} ({CITY_ZH[c]})" for c in CITIES))
    which.add_argument("--all", action="store_true",
                       help="the four city reports and the comparison")
    which.add_argument("--compare", action="store_true", help="only the comparison")
    which.add_argument("--quickstart", action="store_true", help="only the quickstart")
    r.add_argument("--year", type=int,
                   help="default: the latest year with 12 months in the cohort")
    r.add_argument("--cohort", type=Path, help="payroll file (default: the bundled sample)")
    r.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    r.set_defaults(func=run)
    return r


def run(args) -> int:
    """Run the ``report`` subcommand; raises ReportError (a WuxianError) on a bad request."""
    import sys

    start = time.perf_counter()
    if args.all:
        paths = build_all(args.year, args.cohort, args.out)
    elif args.compare:
        paths = [build_compare(args.year, args.cohort, args.out)]
    elif args.quickstart:
        paths = [build_quickstart(args.cohort, args.out)]
    else:
        paths = [build_city(args.city, args.year, args.cohort, args.out)]
    for p in paths:
        print(p)
    print(f"{len(paths)} report(s) in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    """``python -m wuxian.report ...`` (same arguments as ``wuxian report``), run by
    :func:`wuxian.cli.main`: any failure prints ``error: ...`` and exits with status 2."""
    import sys

    from .cli import main as cli_main

    return cli_main(["report"] + list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    raise SystemExit(main())
