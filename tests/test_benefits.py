"""Unemployment, injury and maternity benefits (wuxian.benefits, wuxian.injury)."""
import pytest

from wuxian.benefits import (death_benefits, injury_disability, maternity_allowance,
                             maternity_leave_days, nursing_allowance, unemployment_amount,
                             unemployment_months, unemployment_transfer)
from wuxian.errors import InputError, MissingParameterError


def test_unemployment_months_national():
    # 失业保险条例 art.17
    assert unemployment_months([0, 1, 3, 4.99, 5, 9.9, 10, 25]).tolist() == [0, 12, 12, 12, 18, 18, 24, 24]


def test_unemployment_months_beijing():
    assert unemployment_months([1, 2, 3, 4, 5, 6, 17, 30], city="beijing").tolist() == \
        [3, 6, 9, 12, 12, 13, 24, 24]


def test_unemployment_amount_guangdong_and_missing():
    assert unemployment_amount("shenzhen", ["2023-06"])[0] > 0
    assert unemployment_amount("guangzhou", ["2023-06"]).tolist() == [2070.0]  # 90% x 2300
    with pytest.raises(MissingParameterError):
        unemployment_amount("shanghai", ["2023-06"])
    with pytest.raises(MissingParameterError, match="row 1"):
        unemployment_amount("guangzhou", ["2015-06"])


def test_unemployment_transfer():
    r = unemployment_transfer([8000, 8000], [1, 0.9])
    assert r["fund_transferred"].tolist() == [12000.0, 0.0]


@pytest.mark.parametrize("grade,m2011,m2003", list(zip(range(1, 11),
                         [27, 25, 23, 21, 18, 16, 13, 11, 9, 7], [24, 22, 20, 18, 16, 14, 12, 10, 8, 6])))
def test_injury_grades(grade, m2011, m2003):
    assert injury_disability([grade], 5000, "2015-01")["lump_sum"].iloc[0] == m2011 * 5000
    assert injury_disability([grade], 5000, "2009-01")["lump_sum"].iloc[0] == m2003 * 5000


def test_injury_allowance_and_errors():
    r = injury_disability(list(range(1, 11)), 10000, "2020-01")
    assert r["monthly_allowance"].tolist()[:6] == [9000, 8500, 8000, 7500, 7000, 6000]
    assert r["monthly_allowance"].iloc[6:].isna().all()
    with pytest.raises(InputError, match="grade: must be an integer 1-10, row 2"):
        injury_disability([1, 11], 10000)
    with pytest.raises(MissingParameterError):
        injury_disability([1], 10000, "2003-01")


def test_nursing_and_death():
    assert nursing_allowance(["full", "most", "partial"], 10000).tolist() == [5000, 4000, 3000]
    r = death_benefits([2024], 6000, 10000, spouse=True, others=1, alone=0)
    assert r["lump_sum"].iloc[0] == 20 * 51821 and r["funeral"].iloc[0] == 60000
    assert r["dependants_monthly"].iloc[0] == 0.7 * 6000
    with pytest.raises(MissingParameterError):
        death_benefits([2010], 6000, 10000)


def test_maternity_case():
    # Beijing birth 2023: 98 + 60 = 158 days; allowance = 15000/30 x 158
    days = maternity_leave_days("beijing", ["2023-03"])
    assert days.tolist() == [158]
    assert maternity_allowance([15000], days).tolist() == [79000.0]
    assert maternity_leave_days("shanghai", ["2019-01", "2022-01"]).tolist() == [128, 158]
    with pytest.raises(InputError, match="leave_days"):
        maternity_allowance([15000], [-3])
    with pytest.raises(MissingParameterError):
        maternity_leave_days("beijing", ["2011-01"])
