"""The national-table layer (issue 15): named rules and the source/confidence check."""

import shutil
from pathlib import Path

import pytest

from wuxian import national
from wuxian.errors import ParameterError

DATA = Path(__file__).resolve().parents[1] / "data" / "national"


def test_named_rules_are_read_by_name_and_date():
    assert national.rule_value("iit_rules", "hf_deductible_rate") == 0.12  # 财税〔2006〕10号
    assert national.rule_value("iit_rules", "hf_deductible_rate", "2019-01") == 0.12
    assert national.rule("pension_rules", "pooled_transfer_since") == "1998-01"  # 国办发〔2009〕66号


def test_a_missing_or_out_of_date_rule_is_a_parameter_error():
    with pytest.raises(ParameterError, match="rule 'no_such_rule' not found"):
        national.rule("iit_rules", "no_such_rule")
    with pytest.raises(ParameterError, match="for 2005-01"):
        national.rule_value("iit_rules", "hf_deductible_rate", "2005-01")  # from 2006-07


@pytest.fixture
def copy(tmp_path, monkeypatch):
    shutil.copytree(DATA, tmp_path / "national")
    monkeypatch.setattr(national, "NATIONAL_DIR", tmp_path / "national")
    national.national_table.cache_clear()
    yield tmp_path / "national"
    national.national_table.cache_clear()


def test_a_row_with_a_value_needs_a_confidence(copy):
    path = copy / "payout_months.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("confidence")] = ""
    path.write_text("\n".join([lines[0], ",".join(row)] + lines[2:]) + "\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"payout_months.csv: every row needs a confidence "
                                             r"\(blank on line 2\)"):
        national.national_table("payout_months")


def test_a_not_found_row_may_leave_its_confidence_blank():
    t = national.national_table("unemployment_months")
    assert (t["confidence"].isna() & t["months"].isna()).any()
