"""Issue 14 (faults): a corrupt data file is a ParameterError naming the file, never a traceback.

Each case copies ``data/`` into ``tmp_path``, breaks one file one way (cut short, a ragged row,
emptied, saved as GBK, a column dropped, text in a numeric column) and checks the error type,
that the message names the file (and the line when it is known) and that it quotes no cell of
a non-key column. Parameter files are read from the copy with ``params.load(folder)`` and with
the CLI's ``--params`` option (in-process and as a subprocess); the national tables have no
CLI override, so they are pointed at the copy by monkeypatching ``national.NATIONAL_DIR``
(in-process API and CLI only).
"""

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import wuxian.params as params
from wuxian import benefits, retirement
from wuxian import national as national_module
from wuxian.cli import main
from wuxian.errors import ParameterError

DATA = Path(__file__).resolve().parents[1] / "data"
WUXIAN = Path(sys.executable).with_name("wuxian")
SECRET = "x9SECRETx"  # a cell value that must never reach a message


# ------------------------------------------------------------------ corruptions
def _rows(path: Path) -> list:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _write_rows(path: Path, rows: list) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def cut_mid_row(path: Path) -> None:
    """The file ends after the first two fields of its last line (a copy cut short)."""
    raw = path.read_bytes().rstrip(b"\n")
    last = raw.rfind(b"\n") + 1
    second_comma = raw.index(b",", raw.index(b",", last) + 1)
    path.write_bytes(raw[:second_comma + 1])


def cut_in_quotes(path: Path) -> None:
    """The file ends inside a quoted field (one is made on line 3 if the file quotes none)."""
    raw = path.read_bytes()
    start = raw.index(b"\n") + 1
    quote = raw.find(b',"', start)
    if quote >= 0:
        path.write_bytes(raw[:quote + 5])
    else:
        comma = raw.index(b",", raw.index(b"\n", start) + 1)
        path.write_bytes(raw[:comma + 1] + b'"' + raw[comma + 1:comma + 6])


def cut_in_character(path: Path) -> None:
    """The file ends in the middle of a UTF-8 character (a CJK character is 3 bytes)."""
    raw = path.read_bytes()
    first = next(i for i, b in enumerate(raw) if b >= 0xE0)
    path.write_bytes(raw[:first + 1])


def header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")


def ragged_row(path: Path) -> None:
    rows = _rows(path)
    rows[2] = rows[2] + ["extra"]
    _write_rows(path, rows)


def short_row(path: Path) -> None:
    rows = _rows(path)
    rows[2] = rows[2][:-2]
    _write_rows(path, rows)


def empty(path: Path) -> None:
    path.write_bytes(b"")


def gbk(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert any(ord(c) > 127 for c in text), "the file needs a CJK character"
    path.write_bytes(text.encode("gbk", errors="replace"))


def drop_column(column: str):
    def edit(path: Path) -> None:
        rows = _rows(path)
        i = rows[0].index(column)
        _write_rows(path, [r[:i] + r[i + 1:] for r in rows])
    edit.__name__ = f"drop_{column}"
    return edit


def text_in(column: str):
    def edit(path: Path) -> None:
        rows = _rows(path)
        rows[3][rows[0].index(column)] = SECRET
        _write_rows(path, rows)
    edit.__name__ = f"text_in_{column}"
    return edit


#: (corruption, whether the message must name a line)
PARAM_FAULTS = [
    (cut_mid_row, True), (cut_in_quotes, True), (cut_in_character, True),
    (header_only, False), (ragged_row, True), (short_row, True), (empty, False), (gbk, True),
    (drop_column("base_cap"), True), (text_in("employer_rate"), True),
    (text_in("base_floor"), True),
]
IDS = [f.__name__ for f, _ in PARAM_FAULTS]


@pytest.fixture
def data_copy(tmp_path) -> Path:
    shutil.copytree(DATA / "params", tmp_path / "params")
    shutil.copytree(DATA / "national", tmp_path / "national")
    return tmp_path


def check_message(message: str, filename: str, line: bool) -> None:
    assert filename in message, message
    assert SECRET not in message, message
    assert "Traceback" not in message, message
    if line:
        assert " line " in message or " lines " in message, message


# ------------------------------------------------------------------ parameter files
@pytest.mark.parametrize("fault, line", PARAM_FAULTS, ids=IDS)
def test_corrupt_city_file_api(data_copy, fault, line):
    fault(data_copy / "params" / "shanghai.csv")
    with pytest.raises(ParameterError) as err:
        params.load(data_copy / "params")
    check_message(str(err.value), "shanghai.csv", line)


COVERAGE_FAULTS = [(cut_mid_row, True), (header_only, False), (ragged_row, True),
                   (empty, False), (drop_column("period_end"), True)]


@pytest.mark.parametrize("fault, line", COVERAGE_FAULTS,
                         ids=[f.__name__ for f, _ in COVERAGE_FAULTS])
def test_corrupt_coverage_file_api(data_copy, fault, line):
    fault(data_copy / "params" / "coverage.csv")
    with pytest.raises(ParameterError) as err:
        params.load(data_copy / "params")
    check_message(str(err.value), "coverage.csv", line)


def test_city_file_cut_at_a_line_end_names_the_file(data_copy):
    """Rows lost at a line boundary parse cleanly: the gaps they leave name the file."""
    path = data_copy / "params" / "shanghai.csv"
    path.write_bytes(b"\n".join(path.read_bytes().split(b"\n")[:-20]) + b"\n")
    with pytest.raises(ParameterError, match="gaps") as err:
        params.load(data_copy / "params")
    check_message(str(err.value), "shanghai.csv", False)


def test_bad_text_value_is_not_quoted(data_copy):
    """A non-key column's value (confidence) is named by column and line, not quoted."""
    text_in("confidence")(data_copy / "params" / "shanghai.csv")
    with pytest.raises(ParameterError, match="confidence") as err:
        params.load(data_copy / "params")
    check_message(str(err.value), "shanghai.csv", True)
    assert "line 4" in str(err.value)  # rows[3]: the header is line 1


def test_numeric_error_names_column_and_line(data_copy):
    text_in("employer_rate")(data_copy / "params" / "shanghai.csv")
    with pytest.raises(ParameterError, match=r"shanghai\.csv line 4: column employer_rate is "
                                             r"not a number"):
        params.load(data_copy / "params")


def test_blank_lines_and_bom_are_still_read(data_copy):
    path = data_copy / "params" / "shanghai.csv"
    raw = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + raw.replace(b"\n", b"\n\n", 3))
    table = params.load(data_copy / "params")
    rows = table.rows[table.rows.file == "shanghai.csv"]
    assert rows.file_line.iloc[0] == 3  # line 2 is blank: file lines stay true


@pytest.mark.parametrize("fault, line", PARAM_FAULTS, ids=IDS)
def test_corrupt_city_file_cli_in_process(data_copy, capsys, fault, line):
    fault(data_copy / "params" / "shanghai.csv")
    code = main(["params", "--city", "shanghai", "--month", "2025-07", "--params",
                 str(data_copy / "params")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "internal error" not in err, err
    check_message(err, "shanghai.csv", line)


@pytest.mark.skipif(not WUXIAN.exists(), reason="the wuxian script is not installed")
@pytest.mark.parametrize("fault", [cut_mid_row, gbk, text_in("employer_rate"), empty],
                         ids=lambda f: f.__name__)
def test_corrupt_city_file_cli_subprocess(data_copy, fault):
    fault(data_copy / "params" / "shanghai.csv")
    res = subprocess.run([str(WUXIAN), "params", "--city", "shanghai", "--month", "2025-07",
                          "--params", str(data_copy / "params")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    assert res.stdout == ""
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") <= 3, res.stderr
    check_message(res.stderr, "shanghai.csv", fault is not empty)


# ------------------------------------------------------------------ national tables
@pytest.fixture
def national(data_copy, monkeypatch):
    """The national tables read from the copy (caches cleared before and after)."""
    monkeypatch.setattr(national_module, "NATIONAL_DIR", data_copy / "national")
    national_module.national_table.cache_clear()
    yield data_copy / "national"
    national_module.national_table.cache_clear()


NATIONAL_FAULTS = [
    (cut_mid_row, True), (cut_in_quotes, True), (cut_in_character, True),
    (header_only, False), (ragged_row, True), (short_row, True), (empty, False), (gbk, True),
]
#: table -> (a numeric column, how a public function reads it)
TABLES = {
    "payout_months": ("months", lambda: retirement.payout_months(60)),
    "maternity_leave": ("base_days", lambda: benefits.maternity_leave_days("beijing",
                                                                           ["2023-05"])),
    "unemployment_amount": ("value", lambda: benefits.unemployment_amount("guangzhou",
                                                                          ["2023-06"])),
    "series_guangzhou": ("value", lambda: benefits.unemployment_amount("guangzhou",
                                                                       ["2023-06"])),
    "retirement_rules": ("max_delay_months", lambda: retirement.retirement_month("1970-01",
                                                                                 "male")),
}


@pytest.mark.parametrize("table", sorted(TABLES))
@pytest.mark.parametrize("fault, line", NATIONAL_FAULTS + [
    (drop_column("period_end"), True), (drop_column("source"), True)],
    ids=[f.__name__ for f, _ in NATIONAL_FAULTS] + ["drop_period_end", "drop_source"])
def test_corrupt_national_table(national, table, fault, line):
    path = national / f"{table}.csv"
    if fault.__name__ == "drop_period_end" and "period_end" not in _rows(path)[0]:
        fault = drop_column(_rows(path)[0][0])
    fault(path)
    with pytest.raises(ParameterError) as err:
        TABLES[table][1]()
    check_message(str(err.value), f"{table}.csv", line)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_text_in_numeric_national_column(national, table):
    column, read = TABLES[table]
    text_in(column)(national / f"{table}.csv")
    with pytest.raises(ParameterError, match=rf"{table}\.csv line 4: column {column} is not a "
                                             "number") as err:
        read()
    check_message(str(err.value), f"{table}.csv", True)


def test_missing_source_names_the_lines(national):
    path = national / "payout_months.csv"
    rows = _rows(path)
    rows[4][rows[0].index("source")] = ""
    _write_rows(path, rows)
    with pytest.raises(ParameterError, match=r"payout_months\.csv: every row needs a source "
                                             r"\(blank on line 5\)"):
        national_module.national_table("payout_months")


def test_missing_national_file(national):
    (national / "payout_months.csv").unlink()
    with pytest.raises(ParameterError, match=r"payout_months\.csv: file not found"):
        retirement.payout_months(60)


def test_bundled_tables_read_as_before(national):
    """The copy reads like the bundled data (types as pandas infers them)."""
    t = national_module.national_table("payout_months")
    assert t["age"].dtype.kind == "i" and t.loc[0, "months"] == 233
    assert retirement.payout_months(60) == 139.0


@pytest.mark.parametrize("fault", [cut_mid_row, gbk, text_in("base_days")],
                         ids=lambda f: f.__name__)
def test_corrupt_national_table_cli_in_process(national, capsys, fault):
    """No CLI option points at another data/national: the CLI runs in-process on the copy."""
    fault(national / "maternity_leave.csv")
    code = main(["benefits", "maternity", "--city", "beijing", "--month", "2023-05",
                 "--avg-wage", "12000"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("error: ") and "internal error" not in captured.err
    check_message(captured.err, "maternity_leave.csv", True)
