"""The ``wuxian`` command: the only module that knows about files, arguments and progress bars.

``wuxian contributions IN [--out OUT] [--base-method M]`` computes the output contract for a
payroll file; ``wuxian gap IN [--by COL ...]`` the declared-base gap (rows or a summary).
Both stream CSV and parquet inputs in chunks with bounded memory (:mod:`wuxian.stream`: a
first pass checks every row and collects each employee's yearly wages, a second computes and
appends to a temporary file renamed at the end); ``--engine memory`` reads the whole file
(always for .xlsx); ``--engine dask`` runs :mod:`wuxian.dask` on a LocalCluster or on
``--scheduler ADDRESS``.
``wuxian params --city C --month YYYY-MM`` prints the parameters in force with their sources,
``wuxian params coverage [--markdown]`` how complete and how sure the data is, ``wuxian params
diff --since REV`` the changelog lines for every value changed since git revision REV. A wuxian error
prints ``error: <message>`` on stderr and exits with status 2; no output file is written unless
everything succeeded (an existing one is left as it was).

Examples
--------
>>> main(["params", "--city", "atlantis", "--month", "2025-07"])
2
"""

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from . import columns, io
from .base import BASE_METHODS
from .chunks import compute_chunked
from .errors import InputError, WuxianError
from .stream import DEFAULT_CHUNK_ROWS

EXIT_ERROR = 2
ENGINES = ("stream", "memory", "dask")


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1.

    >>> positive_int("3")
    3
    >>> positive_int("-5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '-5' is not a whole number of at least 1
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def _add_file_options(c, what: str = "input") -> None:
    """``--sheet`` and ``--no-escape-formulas``: the options of every command reading a user
    file and writing a table."""
    c.add_argument("--sheet", metavar="NAME",
                   help=f"the {what} workbook's sheet (.xlsx; needed when several hold data)")
    c.add_argument("--no-escape-formulas", dest="escape_formulas", action="store_false",
                   help="write text cells starting with = + - @ as they are (default: a leading "
                        "' so that spreadsheets do not run them as formulas)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wuxian", description="五险一金 for payroll cohorts")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_, suffix in (
            ("contributions", "employer and employee contributions per row", "_contributions"),
            ("gap", "declared base vs full wage: what is not paid", "_gap")):
        c = sub.add_parser(name, help=help_, epilog=columns.help_text("input", used_by=name),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        c.add_argument("input", type=Path, help="payroll file (.csv, .xlsx, .parquet)")
        c.add_argument("--out", type=Path, help="output .csv, .xlsx or .parquet "
                       f"(default: INPUT's stem + {suffix}.csv beside it)")
        c.add_argument("--base-method", default="prior_year_average",
                       choices=BASE_METHODS)
        c.add_argument("--params", type=Path, help="parameter folder (default: bundled data)")
        c.add_argument("--engine", default="stream", choices=ENGINES,
                       help="stream: chunks with bounded memory (default; .xlsx is read whole); "
                            "memory: the whole file at once; dask: a Dask cluster")
        c.add_argument("--chunk-rows", type=positive_int, default=None, metavar="N",
                       help="rows per chunk when streaming (default %d)" % DEFAULT_CHUNK_ROWS)
        c.add_argument("--scheduler", metavar="ADDRESS",
                       help="with --engine dask: an existing scheduler (default: a LocalCluster)")
        c.add_argument("--workers", type=positive_int, default=2,
                       help="with --engine dask and no --scheduler: LocalCluster workers")
        c.add_argument("--no-progress", action="store_true", help="no progress bar")
        _add_file_options(c)
        c.set_defaults(suffix=suffix)
    c = sub.choices["contributions"]
    c.add_argument("--net-pay", action="store_true",
                   help="add iit, iit_bonus and net_pay (income tax withheld month by month; "
                        "reads whole employees at once, i.e. --engine memory)")
    c.add_argument("--special-deductions", metavar="COL",
                   help="with --net-pay: column of monthly special additional deductions")
    c.add_argument("--bonus-method", default="separate", choices=["separate", "combined"],
                   help="with --net-pay: annual bonus (column annual_bonus) taxed separately "
                        "or with the month's wage")
    g = sub.choices["gap"]
    g.add_argument("--by", nargs="+", metavar="COL",
                   help="write a summary grouped by these columns (city, year, employer_id, "
                        "wage_band, ...) instead of one row per employee-month")
    g.add_argument("--strict", action="store_true",
                   help="a declared base above the wage is an error, not a flag")
    pe = sub.add_parser("pension", help="pension at retirement from contribution histories")
    pe.add_argument("input", type=Path, help="employee-month file: employee_id, city, month, base, "
                    "birth_month, track, hukou_city (.csv, .xlsx, .parquet)")
    pe.add_argument("--out", type=Path, help="output .csv, .xlsx or .parquet "
                    "(default: INPUT's stem + _pension.csv beside it)")
    pe.add_argument("--wage-growth", type=float, help="assumed yearly wage growth for projections")
    pe.add_argument("--interest", type=float, help="assumed account interest where none is published")
    _add_file_options(pe)
    tr = sub.add_parser("transfer", help="what moves between cities, where the pension is "
                        "claimed, and the checklist of steps")
    tr.add_argument("spells", type=Path, help="city spells file: city, start, end (YYYY-MM), "
                    "optional base")
    tr.add_argument("--hukou", required=True, help="hukou city (户籍地)")
    tr.add_argument("--birth", help="birth month YYYY-MM (temporary-account rule, retirement)")
    tr.add_argument("--track", choices=["male", "female_55", "female_50"])
    tr.add_argument("--out", type=Path, help="also write the table of moves (.csv, .xlsx or .parquet)")
    _add_file_options(tr, "spells")
    p = sub.add_parser("params", help="parameters in force for a city and month, or coverage")
    p.add_argument("what", nargs="?", choices=["coverage", "diff"],
                   help="'coverage': city x year counts of cells per confidence level; "
                        "'diff': changelog lines for what changed since --since REV")
    p.add_argument("--since", metavar="REV", help="git revision to compare with (params diff)")
    p.add_argument("--city")
    p.add_argument("--month", help="YYYY-MM")
    p.add_argument("--markdown", action="store_true", help="coverage as a Markdown table")
    p.add_argument("--update-readme", type=Path, metavar="README",
                   help="write the Markdown coverage table between the README's coverage markers")
    p.add_argument("--params", type=Path, help="parameter folder (default: bundled data)")
    _add_benefits(sub)
    from . import report

    report.add_parser(sub)
    return parser


def _table(folder):
    from . import params

    return params.load(folder) if folder is not None else params.default_table()


def _run_engine(args) -> int:
    out = args.out or args.input.with_name(args.input.stem + args.suffix + ".csv")
    io.check_output_path(out, _inputs(args))  # before any computing
    table = _table(args.params) if args.params is not None else None
    by = args.by if args.command == "gap" else None
    strict = args.command == "gap" and args.strict
    if getattr(args, "net_pay", False):
        return _run_net_pay(args, out, table)
    if args.engine == "dask":
        try:
            from . import dask as wdask
        except ImportError:
            raise InputError("--engine dask needs dask: pip install "
                             "'dask[dataframe,distributed]'") from None
        rows = wdask.run_file(args.input, out, args.command, args.base_method, table, by,
                              strict, args.scheduler, args.workers, _inputs(args),
                              args.escape_formulas)
        print(f"wrote {out}: {rows} rows", file=sys.stderr)
        return 0
    from . import stream

    if args.engine == "stream" and stream.is_streamable(args.input):
        rows = stream.stream_file(args.input, out, args.command, args.base_method, table,
                                  strict=strict, by=by,
                                  chunk_rows=args.chunk_rows or DEFAULT_CHUNK_ROWS,
                                  progress=not args.no_progress, inputs=_inputs(args),
                                  escape=args.escape_formulas)
        print(f"wrote {out}: {rows} rows", file=sys.stderr)
        return 0
    if args.command == "gap":
        from functools import partial

        from .gap import gap, gap_summary

        engine = partial(gap, strict=args.strict)
    else:
        engine = None
    df = io.read_payroll(args.input, args.sheet, numbers=False)
    result = compute_chunked(df, args.base_method, table, progress=not args.no_progress,
                             engine=engine)
    if args.command == "gap" and args.by:
        result = gap_summary(result, by=args.by)
    io.write_table(result, out, _inputs(args), args.escape_formulas)
    print(f"wrote {out}: {len(result)} rows", file=sys.stderr)
    return 0


def _inputs(args) -> list:
    """The files and folders a command reads: no output may overwrite one of them."""
    return [p for p in (getattr(args, n, None) for n in ("input", "spells", "params"))
            if p is not None]


def _run_net_pay(args, out, table) -> int:
    """Contributions then income tax, on chunks of whole employees (withholding is cumulative
    over each employee's year, so an employee's rows must stay together)."""
    from .contributions import contributions
    from .iit import net_pay

    def engine(df, base_method, params):
        return net_pay(contributions(df, base_method=base_method, params=params),
                       special_deductions=args.special_deductions,
                       bonus_method=args.bonus_method)

    result = compute_chunked(io.read_payroll(args.input, args.sheet, numbers=False),
                             args.base_method, table, progress=not args.no_progress,
                             engine=engine)
    io.write_table(result, out, _inputs(args), args.escape_formulas)
    print(f"wrote {out}: {len(result)} rows", file=sys.stderr)
    return 0


def _add_benefits(sub) -> None:
    b = sub.add_parser("benefits", help="unemployment, work-injury and maternity benefits")
    kinds = b.add_subparsers(dest="kind", required=True)
    u = kinds.add_parser("unemployment", help="months of benefit and monthly amount")
    u.add_argument("--years", type=float, required=True, help="cumulative contribution years")
    u.add_argument("--city", default="national",
                   help="national (art.17 maxima), beijing, shanghai, guangzhou or shenzhen")
    u.add_argument("--month", help="YYYY-MM, for the monthly amount")
    u.add_argument("--benefit-month", type=int, default=1,
                   help="which month of the claim, for the amount (default 1; Beijing and Shanghai "
                        "pay less from the 13th)")
    u.add_argument("--age", type=float, help="claimant's age (Shanghai tables of 2012-01..03 and 2014-2016 only)")
    i = kinds.add_parser("injury", help="disability benefits by grade (工伤保险条例)")
    i.add_argument("--grade", type=int, required=True, help="disability grade 1-10")
    i.add_argument("--wage", type=float, required=True, help="the worker's own monthly wage")
    i.add_argument("--month", default="2024-01", help="YYYY-MM (2003 or 2011 rules)")
    m = kinds.add_parser("maternity", help="leave days and allowance")
    m.add_argument("--city", required=True)
    m.add_argument("--month", required=True, help="YYYY-MM")
    m.add_argument("--avg-wage", type=float, required=True,
                   help="the employer's average monthly wage")
    m.add_argument("--difficult", action="store_true", help="difficult birth (难产)")
    m.add_argument("--extra-babies", type=int, default=0)
    d = kinds.add_parser("death", help="work-related death benefits")
    d.add_argument("--year", type=int, required=True)
    d.add_argument("--wage", type=float, required=True)
    d.add_argument("--avg-wage", type=float, required=True, help="regional average wage")
    d.add_argument("--others", type=int, default=0, help="other dependants")


def _benefits(args) -> int:
    from . import benefits

    if args.kind == "unemployment":
        months = benefits.unemployment_months([args.years], args.city, month=args.month)[0]
        lines = [f"unemployment benefit: up to {months:g} months ({args.city} schedule)"]
        if args.month:  # computed before anything is printed: an error leaves no half answer
            amount = benefits.unemployment_amount(args.city, [args.month], years=args.years,
                                                  benefit_month=args.benefit_month, age=args.age)[0]
            lines.append(f"monthly amount in {args.city} {args.month}, benefit month "
                         f"{args.benefit_month}: {amount:,.2f} yuan")
        print("\n".join(lines))
    elif args.kind == "injury":
        print(benefits.injury_disability([args.grade], [args.wage], args.month)
              .to_string(index=False))
    elif args.kind == "maternity":
        days = benefits.maternity_leave_days(args.city, [args.month], args.difficult,
                                             args.extra_babies)[0]
        money = benefits.maternity_allowance([args.avg_wage], [days])[0]
        print(f"maternity leave: {days:g} days; allowance {money:,.2f} yuan")
    else:
        print(benefits.death_benefits([args.year], [args.wage], [args.avg_wage],
                                      others=args.others).to_string(index=False))
    return 0


def _params(args) -> int:
    from .errors import InputError
    from .months import month_index

    if args.what == "coverage":
        from .params.coverage import coverage, coverage_markdown, replace_between

        table = _table(args.params)
        if args.update_readme:
            text = args.update_readme.read_text(encoding="utf-8")
            io.write_text(args.update_readme,
                          replace_between(text, "coverage", coverage_markdown(table)))
        elif args.markdown:
            print(coverage_markdown(table))
        else:
            with pd.option_context("display.width", 200, "display.max_rows", 1000):
                print(coverage(table).to_string(index=False))
        return 0
    if args.what == "diff":
        from .params import DATA_DIR
        from .params.diff import changelog_lines, diff_tables, table_at_revision

        if not args.since:
            raise InputError("params diff: give --since REV (a git revision, e.g. HEAD~3)")
        folder = args.params if args.params is not None else DATA_DIR
        lines = changelog_lines(diff_tables(table_at_revision(args.since, folder),
                                            _table(args.params)))
        print("\n".join(lines) if lines else f"no parameter value changed since {args.since}")
        return 0
    if not args.city or not args.month:
        raise InputError("params: give --city and --month (or 'wuxian params coverage|diff')")
    try:
        month_index(args.month)
    except ValueError:
        raise InputError(f"--month: malformed value {args.month!r}; expected YYYY-MM") from None
    from .schema import CITY_HINT, city_names

    try:  # 上海, Shanghai, SH -> shanghai (data/registry/cities.csv)
        city = city_names([args.city])[0]
    except InputError:
        raise InputError(f"--city: unknown city {args.city!r}; expected {CITY_HINT}") from None
    frame = _table(args.params).in_force(city, args.month)
    from .params.show import format_params

    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        print(format_params(frame, city, args.month))
    return 0


def _pension(args) -> int:
    from dataclasses import replace

    from .pension import Assumptions, pension_from_file_frame

    out = args.out or args.input.with_name(args.input.stem + "_pension.csv")
    io.check_output_path(out, _inputs(args))
    assumptions = Assumptions()
    for name in ("wage_growth", "interest"):
        if getattr(args, name) is not None:
            assumptions = replace(assumptions, **{name: getattr(args, name)})
    result = pension_from_file_frame(io.read_payroll(args.input, args.sheet), assumptions)
    io.write_table(result, out, _inputs(args), args.escape_formulas)
    print(f"wrote {out}: {len(result)} employees", file=sys.stderr)
    return 0


def _transfer(args) -> int:
    from .transfer import transfer_checklist, transfer_summary

    if args.out:
        io.check_output_path(args.out, _inputs(args))
    spells = io.read_payroll(args.spells, args.sheet)
    print(transfer_checklist(spells, args.hukou, args.birth, args.track))
    if args.out:
        summary = transfer_summary(spells, args.hukou, args.birth, args.track)
        io.write_table(summary["moves"], args.out, _inputs(args), args.escape_formulas)
    return 0


COMMANDS = {"params": lambda a: _params(a), "pension": lambda a: _pension(a),
            "transfer": lambda a: _transfer(a), "benefits": lambda a: _benefits(a),
            "report": lambda a: __import__("wuxian.report", fromlist=["run"]).run(a)}


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every open output is cleaned up."""


def _raise_terminated(signum, frame):
    raise Terminated()


def _problem(exc: BaseException) -> str:
    """The ``error:`` text for an exception that is not a WuxianError. Library messages may
    quote cells of the user's file (an ID number in a parse error), so only the kind of
    failure is shown; ``WUXIAN_DEBUG=1`` prints the traceback as well."""
    if isinstance(exc, (KeyboardInterrupt, Terminated)):
        return "interrupted; no output was written (an existing one is unchanged)"
    if isinstance(exc, MemoryError):
        return ("out of memory; use --engine stream (the default for .csv and .parquet) or a "
                "smaller --chunk-rows")
    if isinstance(exc, OSError) and exc.strerror:  # unreadable input, full disk, permissions
        return f"{exc.strerror}: {exc.filename or ''}".rstrip(": ")
    return (f"internal error ({type(exc).__name__}); nothing was written. Please report it; "
            "WUXIAN_DEBUG=1 shows the traceback (it may quote your data)")


def main(argv=None) -> int:
    """Run the ``wuxian`` command; return the exit status (0 ok, 2 on any error).

    Every failure prints one ``error: ...`` line on stderr (never a traceback or a cell of
    the user's file) and leaves no output behind: a wuxian error, a full disk, Ctrl-C, SIGTERM,
    a MemoryError or a bug.

    Examples
    --------
    >>> main(["contributions", "missing.csv", "--out", "x.xlsx"])
    2
    """
    import signal
    import threading

    args = _parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return COMMANDS.get(args.command, _run_engine)(args)
    except WuxianError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except (Exception, KeyboardInterrupt, Terminated) as exc:  # noqa: BLE001 - the boundary
        if os.environ.get("WUXIAN_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        print(f"error: {_problem(exc)}", file=sys.stderr)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
