"""The `wuxian` command: success writes the output; every bad input exits 2 with no file.

Runs against the small Shanghai fixture table (tests/fixtures/params, 2025-01..2026-06) via
``--params`` so the tests do not depend on the bundled dataset.
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wuxian
import wuxian.params as params
from wuxian.chunks import compute_chunked
from wuxian.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "params"


def payroll(n_employees=3, months=("2025-07", "2025-08", "2025-09")):
    rows = [(f"E{e:05d}", "shanghai", m, 8000.0 + 1000 * e)
            for e in range(1, n_employees + 1) for m in months]
    return pd.DataFrame(rows, columns=["employee_id", "city", "month", "wage"])


def run(tmp_path, df, *extra, name="in.csv"):
    src = tmp_path / name
    if name.endswith(".csv"):
        df.to_csv(src, index=False)
    elif name.endswith(".xlsx"):
        df.to_excel(src, index=False)
    else:
        df.to_parquet(src, index=False)
    return main(["contributions", str(src), "--params", str(FIXTURE), *extra])


def test_success_default_out(tmp_path, capsys):
    assert run(tmp_path, payroll(), "--base-method", "current_month") == 0
    out = pd.read_csv(tmp_path / "in_contributions.csv", dtype={"employee_id": str})
    assert out["employee_id"].tolist() == payroll()["employee_id"].tolist()
    for col in ("base_si", "base_hf", "pension_employer", "housing_fund_employee",
                "employer_total", "employee_total", "employer_cost", "net_before_tax",
                "base_fallback"):
        assert col in out.columns
    # 9000 yuan, Shanghai 2025-07 fixture: pension 8% employee
    assert out["pension_employee"].iloc[0] == pytest.approx(720.0)
    assert sorted(os.listdir(tmp_path)) == ["in.csv", "in_contributions.csv"]


@pytest.mark.parametrize("name", ["in.xlsx", "in.parquet"])
def test_xlsx_and_parquet_inputs(tmp_path, name):
    out = tmp_path / "result.parquet"
    assert run(tmp_path, payroll(), "--out", str(out), name=name) == 0
    res = pd.read_parquet(out)
    assert len(res) == 9 and res["base_fallback"].all()  # no 2024 history: flagged fallback


def _bad_city(df):
    df.loc[4, "city"] = "atlantis"
    return df


def _bad_month(df):
    df["month"] = df["month"].astype(object)
    df.loc[4, "month"] = "2025-13"
    return df


def _negative_wage(df):
    df.loc[4, "wage"] = -1.0
    return df


def _duplicate(df):
    df.loc[4, "month"] = df.loc[3, "month"]
    return df


@pytest.mark.parametrize("break_it, words", [
    (_bad_city, ["city", "row 5"]),
    (_bad_month, ["month", "row 5"]),
    (_negative_wage, ["wage", "row 5"]),
    (lambda df: df.drop(columns="wage"), ["missing required column", "wage"]),
    (_duplicate, ["employee_id + month", "rows 4, 5"]),
])
def test_bad_input_exit_2_no_output(tmp_path, capsys, break_it, words):
    code = run(tmp_path, break_it(payroll()), "--out", str(tmp_path / "out.csv"))
    err = capsys.readouterr().err
    assert code == 2
    line = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert len(line) == 1, err
    for w in words:
        assert w in line[0]
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["in.csv"]


def test_unknown_output_suffix_fails_before_reading(tmp_path, capsys):
    code = main(["contributions", str(tmp_path / "absent.csv"), "--out",
                 str(tmp_path / "out.txt")])
    assert code == 2
    assert "unknown output file type" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_unknown_input_suffix(tmp_path, capsys):
    (tmp_path / "in.txt").write_text("x")
    assert main(["contributions", str(tmp_path / "in.txt")]) == 2
    assert "error: " in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["in.txt"]


def test_failed_run_keeps_previous_output(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("old")
    assert run(tmp_path, _negative_wage(payroll()), "--out", str(out)) == 2
    assert out.read_text() == "old"


@pytest.fixture(scope="module")
def table():
    return params.load(FIXTURE)


def test_chunks_of_whole_employees_match_one_call(table):
    # 2025 history for 2026-01..06? The fixture's 2026 floor gap is only for nonlocal_rural.
    months = [str(p) for p in pd.period_range("2025-01", "2026-06", freq="M")]
    df = payroll(40, months)
    rng = np.random.default_rng(0)
    df["wage"] = rng.lognormal(np.log(12000), 0.5, len(df)).round(2)
    df = df.sample(frac=1, random_state=1)  # employees interleaved, index shuffled
    one = wuxian.contributions(df, params=table)
    chunked = compute_chunked(df, "prior_year_average", table, chunk_rows=50, threshold=0,
                              progress=False)
    pd.testing.assert_frame_equal(chunked, one)
    assert not one["base_fallback"].all()  # 2026 rows use the 2025 average


def test_chunk_error_names_input_rows(table):
    df = payroll(30)
    df.loc[80, "wage"] = -5.0
    with pytest.raises(wuxian.InputError, match="row 81"):
        compute_chunked(df, "current_month", table, chunk_rows=6, threshold=0, progress=False)


def test_params_command(capsys):
    assert main(["params", "--city", "shanghai", "--month", "2025-07",
                 "--params", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "pension" in out and "housing_fund" in out and "37302" in out
    assert "high" in out and "[1] fixture" in out


@pytest.mark.parametrize("argv, word", [
    (["--city", "atlantis", "--month", "2025-07"], "atlantis"),
    (["--city", "shanghai", "--month", "2025-13"], "--month"),
    (["--city", "shanghai", "--month", "2019-01"], "outside"),
])
def test_params_command_errors(capsys, argv, word):
    assert main(["params", *argv, "--params", str(FIXTURE)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and word in err


def test_progress_bar_on_stderr(table, capsys):
    df = payroll(10)
    out = compute_chunked(df, "current_month", table, chunk_rows=6, threshold=0)
    captured = capsys.readouterr()
    assert len(out) == 30 and captured.out == ""
    assert "30/30" in captured.err


def test_gap_command_rows_and_summary(tmp_path):
    df = payroll().assign(base_salary=7000.0, employer_id="C1")
    assert run(tmp_path, df, "--base-method", "current_month") == 0  # contributions first
    src = tmp_path / "in.csv"
    assert main(["gap", str(src), "--params", str(FIXTURE), "--base-method",
                 "current_month"]) == 0
    rows = pd.read_csv(tmp_path / "in_gap.csv")
    assert len(rows) == 9 and rows["flag_underdeclared"].all()
    summary = tmp_path / "summary.csv"
    assert main(["gap", str(src), "--params", str(FIXTURE), "--by", "employer_id",
                 "--out", str(summary), "--base-method", "current_month"]) == 0
    s = pd.read_csv(summary)
    assert s["workers"].tolist() == [3] and s["workers_affected"].tolist() == [3]


def test_gap_bad_input(tmp_path, capsys):
    df = _negative_wage(payroll().assign(base_salary=7000.0))
    assert main_gap(tmp_path, df) == 2
    assert "error: wage" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["in.csv"]


def main_gap(tmp_path, df):
    df.to_csv(tmp_path / "in.csv", index=False)
    return main(["gap", str(tmp_path / "in.csv"), "--params", str(FIXTURE)])


def test_params_coverage(capsys):
    assert main(["params", "coverage", "--params", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "shanghai" in out and "2025" in out and "missing" in out
    assert main(["params", "coverage", "--markdown", "--params", str(FIXTURE)]) == 0
    assert capsys.readouterr().out.startswith("| city |")


def test_params_needs_city_and_month(capsys):
    assert main(["params", "--city", "shanghai", "--params", str(FIXTURE)]) == 2
    assert "--month" in capsys.readouterr().err


def test_gap_chunked_matches_one_call(table):
    months = [str(p) for p in pd.period_range("2025-01", "2025-12", freq="M")]
    df = payroll(12, months).sample(frac=1, random_state=2)
    df["base_salary"] = (df["wage"] * 0.6).round(2)
    from wuxian.gap import gap

    one = gap(df, params=table)
    chunked = compute_chunked(df, "prior_year_average", table, chunk_rows=30, threshold=0,
                              progress=False, engine=gap)
    pd.testing.assert_frame_equal(chunked, one)
