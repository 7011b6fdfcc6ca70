"""Streaming (wuxian.stream and the CLI's default engine): equal to the in-memory engine,
bounded by chunks, and a failure anywhere leaves no output and names the row in the file."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wuxian
import wuxian.params as params
from wuxian import io, stream
from wuxian.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "params"
SAMPLE = Path(__file__).parents[1] / "data" / "samples" / "cohort.csv"


@pytest.fixture(scope="module")
def table():
    return params.load(FIXTURE)


def cohort(n_employees=12, seed=0):
    """Shanghai employees over 2025-01..2026-06, rows shuffled: employees span chunks."""
    months = [str(p) for p in pd.period_range("2025-01", "2026-06", freq="M")]
    rng = np.random.default_rng(seed)
    rows = [(f"E{e:03d}", "shanghai", m) for e in range(n_employees) for m in months
            if rng.random() > 0.15]  # gaps in histories
    df = pd.DataFrame(rows, columns=["employee_id", "city", "month"])
    df["wage"] = rng.lognormal(np.log(12000), 0.6, len(df)).round(2)
    df["base_salary"] = (df["wage"] * 0.6).round(2)
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)


def files(tmp_path, df, name="in.csv"):
    src = tmp_path / name
    df.to_csv(src, index=False) if name.endswith(".csv") else df.to_parquet(src, index=False)
    return src


@pytest.mark.parametrize("command", ["contributions", "gap"])
@pytest.mark.parametrize("base_method", ["prior_year_average", "current_month"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_stream_equals_in_memory(tmp_path, table, command, base_method, suffix):
    src = files(tmp_path, cohort(), "in" + suffix)
    out = tmp_path / ("out" + suffix)
    rows = stream.stream_file(src, out, command, base_method, table, chunk_rows=17,
                              progress=False)
    whole = io.read_payroll(src)
    engine = wuxian.gap if command == "gap" else wuxian.contributions
    expected = engine(whole, base_method=base_method, params=table)
    got = io.read_payroll(out)
    assert rows == len(whole) > 10 * 17
    if suffix == ".csv":  # the bytes of the file the in-memory CLI would write
        io.write_table(expected, tmp_path / "expected.csv")
        assert out.read_bytes() == (tmp_path / "expected.csv").read_bytes()
    pd.testing.assert_frame_equal(got, io.read_payroll(tmp_path / "expected.csv")
                                  if suffix == ".csv" else expected, check_exact=True)
    if base_method == "prior_year_average":  # 2026 rows use 2025 wages from other chunks
        assert not expected["base_fallback"].all() and expected["base_fallback"].any()


def test_sample_cohort_cli_stream_equals_memory(tmp_path):
    a, b = tmp_path / "stream.csv", tmp_path / "memory.csv"
    assert main(["contributions", str(SAMPLE), "--out", str(a), "--chunk-rows", "6000",
                 "--no-progress"]) == 0
    assert main(["contributions", str(SAMPLE), "--out", str(b), "--engine", "memory"]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_bad_row_in_chunk_7_of_10_leaves_no_output(tmp_path, capsys):
    df = cohort(n_employees=20).iloc[:100].copy()
    df.loc[64, "wage"] = -1.0  # row 65 of the file: chunk 7 of 10
    src = files(tmp_path, df)
    out = tmp_path / "out.csv"
    out.write_text("previous\n")
    code = main(["contributions", str(src), "--out", str(out), "--params", str(FIXTURE),
                 "--chunk-rows", "10", "--no-progress"])
    assert code == 2
    err = capsys.readouterr().err
    assert "wage" in err and "row 65" in err and "row 5\n" not in err
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]  # no temp file


def test_error_in_pass_2_leaves_no_output(tmp_path, table, monkeypatch):
    src = files(tmp_path, cohort().iloc[:100])
    calls = []
    real = stream.compute_rows

    def failing(chunk, *args, **kw):
        calls.append(len(chunk))
        if len(calls) == 7:
            raise wuxian.InputError("boom in row 3")
        return real(chunk, *args, **kw)

    monkeypatch.setattr(stream, "compute_rows", failing)
    with pytest.raises(wuxian.InputError, match="row 63"):
        stream.stream_file(src, tmp_path / "out.parquet", table=table, chunk_rows=10,
                           progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_duplicate_across_chunks_names_both_rows(tmp_path, table):
    df = cohort().iloc[:60].copy()
    df.loc[55, ["employee_id", "month"]] = df.loc[3, ["employee_id", "month"]].to_numpy()
    src = files(tmp_path, df)
    with pytest.raises(wuxian.InputError, match=r"duplicate pair in rows 4, 56$"):
        stream.stream_file(src, tmp_path / "o.csv", table=table, chunk_rows=10, progress=False)
    assert not (tmp_path / "o.csv").exists()


def test_month_outside_data_names_file_row(tmp_path, table):
    df = cohort().iloc[:50].copy()
    df.loc[42, "month"] = "2019-03"
    src = files(tmp_path, df)
    with pytest.raises(wuxian.InputError, match="row 43"):
        stream.stream_file(src, tmp_path / "o.csv", table=table, chunk_rows=10, progress=False)


def test_gap_summary_streamed(tmp_path, table):
    src = files(tmp_path, cohort())
    out = tmp_path / "sum.csv"
    assert main(["gap", str(src), "--out", str(out), "--params", str(FIXTURE), "--by", "city",
                 "year", "--chunk-rows", "25", "--no-progress"]) == 0
    expected = wuxian.gap_summary(wuxian.gap(io.read_payroll(src), params=table),
                                  by=["city", "year"])
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_dtype=False)


def test_progress_bar_shows_rows_and_rate(tmp_path, capsys):
    src = files(tmp_path, cohort())
    assert main(["contributions", str(src), "--params", str(FIXTURE), "--chunk-rows", "50"]) == 0
    err = capsys.readouterr().err
    assert "pass 2/2" in err and "rows" in err and "/s" in err


def test_shift_rows():
    assert stream.shift_rows("x in rows 1, 2 and 9 more", 100) == "x in rows 101, 102 and 9 more"


def test_gap_summary_by_wage_band_streamed(tmp_path, table):
    src = files(tmp_path, cohort())
    got = tmp_path / "s.parquet"
    stream.stream_file(src, got, "gap", table=table, by=["wage_band"], chunk_rows=30,
                       progress=False)
    expected = wuxian.gap_summary(wuxian.gap(io.read_payroll(src), params=table),
                                  by=["wage_band"])
    pd.testing.assert_frame_equal(pd.read_parquet(got), expected, check_dtype=False,
                                  check_categorical=False)
