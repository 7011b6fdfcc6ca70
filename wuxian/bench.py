"""Benchmark :func:`wuxian.contributions` against a bare-NumPy lower bound.

``--stream`` / ``--dask`` instead time the ``wuxian contributions`` command end to end on a
synthetic partitioned parquet input (cached under ``--data-dir``), parquet out, with the
streaming engine or the Dask engine on ``--workers`` local worker processes, and report the
peak resident memory of the whole process tree (sampled every 0.1 s).

``python -m wuxian.bench [--rows 1000000 10000000] [--repeat 3]`` runs, for each size and each
``base_method``, one child process that builds a synthetic cohort
(:func:`wuxian.samples.make_synthetic`), times the engine once, and times in the same process
the least work any engine must do: for each of the 8 items, ``np.clip(base, floor, cap) * rate``
for employer and employee on pre-aligned float64 arrays. It prints rows/s, the ratio
engine / lower bound, and the child's peak resident memory (``ru_maxrss``; "added" is the peak
during the call above the peak before it). Single-threaded by construction (pandas/NumPy
element-wise work; BLAS threads pinned to 1).

Examples
--------
>>> r = run_case(2_000, "current_month", cities=["beijing"])
>>> r["rows"], r["rows_per_s"] > 0, r["ratio"] > 0
(2000, True, True)
"""

import argparse
import gc
import os
import resource
import sys
import time

import numpy as np

from .base import BASE_METHODS
from .samples import CITIES

N_ITEMS = 8


def _maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)


def numpy_lower_bound(n: int, seed: int = 0, repeat: int = 1) -> float:
    """Seconds (best of `repeat`) for clip-and-multiply of 8 items x 2 sides on `n` rows.

    The inputs are pre-aligned float64 arrays (one floor, cap and two rates per item), built
    before the clock starts: the least work any engine must do after its lookups.

    >>> numpy_lower_bound(1000, repeat=2) >= 0
    True
    """
    rng = np.random.default_rng(seed)
    base = rng.lognormal(np.log(10000.0), 0.6, n)
    arrays = [(np.full(n, 3000.0 + i), np.full(n, 36000.0 + i), np.full(n, 0.1 + i / 100),
               np.full(n, 0.02 + i / 100)) for i in range(N_ITEMS)]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = []
        for floor, cap, rate_er, rate_ee in arrays:
            clipped = np.clip(base, floor, cap)
            out.append(clipped * rate_er)
            out.append(clipped * rate_ee)
        best = min(best, time.perf_counter() - start)
        del out
    return best


def run_case(rows: int, base_method: str, repeat: int = 1, cities=None, gap: bool = False) -> dict:
    """Build `rows` synthetic employee-months, time the engine and the lower bound.

    Times are the best of `repeat` runs; the peak memory is that of the whole process.

    >>> run_case(500, "prior_year_average", cities=["shanghai"])["base_method"]
    'prior_year_average'
    """
    import wuxian
    from wuxian.params import default_table
    from wuxian.samples import make_synthetic

    default_table().compile()  # parameter loading is not what we time
    df = make_synthetic(rows) if cities is None else make_synthetic(rows, cities=cities)
    gc.collect()
    rss_before = _maxrss_mib()
    elapsed = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = wuxian.contributions(df, base_method=base_method)
        elapsed = min(elapsed, time.perf_counter() - start)
        assert len(out) == rows
        del out
        gc.collect()
    rss_peak = _maxrss_mib()
    bound = numpy_lower_bound(rows, repeat=repeat)
    gap_seconds = float("inf")
    if gap:  # wuxian.gap on the same rows, a basic salary at 60% of the wage declared
        df["base_salary"] = (df["wage"] * 0.6).round(2)
        for _ in range(repeat):
            start = time.perf_counter()
            out = wuxian.gap(df, base_method=base_method)
            gap_seconds = min(gap_seconds, time.perf_counter() - start)
            del out
            gc.collect()
    return {"rows": rows, "base_method": base_method, "seconds": elapsed, "gap_seconds": gap_seconds,
            "rows_per_s": rows / elapsed, "bound_seconds": bound,
            "ratio": elapsed / bound if bound else float("inf"),
            "peak_mib": rss_peak, "added_mib": rss_peak - rss_before}


def _child(rows: int, base_method: str, repeat: int, cities, gap, queue) -> None:
    try:
        queue.put(run_case(rows, base_method, repeat, cities, gap))
    except BaseException as exc:  # report, not hang
        queue.put({"rows": rows, "base_method": base_method, "error": repr(exc)})


def run_isolated(rows: int, base_method: str, repeat: int = 3, cities=None,
                 gap: bool = False) -> dict:
    """:func:`run_case` in a fresh process, so each peak memory figure is its own."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(rows, base_method, repeat, cities, gap, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def format_result(r: dict) -> str:
    """One line of the report.

    >>> format_result({"rows": 10, "base_method": "current_month", "error": "boom"})
    '        10  current_month       error: boom'
    """
    head = f"{r['rows']:>10,}  {r['base_method']:<18}"
    if "error" in r:
        return f"{head}  error: {r['error']}"
    return (f"{head}  {r['seconds']:8.2f} s  {r['rows_per_s'] / 1e6:7.2f} M rows/s  "
            f"numpy bound {r['bound_seconds']:6.3f} s  ratio {r['ratio']:6.1f}x  "
            f"peak RSS {r['peak_mib']:8.0f} MiB (added {r['added_mib']:.0f} MiB)"
            + (f"  gap {r['gap_seconds']:.2f} s ({r['gap_seconds'] / r['seconds']:.2f}x)"
               if r.get("gap_seconds", float("inf")) < float("inf") else ""))


# ----------------------------------------------------------------------------- scale engines
def write_synthetic(rows: int, folder, piece_rows: int = 1_000_008) -> "Path":
    """A partitioned parquet folder of `rows` synthetic employee-months (cached by size).

    Written piece by piece (whole employees per piece, ids made distinct), so even 50M rows
    never sit in memory at once.

    >>> import tempfile
    >>> d = write_synthetic(100, tempfile.mkdtemp(), piece_rows=48)
    >>> import pandas as pd; len(pd.read_parquet(d)), pd.read_parquet(d)["employee_id"].nunique()
    (100, 5)
    """
    from pathlib import Path

    from .samples import make_synthetic

    out = Path(folder) / f"synthetic_{rows}.parquet"
    if (out / "_done").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    done, k = 0, 0
    while done < rows:
        n = min(piece_rows, rows - done)
        df = make_synthetic(n, seed=k)
        df["employee_id"] += done // 24 + k  # distinct employees per piece
        df.to_parquet(out / f"part-{k:05d}.parquet", index=False, row_group_size=250_000)
        done, k = done + n, k + 1
    (out / "_done").write_text(str(rows))
    return out


def measure_command(cmd: list, interval: float = 0.1) -> dict:
    """Run `cmd`; wall seconds and peak resident memory of its whole process tree (sampled)."""
    import subprocess

    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [root] + root.children(recursive=True)
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(interval)
    seconds = time.perf_counter() - start
    err = proc.stderr.read()
    return {"seconds": seconds, "peak_mib": peak / 2**20, "returncode": proc.returncode,
            "stderr": err[-500:]}


def run_engine_case(rows: int, engine: str, folder, workers: int = 2,
                    base_method: str = "prior_year_average", chunk_rows=None) -> dict:
    """Time ``wuxian contributions`` on a synthetic parquet folder with ``--engine engine``
    (``stream`` or ``dask``), parquet out; peak memory of the process tree."""
    import shutil
    from pathlib import Path

    src = write_synthetic(rows, folder)
    out = Path(folder) / f"out_{engine}_{rows}.parquet"
    cmd = [sys.executable, "-m", "wuxian.cli", "contributions", str(src), "--out", str(out),
           "--engine", engine, "--base-method", base_method, "--no-progress"]
    if engine == "dask":
        cmd += ["--workers", str(workers)]
    if chunk_rows:
        cmd += ["--chunk-rows", str(chunk_rows)]
    r = measure_command(cmd)
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    result = {"rows": rows, "base_method": f"{engine}" + (f" {workers}w" if engine == "dask" else ""),
              "seconds": r["seconds"], "rows_per_s": rows / r["seconds"],
              "peak_mib": r["peak_mib"]}
    if r["returncode"] != 0:
        result["error"] = r["stderr"].strip().splitlines()[-1] if r["stderr"].strip() else "failed"
    return result


def format_engine_result(r: dict) -> str:
    """One line for a streamed or Dask run.

    >>> format_engine_result({"rows": 10, "base_method": "stream", "seconds": 2.0,
    ...                       "rows_per_s": 5.0, "peak_mib": 100.0})
    '        10  stream                  2.00 s     0.00 M rows/s  peak RSS (process tree)      100 MiB'
    """
    head = f"{r['rows']:>10,}  {r['base_method']:<18}"
    if "error" in r:
        return f"{head}  error: {r['error']}"
    return (f"{head}  {r['seconds']:8.2f} s  {r['rows_per_s'] / 1e6:7.2f} M rows/s  "
            f"peak RSS (process tree) {r['peak_mib']:8.0f} MiB")


def main(argv=None) -> int:
    """Run the benchmark and print one line per (rows, base_method).

    >>> callable(main)
    True
    """
    parser = argparse.ArgumentParser(prog="python -m wuxian.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--base-method", nargs="+", default=list(BASE_METHODS),
                        choices=BASE_METHODS)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--cities", nargs="+", choices=CITIES, help="default: all four")
    parser.add_argument("--gap", action="store_true", help="also time wuxian.gap on the same rows")
    parser.add_argument("--stream", action="store_true",
                        help="time the streaming CLI (parquet folder in and out) instead")
    parser.add_argument("--dask", action="store_true",
                        help="time the CLI's Dask engine on a LocalCluster instead")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (default 2)")
    parser.add_argument("--chunk-rows", type=int, help="streaming chunk size")
    parser.add_argument("--data-dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                           "wuxian-bench"),
                        help="where synthetic parquet inputs are cached")
    args = parser.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs visible; single-threaded; best of {args.repeat} runs")
    failed = False
    if args.stream or args.dask:
        engines = (["stream"] if args.stream else []) + (["dask"] if args.dask else [])
        for rows in args.rows:
            for method in args.base_method:
                for engine in engines:
                    result = run_engine_case(rows, engine, args.data_dir, args.workers, method,
                                             args.chunk_rows)
                    result["base_method"] += f" {method}"
                    failed |= "error" in result
                    print(format_engine_result(result), flush=True)
        return 1 if failed else 0
    for rows in args.rows:
        for method in args.base_method:
            result = run_isolated(rows, method, args.repeat, args.cities, args.gap)
            failed |= "error" in result
            print(format_result(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
