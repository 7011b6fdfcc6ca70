"""The dask engine on broken input: one ``error:`` line, exit 2, no traceback, no cell value.

Every bad file holds an ID number (``ID``) in some cell; it must never reach stderr, neither in
the error nor in a log line of a worker. The CLI runs are subprocesses (``wuxian ... --engine
dask --workers 1``), started four at a time by one module fixture. One run injects an
exception quoting ``ID`` inside the workers (a ``sitecustomize`` on PYTHONPATH patches
:mod:`wuxian.dask` in every process, the workers' too). The API tests use dask's synchronous
scheduler.
"""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import dask  # noqa: E402

import wuxian  # noqa: E402
import wuxian.dask as wdask  # noqa: E402
from wuxian import io  # noqa: E402
from wuxian.cli import main  # noqa: E402
from wuxian.errors import InputError, WuxianError  # noqa: E402

WUXIAN = Path(sys.executable).with_name("wuxian")
ID = "110101199003071234"
HEADER = "employee_id,city,month,wage,身份证号,code\n"


def rows(n, start=0, city="beijing"):
    """`n` valid CSV lines, one employee each; the ID number in the fourth line's 身份证号."""
    return "".join(f"E{i:06d},{city},2025-{i % 12 + 1:02d},{9000 + i % 997}.50,"
                   f"{ID if i == 3 else ''},0012345\n" for i in range(start, start + n))


def late(n_rows=30_000):
    """Lines past :data:`wuxian.dask.HEAD_BYTES`: parsed by a worker only."""
    assert len(rows(n_rows).encode()) > wdask.HEAD_BYTES
    return rows(n_rows, start=100)


SITECUSTOMIZE = f"""
import os
fault = os.environ.get("WUXIAN_TEST_FAULT")
if fault:
    import wuxian.dask as wd
    real = getattr(wd, fault)
    def broken(frame, *args, **kwargs):
        if len(frame):
            raise ValueError("could not parse {ID}")
        return real(frame, *args, **kwargs)
    setattr(wd, fault, broken)
"""


def _bad_inputs(folder: Path) -> dict:
    """Case name -> (input path, words of the error, extra environment)."""
    def write(name, data):
        path = folder / name
        path.mkdir()
        src = path / ("in.parquet" if name.endswith("parquet") else "in.csv")
        src.write_bytes(data if isinstance(data, bytes) else data.encode())
        return src

    good = HEADER + rows(60)
    lines = good.splitlines(keepends=True)
    ragged = "".join(lines[:5]) + lines[5].rstrip("\n") + f",x,{ID}\n" + "".join(lines[6:])
    faults = folder / "faults"
    faults.mkdir()
    (faults / "sitecustomize.py").write_text(SITECUSTOMIZE)
    path = os.pathsep.join(p for p in (str(faults), os.environ.get("PYTHONPATH")) if p)
    body = HEADER + late()
    n_late = body.count("\n") + 1
    return {
        "utf16": (write("utf16", good.encode("utf-16")), ["UTF-16"], {}),
        "empty": (write("empty", b""), ["empty file"], {}),
        "whitespace": (write("whitespace", "  \n \t\n\n"), ["empty file"], {}),
        "duplicate_header": (write("duplicate_header", good.replace(",code", ",wage")),
                             ["'wage' given twice"], {}),
        "ragged": (write("ragged", ragged), ["expected 6 fields in line 6, saw 8"], {}),
        "ragged_in_worker": (write("ragged_in_worker", body + f"E9,beijing,2025-01,1,{ID},x,y\n"),
                             [f"expected 6 fields in line {n_late}, saw 7"], {}),
        "encoding_in_worker": (
            write("encoding_in_worker",
                  body.encode() + f"E9,北京,2025-01,1,{ID},0012345\n".encode("gbk")),
            [f"text encoding changes in line {n_late}"], {}),
        "corrupt_parquet": (write("corrupt_parquet", b"PAR1garbage"),
                            ["in.parquet: not a readable .parquet file"], {}),
        "worker_exception": (write("worker_exception", good), ["ValueError", "not shown"],
                             {"PYTHONPATH": path, "WUXIAN_TEST_FAULT": "compute_rows"}),
    }


def _cli(src: Path, out: Path, env: dict):
    environ = {k: v for k, v in os.environ.items() if k != "WUXIAN_DEBUG"}
    return subprocess.run([str(WUXIAN), "contributions", str(src), "--out", str(out),
                           "--engine", "dask", "--workers", "1", "--no-progress"],
                          capture_output=True, text=True, timeout=300, env={**environ, **env})


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every CLI run of this module, four at a time: name -> (result, input, words)."""
    folder = tmp_path_factory.mktemp("faults")
    cases = _bad_inputs(folder)
    good = folder / "passthrough"
    good.mkdir()
    src = good / "in.csv"
    src.write_bytes((HEADER.replace("beijing", "北京") + rows(40, city="北京")
                     + " E000001,北京,2026-01,12000.50,,007\n").encode("gbk"))
    jobs = {name: (path, path.parent / "out.csv", env) for name, (path, _, env) in cases.items()}
    jobs["passthrough"] = (src, good / "out_dask.csv", {})
    with ThreadPoolExecutor(4) as pool:
        done = {name: pool.submit(_cli, *job) for name, job in jobs.items()}
        results = {name: future.result() for name, future in done.items()}
    return {name: (results[name], jobs[name][0], cases[name][1] if name in cases else [])
            for name in jobs}


BAD = ["utf16", "empty", "whitespace", "duplicate_header", "ragged", "ragged_in_worker",
       "encoding_in_worker", "corrupt_parquet", "worker_exception"]


@pytest.mark.parametrize("name", BAD)
def test_bad_input_clean_error(runs, name):
    result, src, words = runs[name]
    err = result.stderr
    assert result.returncode == 2, err
    assert err.startswith("error: "), err
    assert len(err.strip().splitlines()) == 1, err  # one line: no log, no warning
    assert "Traceback" not in err
    assert ID not in err
    for word in words:
        assert word in err
    assert [p.name for p in src.parent.iterdir()] == [src.name]  # no output, no temporary


def test_gbk_pass_through_columns_as_written(runs):
    """A GBK file with an ID number column with blanks, a code ``0012345`` and a padded id:
    the dask CLI writes what the memory engine writes, byte for byte."""
    result, src, _ = runs["passthrough"]
    folder = src.parent
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert main(["contributions", str(folder / "in.csv"), "--out", str(folder / "out_mem.csv"),
                 "--engine", "memory", "--no-progress"]) == 0
    assert (folder / "out_dask.csv").read_bytes() == (folder / "out_mem.csv").read_bytes()
    out = pd.read_csv(folder / "out_dask.csv", dtype=str, keep_default_na=False)
    assert out["code"].eq("0012345").sum() == 40 and out["code"].iloc[-1] == "007"
    assert out["身份证号"].tolist() == ["", "", "", ID] + [""] * 37
    assert out["wage"].iloc[-1] == "12000.50" and out["employee_id"].iloc[-1] == " E000001"


# ------------------------------------------------------------------------------- API tests
@pytest.fixture
def sync():
    with dask.config.set({"scheduler": "synchronous", "dataframe.convert-string": False}):
        yield


def test_api_pass_through_and_trimmed_ids(sync, tmp_path):
    """Columns wuxian does not compute come out as written; " E000001" (2024, in another
    block) and "E000001" are one employee, as in the memory engine."""
    src = tmp_path / "in.csv"
    src.write_text(HEADER + " E000001,beijing,2024-06,30000,,0012345\n" + rows(300)
                   + "E000001 ,beijing,2025-03,9000,,007\n", encoding="utf-8")
    ddf = wdask.read(src, blocksize=2_000, numbers=False)
    assert ddf.npartitions > 3
    got = wdask.contributions(ddf).compute().reset_index(drop=True)
    expected = wuxian.contributions(io.read_payroll(src, numbers=False))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["base_si"].iloc[-1] == expected["base_si"].iloc[-1]
    assert got["code"].iloc[0] == "0012345" and got["身份证号"].iloc[4] == ID
    assert got["身份证号"].isna().sum() == len(got) - 1
    assert got["employee_id"].iloc[0] == " E000001"


def test_api_parquet_id_numbers_keep_every_digit(sync, tmp_path):
    df = pd.DataFrame({
        "employee_id": ["a", "b", "c"], "city": "beijing", "month": "2025-01",
        "wage": [9000.0, 9100.0, 9200.0],
        "身份证号": pd.array([int(ID), None, 110101199003071235], dtype="Int64")})
    src = tmp_path / "in.parquet"
    df.to_parquet(src, index=False)
    got = wdask.contributions(wdask.read(src)).compute().reset_index(drop=True)
    expected = wuxian.contributions(io.read_payroll(src))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["身份证号"].tolist()[::2] == [int(ID), 110101199003071235]


@pytest.mark.parametrize("before, extra, words", [
    (1, ",y", "expected 6 fields in line 204, saw 7"),  # pandas' parser error, its line shifted
    (0, ",y", "expected 6 fields in line 203, saw more"),  # a block's first row: pandas would
    (0, ",y,z", "expected 6 fields in line 203, saw more"),  # make index columns of it
])
def test_api_ragged_row_in_a_later_block(sync, tmp_path, monkeypatch, before, extra, words):
    monkeypatch.setattr(wdask, "HEAD_BYTES", 100)  # read() checks only the first lines
    src = tmp_path / "in.csv"
    body = HEADER + rows(201)
    src.write_text(body + rows(before, start=300) + f"E9,beijing,2025-01,1,{ID},x{extra}\n"
                   + rows(5, start=500))
    ddf = wdask.read(src, blocksize=len(body.encode()) - 10)  # line 203 starts block 2
    assert ddf.npartitions == 2
    with pytest.raises(InputError) as info:
        wdask.contributions(ddf)
    assert words in str(info.value) and ID not in str(info.value)


def test_api_numbers_error_names_whole_file_row(sync, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(HEADER + rows(100) + f"E9,beijing,2025-01,{ID}x,,1\n")
    with pytest.raises(InputError, match="wage: not a number in row 101$") as info:
        wdask.read(src, blocksize=1_000).compute()
    assert ID not in str(info.value)


@pytest.mark.parametrize("fault", ["validate_payroll", "compute_rows"])  # eager, lazy step
def test_api_worker_exception_hidden(sync, tmp_path, monkeypatch, fault):
    src = tmp_path / "in.csv"
    src.write_text(HEADER + rows(20))
    real = getattr(wdask, fault)

    def broken(frame, *args, **kwargs):
        if len(frame):
            raise KeyError(ID)
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(wdask, fault, broken)
    with pytest.raises(WuxianError, match=r"failed \(KeyError") as info:
        wdask.contributions(wdask.read(src, blocksize=500)).compute()
    assert ID not in str(info.value) and info.value.__context__ is None


def test_api_corrupt_parquet_in_a_folder(tmp_path):
    (tmp_path / "in").mkdir()
    pd.DataFrame({"employee_id": ["a"]}).to_parquet(tmp_path / "in" / "part.0.parquet")
    (tmp_path / "in" / "part.1.parquet").write_bytes(b"PAR1garbage")
    with pytest.raises(InputError, match="part.1.parquet: not a readable .parquet file"):
        wdask.read(tmp_path / "in")


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_local_cluster_needs_a_worker(n):
    with pytest.raises(InputError, match="at least 1"):
        wdask.local_cluster(n)
