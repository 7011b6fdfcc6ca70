"""read_payroll / write_table: formats, text keys kept as given, atomic writes."""

import os

import pandas as pd
import pytest

from wuxian.errors import InputError
from wuxian.io import read_payroll, write_table


def frame():
    return pd.DataFrame({
        "employee_id": ["007", "E00002"], "city": ["shanghai", "上海"],
        "month": ["2025-07", "2025-08"], "wage": [10000.5, 12000.0],
        "declared_base": [None, 8000.0], "category": ["NA", "local_urban"],
    })


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_and_text_keys(tmp_path, encoding):
    path = tmp_path / "p.csv"
    frame().to_csv(path, index=False, encoding=encoding)
    df = read_payroll(path)
    assert list(df.columns) == list(frame().columns)  # no BOM left in the first header
    assert df["employee_id"].tolist() == ["007", "E00002"]  # leading zeros kept
    assert df["city"].tolist() == ["shanghai", "上海"]
    assert df["category"].tolist() == ["NA", "local_urban"]  # "NA" is data, not missing
    assert df["declared_base"].isna().tolist() == [True, False]
    assert df["wage"].tolist() == [10000.5, 12000.0]
    assert read_payroll(path, numbers=False)["wage"].tolist() == ["10000.5", "12000.0"]


def test_chinese_headers_read_as_text(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("工号,城市,月份,应发工资\n0012,北京,2025-07,9000\n", encoding="utf-8-sig")
    df = read_payroll(path)
    assert df["工号"].tolist() == ["0012"]
    assert df["应发工资"].tolist() == [9000.0]


def test_xlsx_and_parquet(tmp_path):
    f = frame()
    f.to_excel(tmp_path / "p.xlsx", index=False)
    f.to_parquet(tmp_path / "p.parquet", index=False)
    for name in ("p.xlsx", "p.parquet"):
        df = read_payroll(tmp_path / name)
        assert df["employee_id"].tolist() == ["007", "E00002"], name
        assert df["wage"].tolist() == [10000.5, 12000.0], name


@pytest.mark.parametrize("name", ["p.txt", "p.xls", "p"])
def test_unknown_input_suffix(tmp_path, name):
    with pytest.raises(InputError, match="unknown input file type"):
        read_payroll(tmp_path / name)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_payroll(tmp_path / "nope.csv")


@pytest.mark.parametrize("name", ["out.csv", "out.parquet"])
def test_write_roundtrip(tmp_path, name):
    write_table(frame(), tmp_path / name)
    back = read_payroll(tmp_path / name)
    assert back["employee_id"].tolist() == ["007", "E00002"]
    assert os.listdir(tmp_path) == [name]


def test_unknown_output_suffix(tmp_path):
    with pytest.raises(InputError, match="unknown output file type"):
        write_table(frame(), tmp_path / "out.txt")
    assert os.listdir(tmp_path) == []


def test_failed_write_leaves_no_temp_and_keeps_old_file(tmp_path):
    target = tmp_path / "out.parquet"
    target.write_bytes(b"old")
    bad = pd.DataFrame({"x": [1, "a", 2.5, object()]})  # pyarrow cannot store this column
    with pytest.raises(Exception):
        write_table(bad, target)
    assert os.listdir(tmp_path) == ["out.parquet"]
    assert target.read_bytes() == b"old"


def test_interrupted_csv_write_leaves_nothing(tmp_path, monkeypatch):
    def boom(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(KeyboardInterrupt):
        write_table(frame(), tmp_path / "out.csv")
    assert os.listdir(tmp_path) == []
