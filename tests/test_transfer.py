"""Cross-city transfers (wuxian.transfer): claim place (国办发〔2009〕66号 art.6), what moves,
temporary accounts, unemployment / medical / housing fund, and the procedure checklist."""

import pandas as pd
import pytest

from wuxian.errors import InputError
from wuxian.transfer import (claim_place, expand_spells, procedures, transfer_checklist,
                             transfer_summary)


def spells(*rows):
    return pd.DataFrame(rows, columns=["city", "start", "end", "base"])


# ---------------------------------------------------------------- Beijing -> Shenzhen -> hukou
def test_claim_last_place_with_ten_years():
    # hukou Chengdu; Beijing 12 years, then Shenzhen 8 years (current, < 10):
    # not in hukou place, current < 10y -> back to the last place with >= 10y: Beijing
    s = spells(("beijing", "2005-01", "2016-12", 9000.0), ("shenzhen", "2017-01", "2024-12", 9000.0))
    assert claim_place(s, "chengdu") == "beijing"


def test_claim_current_place_with_ten_years():
    # Beijing 5y, then Shenzhen 11y (current, >= 10y) -> Shenzhen, even though Beijing came first
    s = spells(("beijing", "2003-01", "2007-12", 9000.0), ("shenzhen", "2008-01", "2018-12", 9000.0))
    assert claim_place(s, "chengdu") == "shenzhen"


def test_claim_back_in_hukou_place():
    # Beijing 12y, Shenzhen 5y, then back to hukou Chengdu: relation in hukou place -> Chengdu
    s = spells(("beijing", "2000-01", "2011-12", 9000.0), ("shenzhen", "2012-01", "2016-12", 9000.0),
               ("成都", "2017-01", "2024-12", 6000.0))
    assert claim_place(s, "成都") == "成都"


def test_claim_no_place_with_ten_years_goes_to_hukou():
    # Beijing 8y, Shenzhen 9y, never in hukou place: nowhere >= 10y -> pooled at hukou place
    s = spells(("beijing", "2000-01", "2007-12", 9000.0), ("shenzhen", "2008-01", "2016-12", 9000.0))
    assert claim_place(s, "chengdu") == "chengdu"


def test_claim_years_cumulate_over_separate_spells():
    # Beijing 6y + Shenzhen 2y + Beijing 5y again: Beijing cumulates 11y -> Beijing
    s = spells(("beijing", "2000-01", "2005-12", 9000.0), ("shenzhen", "2006-01", "2007-12", 9000.0),
               ("beijing", "2008-01", "2012-12", 9000.0), ("shanghai", "2013-01", "2015-12", 9000.0))
    assert claim_place(s, "chengdu") == "beijing"


# ---------------------------------------------------------------- what moves
def test_transfer_amounts_hand_checked():
    s = spells(("beijing", "2021-01", "2022-12", 10000.0), ("shenzhen", "2023-01", "2024-06", 12000.0))
    out = transfer_summary(s, "chengdu", "1980-01", "male")
    mv = out["moves"].iloc[0]
    assert (mv["from_city"], mv["to_city"], mv["move_month"]) == ("beijing", "shenzhen", "2023-01")
    assert mv["months_at_origin"] == 24
    # pooled fund: 12% x 10000 x 24 months = 28800 (66号文 art.4)
    assert mv["pooled_transfer"] == pytest.approx(28800.0)
    # personal account: 8% x 10000 = 800/month; 9600 in 2021 earns 2022's 6.12%: 9600 x 1.0612
    # + 9600 (2022, credited at year end) = 19787.52
    assert mv["account_transfer"] == pytest.approx(9600 * 1.0612 + 9600)
    assert bool(mv["cross_province"]) and not bool(mv["temporary_account"])
    assert mv["unemployment"] == "funds and years move"
    # medical: claim place is Chengdu (no >= 10y place) -> no data, said so, not zero
    assert out["claim_city"] == "chengdu"
    assert out["medical"]["required_years"] is None
    assert out["medical"]["total_years"] == pytest.approx(3.5)


def test_temporary_account_rules():
    # woman (female_55) born 1978-01 moving Beijing -> Shanghai at 41: temporary account
    s = spells(("beijing", "2005-01", "2018-12", 9000.0), ("shanghai", "2019-01", "2019-08", 9000.0),
               ("guangzhou", "2019-09", "2022-12", 9000.0), ("shenzhen", "2023-01", "2024-12", 9000.0))
    mv = transfer_summary(s, "guangzhou", "1978-01", "female_55")["moves"]
    assert mv["temporary_account"].tolist() == [
        True,    # Beijing -> Shanghai, age 41 >= 40, cross-province, not hukou
        False,   # Shanghai -> Guangzhou: back to the hukou place
        False,   # Guangzhou -> Shenzhen: same province (Guangdong), not a 66号文 cross-province move
    ]
    # a man of 41 making the first move: no temporary account (men: 50)
    mv_m = transfer_summary(s, "guangzhou", "1978-01", "male")["moves"]
    assert not mv_m["temporary_account"].iloc[0]
    # short spell at origin: unemployment funds do not move (8 months < 1 year in Shanghai)
    assert mv.loc[1, "unemployment"].startswith("years move; no funds")


def test_medical_requirement_and_claimant_transfer():
    s = spells(("shenzhen", "2005-01", "2007-12", 9000.0), ("beijing", "2008-01", "2024-12", 9000.0))
    out = transfer_summary(s, "chengdu", "1975-01", "male", unemployment_remaining_benefit=6000.0)
    assert out["claim_city"] == "beijing"
    assert out["medical"]["required_years"] == 25.0   # Beijing men 25 (medium confidence)
    assert out["medical"]["total_years"] == pytest.approx(20.0)
    # claimant moving: unpaid benefit + 50% (部令第8号): 6000 x 1.5
    assert out["unemployment_claimant_transfer"] == pytest.approx(9000.0)


# ---------------------------------------------------------------- procedures and checklist
def test_procedures_as_data():
    p = procedures()
    assert {"pension", "medical", "unemployment", "housing_fund"} <= set(p["insurance"])
    assert p["source"].notna().all() and p["confidence"].notna().all()
    pen = procedures("pension")
    assert pen["deadline_working_days"].dropna().tolist() == [15, 15, 15]
    assert "参保缴费凭证" in pen.loc[0, "action"]
    assert procedures("medical")["deadline_working_days"].dropna().tolist() == [10, 5]
    with pytest.raises(InputError, match="insurance"):
        procedures("pensions")


def test_checklist_text():
    s = spells(("beijing", "2010-01", "2021-12", 9000.0), ("shenzhen", "2022-01", "2024-12", 9000.0))
    text = transfer_checklist(s, "chengdu", "1975-01", "male")
    assert text.splitlines()[0] == "Pension claim city (国办发〔2009〕66号 art.6): beijing"
    assert "Move beijing → shenzhen (2022-01)" in text
    assert "联系函" in text and "信息表" in text
    assert "deadline 15 working days" in text and "deadline 5 working days" in text
    assert "source: 国办发〔2009〕66号" in text


# ---------------------------------------------------------------- invalid spells
def test_invalid_spells():
    with pytest.raises(InputError, match=r"spells overlap.*rows 1, 2"):
        claim_place(spells(("beijing", "2010-01", "2015-06", 1.0),
                           ("shenzhen", "2015-06", "2020-12", 1.0)), "beijing")
    with pytest.raises(InputError, match=r"end: before start in spell row 1"):
        expand_spells(spells(("beijing", "2015-01", "2014-12", 1.0)))
    with pytest.raises(InputError, match=r"start: malformed"):
        expand_spells(spells(("beijing", "2015-13", "2016-12", 1.0)))
    with pytest.raises(InputError, match="track"):
        transfer_summary(spells(("beijing", "2015-01", "2016-12", 1.0)), "beijing", "1980-01", "man")
