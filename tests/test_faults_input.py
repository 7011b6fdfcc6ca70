"""Issue 14: nothing the user gave is lost, changed or leaked.

One test (or one parametrised case) per reproduced fault: outputs that would overwrite an
input, pass-through columns converted, input silently ignored, untrimmed ids, non-finite and
absurd numbers, values in messages, CSV injection, exits without ``error:``. Each runs the
CLI in-process against the small Shanghai fixture table (tests/fixtures/params) unless it
needs a real process (signals: tests/test_faults_process.py).
"""

import csv
import importlib
import io as stdio
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wuxian
from wuxian.cli import main
from wuxian.errors import InputError
from wuxian.io import escape_formulas, read_payroll, write_table

FIXTURE = Path(__file__).parent / "fixtures" / "params"
ID_NUMBER = "11010119900307123X"  # a made-up 身份证号: must never appear in a message
ENGINES = ("memory", "stream")


def payroll(n=3, months=("2025-07", "2025-08")):
    rows = [(f"E{e:03d}", "shanghai", m, f"{8000 + 1000 * e}.00") for e in range(1, n + 1)
            for m in months]
    return pd.DataFrame(rows, columns=["employee_id", "city", "month", "wage"])


def write_csv(path: Path, df: pd.DataFrame) -> Path:
    df.to_csv(path, index=False)
    return path


def cli(*args, engine="memory"):
    return main([*map(str, args), "--params", str(FIXTURE), "--engine", engine,
                 "--no-progress"])


def listing(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir())


def csv_rows(path: Path) -> list:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


# ------------------------------------------------------------------ outputs over inputs
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("command", [["contributions"], ["gap", "--by", "city"]])
def test_out_equal_to_input_is_refused(tmp_path, capsys, engine, command):
    src = write_csv(tmp_path / "pay.csv", payroll())
    before = src.read_bytes()
    code = main([command[0], str(src), "--out", str(src), *command[1:], "--params",
                 str(FIXTURE), "--engine", engine, "--no-progress"])
    assert code == 2
    assert "would overwrite an input" in capsys.readouterr().err
    assert src.read_bytes() == before and listing(tmp_path) == ["pay.csv"]


def test_out_through_a_link_or_relative_path_is_refused(tmp_path, capsys, monkeypatch):
    src = write_csv(tmp_path / "pay.csv", payroll())
    before = src.read_bytes()
    os.link(src, tmp_path / "hard.csv")
    os.symlink(src, tmp_path / "soft.csv")
    monkeypatch.chdir(tmp_path)
    for out in ("hard.csv", "soft.csv", "./sub/../pay.csv"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        assert cli("contributions", "pay.csv", "--out", out) == 2, out
        assert "would overwrite an input" in capsys.readouterr().err
    assert src.read_bytes() == before


def test_out_inside_the_params_folder_is_refused(tmp_path, capsys, fixture_dir):
    src = write_csv(tmp_path / "pay.csv", payroll())
    target = next(p for p in fixture_dir.iterdir() if p.suffix == ".csv")
    before = target.read_bytes()
    code = main(["contributions", str(src), "--out", str(target), "--params", str(fixture_dir)])
    assert code == 2 and "would overwrite an input" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_pension_and_transfer_refuse_their_input(tmp_path, capsys):
    hist = tmp_path / "h.csv"
    hist.write_text("employee_id,city,month,base,birth_month,track,hukou_city\n"
                    "1,beijing,2020-01,8000,1970-01,male,beijing\n")
    assert main(["pension", str(hist), "--out", str(hist)]) == 2
    spells = tmp_path / "s.csv"
    spells.write_text("city,start,end\nbeijing,2010-01,2015-12\n")
    assert main(["transfer", str(spells), "--hukou", "beijing", "--out", str(spells)]) == 2
    assert capsys.readouterr().err.count("would overwrite an input") == 2
    assert listing(tmp_path) == ["h.csv", "s.csv"]


# ------------------------------------------------------------------ pass-through columns
def with_extras(df):
    df = df.copy()
    df["身份证号"] = [ID_NUMBER[:-1] + "4", "", "110101199003071234", "", ID_NUMBER, "0"][:len(df)]
    df["code"] = ["0012345", "00", "12345", "1e5", "NA", " x "][:len(df)]
    df["amount"] = ["7688.719999999999", "1,000", "-0", "+1", "", "1.10"][:len(df)]
    return df


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_extra_csv_columns_come_out_as_they_came_in(tmp_path, engine, suffix):
    df = with_extras(payroll())
    src = write_csv(tmp_path / "pay.csv", df)
    out = tmp_path / f"out{suffix}"
    assert cli("contributions", src, "--out", out, engine=engine) == 0
    if suffix == ".csv":
        rows = csv_rows(out)
        got = pd.DataFrame(rows[1:], columns=rows[0])
    elif suffix == ".parquet":
        got = pd.read_parquet(out)
    else:
        got = pd.read_excel(out, dtype=str, keep_default_na=False)
    for col in ("employee_id", "city", "month", "wage", "身份证号", "code", "amount"):
        expected = df[col].tolist()
        values = got[col].tolist()
        if suffix == ".parquet":  # blanks are missing in parquet, the text is kept
            values = ["" if pd.isna(v) else v for v in values]
        assert values == expected, (col, suffix)


def test_input_csv_text_is_byte_for_byte_in_csv_output(tmp_path):
    text = ("employee_id,city,month,wage,身份证号,note\n"
            "007,shanghai,2025-07,12000.50,110101199003071234,\"a, b\"\n"
            "007,shanghai,2025-08,12000.50,,NA\n")
    src = tmp_path / "pay.csv"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli("contributions", src, "--out", out) == 0
    rows = csv_rows(out)
    given = list(csv.reader(stdio.StringIO(text)))
    assert [r[:6] for r in rows] == given


def test_parquet_nullable_integers_keep_their_digits(tmp_path):
    df = payroll().assign(id_number=pd.array([110101199003071234, None, 1, 2, 3, 4],
                                             dtype="Int64"))
    df["wage"] = df["wage"].astype(float)
    src = tmp_path / "pay.parquet"
    df.to_parquet(src, index=False)
    for out in (tmp_path / "o.parquet", tmp_path / "o.csv"):
        assert cli("contributions", src, "--out", out, engine="stream") == 0
    assert pd.read_parquet(tmp_path / "o.parquet")["id_number"].tolist()[:2] == [
        110101199003071234, pd.NA]
    assert csv_rows(tmp_path / "o.csv")[1][4] == "110101199003071234"


def test_stream_parquet_writer_accepts_a_column_whose_values_change_kind(tmp_path):
    df = payroll(n=4).assign(note=["1", "2", "3", "x", "", "4.5", "7", "y"])
    src = write_csv(tmp_path / "pay.csv", df)
    out = tmp_path / "o.parquet"
    code = main(["contributions", str(src), "--out", str(out), "--params", str(FIXTURE),
                 "--chunk-rows", "2", "--no-progress"])
    assert code == 0
    assert pd.read_parquet(out)["note"].fillna("").tolist() == df["note"].tolist()


# ------------------------------------------------------------------ input never ignored
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("header", ["employee_id,city,month,wage,wage",
                                    "employee_id,city,month,month,wage",
                                    "employee_id,city,month,wage,工号 ",
                                    "employee_id,city,month,wage,"])
def test_repeated_or_empty_header_is_an_error(tmp_path, capsys, engine, header):
    src = tmp_path / "pay.csv"
    src.write_text(header + "\nE1,shanghai,2025-07,9000,9500\n", encoding="utf-8")
    assert cli("contributions", src, "--out", tmp_path / "o.csv", engine=engine) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and ("twice" in err or "no header" in err)
    assert listing(tmp_path) == ["pay.csv"]


def test_workbook_with_several_data_sheets_needs_sheet(tmp_path, capsys):
    src = tmp_path / "pay.xlsx"
    with pd.ExcelWriter(src) as writer:
        payroll().to_excel(writer, sheet_name="July", index=False)
        payroll(n=1).to_excel(writer, sheet_name="August", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="empty", index=False)
    out = tmp_path / "o.csv"
    assert cli("contributions", src, "--out", out) == 2
    err = capsys.readouterr().err
    assert "2 sheets hold data (July, August)" in err and "--sheet" in err
    assert not out.exists()
    assert cli("contributions", src, "--out", out, "--sheet", "August") == 0
    assert len(pd.read_csv(out)) == 2
    assert cli("contributions", src, "--out", out, "--sheet", "Nope") == 2
    assert "no sheet 'Nope'" in capsys.readouterr().err


# ------------------------------------------------------------------ keys
@pytest.mark.parametrize("engine", ENGINES)
def test_employee_id_is_trimmed_like_the_other_keys(tmp_path, capsys, engine):
    df = pd.DataFrame({"employee_id": ["E001", "E001 ", " E001"], "city": "shanghai",
                       "month": "2025-07", "wage": "9000"})
    src = write_csv(tmp_path / "pay.csv", df)
    assert cli("contributions", src, "--out", tmp_path / "o.csv", engine=engine) == 2
    assert "duplicate pair in rows 1, 2, 3" in capsys.readouterr().err


def test_trimmed_ids_are_one_employee_for_the_prior_year_base(fixture_table):
    # 2025 average 10,000 is the base of 2026-01 whichever way the id was typed.
    df = pd.DataFrame({"employee_id": ["E1", "E1 ", " E1"], "city": "shanghai",
                       "month": ["2025-07", "2025-08", "2026-01"],
                       "wage": [8000.0, 12000.0, 30000.0]})
    out = wuxian.contributions(df, params=fixture_table)
    assert out["base_si"].tolist()[2] == 10000.0
    assert out["employee_id"].tolist() == df["employee_id"].tolist()  # passed through


def test_padded_month_lands_in_its_year(tmp_path):
    df = payroll().assign(month=[" 2025-07", "2025-08 "] * 3, base_salary="5000")
    src = write_csv(tmp_path / "pay.csv", df)
    for engine in ENGINES:
        out = tmp_path / f"{engine}.csv"
        code = main(["gap", str(src), "--out", str(out), "--by", "year", "--params",
                     str(FIXTURE), "--engine", engine, "--no-progress",
                     "--base-method", "current_month"])
        assert code == 0
        assert pd.read_csv(out)["year"].tolist() == [2025], engine


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize("column", ["wage", "declared_base", "base_salary"])
@pytest.mark.parametrize("value,problem", [("inf", "not a finite number"),
                                           ("-inf", "not a finite number"),
                                           ("1e400", "not a finite number"),
                                           ("1e15", "implausible value"),
                                           ("1e308", "implausible value"),
                                           ("nan", "not a number"),
                                           ("True", "not a number")])
def test_non_finite_and_absurd_numbers_are_errors(tmp_path, capsys, column, value, problem):
    df = payroll()
    df[column] = df["wage"] if column != "wage" else df["wage"]
    df.loc[3, column] = value
    src = write_csv(tmp_path / "pay.csv", df)
    for engine in ENGINES:
        assert cli("contributions", src, "--out", tmp_path / "o.csv", engine=engine) == 2
        err = capsys.readouterr().err
        assert f"{column}: {problem}" in err and "in row 4" in err, engine
    assert listing(tmp_path) == ["pay.csv"]


@pytest.mark.parametrize("values", [[True, False], pd.array([1.0, True], dtype=object)])
def test_booleans_are_not_numbers(values):
    df = pd.DataFrame({"employee_id": ["a", "b"], "city": "shanghai", "month": "2025-07",
                       "wage": values})
    with pytest.raises(InputError, match="wage: true/false is not a number"):
        wuxian.contributions(df, base_method="current_month")


def test_pension_base_must_be_finite():
    from wuxian.pension import Assumptions, pension_from_file_frame

    hist = pd.DataFrame({"employee_id": 1, "city": "beijing", "month": ["2020-01", "2020-02"],
                         "base": ["8000", "inf"], "birth_month": "1970-01", "track": "male",
                         "hukou_city": "beijing"})
    with pytest.raises(InputError, match="base: not a finite number in row 2"):
        pension_from_file_frame(hist, Assumptions())


# ------------------------------------------------------------------ nothing leaks
def test_no_id_number_in_any_message(tmp_path, capsys):
    """Every failing run over a file holding an ID number: the number is never printed."""
    good = with_extras(payroll())
    cases = {
        "bad wage": good.assign(wage=["x"] + good["wage"].tolist()[1:]),
        "bad city": good.assign(city=[ID_NUMBER] + good["city"].tolist()[1:]),
        "bad month": good.assign(month=[ID_NUMBER] + good["month"].tolist()[1:]),
        "duplicate": good.assign(employee_id=ID_NUMBER),
        "id as wage": good.assign(wage=[ID_NUMBER] + good["wage"].tolist()[1:]),
    }
    for name, df in cases.items():
        src = write_csv(tmp_path / "pay.csv", df)
        for engine in ENGINES:
            for out in ("o.csv", "o.parquet", "o.xlsx"):
                code = main(["contributions", str(src), "--out", str(tmp_path / out),
                             "--params", str(FIXTURE), "--engine", engine, "--chunk-rows",
                             "2", "--no-progress"])
                err = capsys.readouterr().err
                assert code == 2, (name, engine, out)
                assert ID_NUMBER not in err and "Traceback" not in err, (name, err)
    assert listing(tmp_path) == ["pay.csv"]


def test_library_errors_are_reworded_without_their_text(tmp_path, capsys, monkeypatch):
    engine = importlib.import_module("wuxian.contributions")

    def boom(*a, **k):
        raise ValueError(f"Failed to parse string: '{ID_NUMBER}'")

    monkeypatch.setattr(engine, "compute_block", boom)
    src = write_csv(tmp_path / "pay.csv", payroll())
    assert cli("contributions", src, "--out", tmp_path / "o.csv") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: internal error (ValueError)")
    assert ID_NUMBER not in err and "Traceback" not in err
    assert listing(tmp_path) == ["pay.csv"]


@pytest.mark.parametrize("exc,text", [(MemoryError, "out of memory"),
                                      (KeyboardInterrupt, "interrupted")])
def test_memory_error_and_ctrl_c_are_one_line(tmp_path, capsys, monkeypatch, exc, text):
    engine = importlib.import_module("wuxian.contributions")

    def boom(*a, **k):
        raise exc()

    monkeypatch.setattr(engine, "compute_block", boom)
    src = write_csv(tmp_path / "pay.csv", payroll())
    out = tmp_path / "o.csv"
    out.write_text("previous\n")
    assert cli("contributions", src, "--out", out) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith(f"error: {text}")
    assert "Traceback" not in err
    assert out.read_text() == "previous\n" and listing(tmp_path) == ["o.csv", "pay.csv"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("content", [b"PAR1garbage", b"PAR1" + b"\0" * 40 + b"PAR1", b""])
def test_corrupt_parquet_is_a_clean_error(tmp_path, capsys, engine, content):
    src = tmp_path / "pay.parquet"
    src.write_bytes(content)
    assert cli("contributions", src, "--out", tmp_path / "o.csv", engine=engine) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: pay.parquet: not a readable .parquet file")
    assert "Traceback" not in err


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("content", [b"", b"  \n \n", "城市\n".encode("utf-16"),
                                     b"employee_id,city,month,wage\n\"E1,shanghai\n"])
def test_unreadable_csv_is_a_clean_error(tmp_path, capsys, engine, content):
    src = tmp_path / "pay.csv"
    src.write_bytes(content)
    assert cli("contributions", src, "--out", tmp_path / "o.csv", engine=engine) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: pay.csv:") and "Traceback" not in err
    assert listing(tmp_path) == ["pay.csv"]


@pytest.mark.parametrize("option", [["--chunk-rows", "-5"], ["--chunk-rows", "0"],
                                    ["--chunk-rows", "x"], ["--workers", "0"]])
def test_counts_must_be_positive(tmp_path, capsys, option):
    src = write_csv(tmp_path / "pay.csv", payroll())
    with pytest.raises(SystemExit) as exit_:
        main(["contributions", str(src), *option])
    assert exit_.value.code == 2
    assert "is not a whole number of at least 1" in capsys.readouterr().err


# ------------------------------------------------------------------ CSV injection
FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-1+cmd", "@SUM(A1)", "\tx", "\r=1"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formulas_are_escaped_in_csv_and_xlsx(tmp_path, suffix):
    df = payroll().assign(note=FORMULAS)
    src = tmp_path / "pay.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:  # csv quotes the "\r" cell
        csv.writer(f).writerows([df.columns, *df.values.tolist()])
    out = tmp_path / f"o{suffix}"
    assert cli("contributions", src, "--out", out) == 0
    if suffix == ".csv":
        rows = csv_rows(out)
        notes = [r[rows[0].index("note")] for r in rows[1:]]
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(out).active
        header = [c.value for c in sheet[1]]
        notes = [sheet.cell(r, header.index("note") + 1).value for r in range(2, 8)]
        assert all(sheet.cell(r, header.index("note") + 1).data_type == "s"
                   for r in range(2, 8))
    expected = ["'" + f for f in FORMULAS]
    if suffix == ".xlsx":  # XML turns a carriage return into a line feed (AtomicWriter doc)
        expected = [e.replace("\r", "\n") for e in expected]
    assert notes == expected
    assert cli("contributions", src, "--out", out, "--no-escape-formulas") == 0
    if suffix == ".csv":
        assert [r[rows[0].index("note")] for r in csv_rows(out)[1:]] == FORMULAS


def test_plain_numbers_and_parquet_are_not_escaped(tmp_path):
    df = pd.DataFrame({"a": ["-5", "+1.5e3", "-.5", "=1", "x-"]})
    assert escape_formulas(df)["a"].tolist() == ["-5", "+1.5e3", "-.5", "'=1", "x-"]
    write_table(df, tmp_path / "o.parquet")
    assert pd.read_parquet(tmp_path / "o.parquet")["a"].tolist() == df["a"].tolist()
    numeric = pd.DataFrame({"n": [-1.0, 2.0]})
    assert escape_formulas(numeric) is numeric


def test_read_payroll_numbers_false_keeps_every_cell(tmp_path):
    src = write_csv(tmp_path / "p.csv", with_extras(payroll()))
    text = read_payroll(src, numbers=False)
    assert text["wage"].tolist()[0] == "9000.00"
    assert read_payroll(src)["wage"].dtype == np.float64


def test_control_characters_cannot_go_to_xlsx(tmp_path, capsys):
    src = write_csv(tmp_path / "pay.csv", payroll().assign(note="a\x01b"))
    out = tmp_path / "o.xlsx"
    assert cli("contributions", src, "--out", out) == 2
    assert "column note holds control characters" in capsys.readouterr().err
    assert listing(tmp_path) == ["pay.csv"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_first_row_longer_than_the_header_is_an_error(tmp_path, capsys, engine):
    src = tmp_path / "pay.csv"
    src.write_text(f"employee_id,city,month,wage\nE1,shanghai,2025-07,9000,{ID_NUMBER}\n")
    assert cli("contributions", src, "--out", tmp_path / "o.csv", engine=engine) == 2
    err = capsys.readouterr().err
    assert "more than the 4 fields of the header" in err and ID_NUMBER not in err
    assert listing(tmp_path) == ["pay.csv"]
