"""Unemployment, injury and maternity benefits (wuxian.benefits, wuxian.injury)."""
import numpy as np
import pytest

from wuxian.benefits import (death_benefits, injury_disability, maternity_allowance,
                             maternity_leave_days, nursing_allowance, unemployment_amount,
                             unemployment_months, unemployment_transfer)
from wuxian.national import NATIONAL_DIR
from wuxian.errors import InputError, MissingParameterError


def test_unemployment_months_national():
    # 失业保险条例 art.17
    assert unemployment_months([0, 1, 3, 4.99, 5, 9.9, 10, 25]).tolist() == [0, 12, 12, 12, 18, 18, 24, 24]


def test_unemployment_months_beijing():
    # 北京市失业保险规定 art.17 (5+ read as 12 + 1 per year beyond 5: see the CSV notes)
    assert unemployment_months([1, 2, 3, 4, 5, 6, 17, 30], city="beijing").tolist() == \
        [3, 6, 9, 12, 12, 13, 24, 24]


def test_unemployment_months_guangdong():
    # 广东省失业保险条例; 深圳本地宝 2024-09-18: 1-4 years 1 month per year, then 1 per half-year, cap 24
    years = [0.9, 1, 3.99, 4, 4.49, 4.5, 5, 13.9, 14, 30]
    expected = [0, 1, 3, 4, 4, 5, 6, 23, 24, 24]
    assert unemployment_months(years, city="guangzhou").tolist() == expected
    assert unemployment_months(years, city="shenzhen").tolist() == expected


def test_unemployment_months_shanghai():
    # 上海市人社局: 满1年不满2年 2 months, +2 per year, cap 24
    assert unemployment_months([0.5, 1, 1.99, 2, 11.99, 12, 25], city="shanghai").tolist() == \
        [0, 2, 2, 4, 22, 24, 24]
    with pytest.raises(MissingParameterError, match="chengdu"):
        unemployment_months([3], city="chengdu")


def test_unemployment_amount_guangdong_published():
    # Xinhua 2018-05-22 (gov.cn/xinwen/2018-05/22/content_5292726.htm): 80% -> 90% from 2018-05-01;
    # Shenzhen 2130 x 90% = 1917; Guangzhou before: 1895 x 80% = 1516
    assert unemployment_amount("shenzhen", ["2018-05"]).tolist() == [1917.0]
    assert unemployment_amount("shenzhen", ["2018-04"]).tolist() == [1704.0]  # 2130 x 80%
    assert unemployment_amount("guangzhou", ["2015-06", "2018-04"]).tolist() == [1516.0, 1516.0]
    # the same notice prints 1705 for Guangzhou (1895 x 90% = 1705.5, shown in whole yuan);
    # no rounding rule is in the data, so the exact product is returned
    assert unemployment_amount("guangzhou", ["2018-05"]).tolist() == [1705.5]
    # 深圳本地宝 2024-09-18 (github szwnba/affweb#681): 2360 x 90% = 2124
    assert unemployment_amount("shenzhen", ["2024-09"]).tolist() == [2124.0]
    assert unemployment_amount("guangzhou", ["2023-06"]).tolist() == [2070.0]  # 90% x 2300
    # the share rule does not depend on years or benefit month; under one year: no entitlement
    assert unemployment_amount("guangzhou", ["2023-06"] * 3, years=[0.5, 3, 20],
                               benefit_month=[1, 1, 20]).tolist() == [0.0, 2070.0, 2070.0]


def test_unemployment_amount_beijing_2023_table():
    # 京人社发〔2023〕4号, from 2023-09-01: 2124 / 2151 / 2178 / 2205 / 2233; 13th month on: 2124
    years = [1, 4.99, 5, 9.99, 10, 14.99, 15, 19.99, 20, 35]
    got = unemployment_amount("beijing", ["2023-09"] * len(years), years=years)
    assert got.tolist() == [2124, 2124, 2151, 2151, 2178, 2178, 2205, 2205, 2233, 2233]
    got = unemployment_amount("beijing", ["2024-03"] * 3, years=20, benefit_month=[12, 13, 24])
    assert got.tolist() == [2233, 2124, 2124]
    # the 2023-08 month still pays the earlier standard (2023 notice: each band +90)
    assert unemployment_amount("beijing", ["2023-08"], years=20).tolist() == [2143.0]


def test_unemployment_amount_beijing_other_notices():
    # 2014 notice (自4月1日起): 1012 ... 1121; 京人社就发【2017】144号 (2017-09-01): 1292 ... 1401;
    # 京人社发〔2020〕8号 (2020-07-01): 1816 ... 1925; 京人社发〔2025〕9号 (2025-09-01): 2129 ... 2286
    assert unemployment_amount("beijing", ["2014-04", "2017-09", "2020-07", "2025-09"],
                               years=25).tolist() == [1121, 1401, 1925, 2286]
    assert unemployment_amount("beijing", ["2014-04", "2017-09", "2020-07", "2025-09"],
                               years=2, benefit_month=13).tolist() == [1012, 1292, 1816, 2129]
    assert unemployment_amount("beijing", ["2015-04"], years=0.5).tolist() == [0.0]
    # 2012-01 (xiangrikui 2012-01-14: 每档增加60元, 自1月1日起): 842 ... 951; 京人社就发〔2018〕133号 (2018-09-01): 1536 ... 1645;
    # 京人社就发【2016】146号 (2016-09-01): band 5 1321; 京人社就发[2019]72号 (2019-05-01): 1706
    assert unemployment_amount("beijing", ["2012-03", "2018-09", "2016-09", "2019-05"],
                               years=[25, 25, 25, 2]).tolist() == [951, 1645, 1321, 1706]


def test_unemployment_amount_shanghai_phases():
    # 沪人社规〔2022〕21号, from 2022-07-01: months 1-12 2055, 13-24 1644, 延长领取 1420
    got = unemployment_amount("shanghai", ["2022-07"] * 5, benefit_month=[1, 12, 13, 24, 25])
    assert got.tolist() == [2055, 2055, 1644, 1644, 1420]
    # 沪人社规〔2024〕13号: 2255 / 1804 / 1595
    assert unemployment_amount("shanghai", ["2024-07", "2025-06"], benefit_month=13).tolist() == [1804, 1804]


def test_unemployment_amount_shanghai_2014_by_years_and_age():
    # 沪人社就发[2014]10号 (from 2014-04-01): by contribution years and age
    years = [5, 5, 9.99, 10, 10, 24.9, 25]
    age = [34.9, 35, 40, 44.9, 45, 50, 30]
    assert unemployment_amount("shanghai", ["2014-06"] * 7, years=years, age=age).tolist() == \
        [1065, 1120, 1120, 1120, 1170, 1170, 1170]
    assert unemployment_amount("shanghai", ["2014-06"] * 3, years=[5, 12, 30], age=[30, 50, 40],
                               benefit_month=[13, 20, 30]).tolist() == [852, 936, 749]
    # 沪人社就发〔2016〕13号 (from 2016-04-01): 1415/1132/-, 1470/1176/941, 1520/1216/973
    assert unemployment_amount("shanghai", ["2016-04"] * 4, years=[3, 3, 12, 30], age=[30, 40, 50, 30],
                               benefit_month=[1, 25, 13, 1]).tolist() == [1415, 941, 1216, 1520]
    with pytest.raises(InputError, match="age: needed for shanghai in 2014-06"):
        unemployment_amount("shanghai", ["2014-06"], years=5)
    # the table has no extension amount for under-35s with under 10 years ('-')
    with pytest.raises(MissingParameterError, match="no shanghai table row"):
        unemployment_amount("shanghai", ["2014-06"], years=5, age=30, benefit_month=25)


def test_unemployment_amount_missing_data_raises():
    with pytest.raises(MissingParameterError, match="no value for beijing in 2011-06"):
        unemployment_amount("beijing", ["2011-06"], years=3)
    with pytest.raises(MissingParameterError, match="shanghai in 2013-05 .row 2."):
        unemployment_amount("shanghai", ["2023-05", "2013-05"])  # gap row, not 0
    with pytest.raises(MissingParameterError, match="shanghai in 2018-06"):
        unemployment_amount("shanghai", ["2018-06"])
    with pytest.raises(MissingParameterError, match="shenzhen in 2011-06"):
        unemployment_amount("shenzhen", ["2011-06"])
    with pytest.raises(MissingParameterError, match="guangzhou in 2011-06"):
        unemployment_amount("guangzhou", ["2011-06"])
    with pytest.raises(MissingParameterError, match="'chengdu'"):
        unemployment_amount("chengdu", ["2023-06"])
    with pytest.raises(MissingParameterError, match="national"):
        unemployment_amount("national", ["2023-06"])
    with pytest.raises(MissingParameterError, match="minimum_wage"):
        unemployment_amount("guangzhou", ["2027-06"])


def test_unemployment_amount_bad_input():
    with pytest.raises(InputError, match="years: needed for beijing in 2023-10"):
        unemployment_amount("beijing", ["2023-10"])
    with pytest.raises(InputError, match="benefit_month"):
        unemployment_amount("beijing", ["2023-10"], years=3, benefit_month=0)
    with pytest.raises(InputError, match="years: negative value in row 2"):
        unemployment_amount("beijing", ["2023-10", "2023-10"], years=[3, -1])
    with pytest.raises(InputError, match="years: 3 values for 2 months"):
        unemployment_amount("beijing", ["2023-10", "2023-10"], years=[3, 4, 5])


def test_unemployment_amount_vectorised():
    rng = np.random.default_rng(9)
    n = 20_000
    months = rng.choice(["2018-10", "2021-01", "2023-09", "2024-12", "2025-10"], n)
    years = rng.uniform(0, 30, n).round(2)
    bm = rng.integers(1, 25, n)
    got = unemployment_amount("beijing", months, years=years, benefit_month=bm)
    assert got.shape == (n,)
    sample = rng.choice(n, 40, replace=False)
    one = [unemployment_amount("beijing", [months[i]], years=years[i], benefit_month=bm[i])[0]
           for i in sample]
    assert got[sample].tolist() == one
    assert (got[years < 1] == 0).all() and (got[years >= 1] > 1500).all()
    sz = unemployment_amount("shenzhen", np.repeat(["2019-01", "2023-01"], n // 2))
    assert set(sz.tolist()) == {1980.0, 2124.0}  # 90% x 2200, 90% x 2360


def test_unemployment_cli(capsys):
    from wuxian.cli import main

    assert main(["benefits", "unemployment", "--years", "12", "--city", "beijing",
                 "--month", "2023-10", "--benefit-month", "13"]) == 0
    out = capsys.readouterr().out
    assert "up to 19 months" in out and "2,124.00 yuan" in out
    assert main(["benefits", "unemployment", "--years", "5", "--city", "shanghai",
                 "--month", "2014-06", "--age", "40"]) == 0
    assert "1,120.00 yuan" in capsys.readouterr().out
    assert main(["benefits", "unemployment", "--years", "3", "--city", "shanghai",
                 "--month", "2013-06"]) == 2
    assert "no value collected for shanghai in 2013-06" in capsys.readouterr().err


def test_unemployment_amount_data_is_consistent():
    """Every rule row is sourced, and no two rows of a city claim the same case."""
    import pandas as pd

    t = pd.read_csv(NATIONAL_DIR / "unemployment_amount.csv")
    rules = t[t.method.notna()]
    assert rules.source.notna().all() and rules.confidence.isin(["high", "medium", "low"]).all()
    assert t[t.method.isna()].value.isna().all() and t[t.method.isna()].notes.str.startswith("gap").all()
    assert set(rules.method) == {"table", "share_of_minimum_wage"}
    lo = lambda c: t[c].fillna(-np.inf).to_numpy()  # noqa: E731
    hi = lambda c: t[c].fillna(np.inf).to_numpy()  # noqa: E731
    start = pd.PeriodIndex(t.period_start, freq="M").asi8
    end = pd.PeriodIndex(t.period_end, freq="M").asi8
    for city in t.city.unique():
        idx = np.flatnonzero(t.city.to_numpy() == city)
        for i in idx:
            for j in idx[idx > i]:
                overlap = (start[i] <= end[j] and start[j] <= end[i]
                           and lo("min_years")[i] < hi("max_years")[j] and lo("min_years")[j] < hi("max_years")[i]
                           and lo("min_age")[i] < hi("max_age")[j] and lo("min_age")[j] < hi("max_age")[i]
                           and lo("from_benefit_month")[i] <= hi("to_benefit_month")[j]
                           and lo("from_benefit_month")[j] <= hi("to_benefit_month")[i])
                assert not overlap, f"{city}: rows {i + 2} and {j + 2} overlap"


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


def test_unemployment_amount_beijing_2013_and_shanghai_2017_2020():
    # 北京 六项待遇 from 2013-01-01 (China.org.cn Korean edition 2012-12-28): each band +50 ->
    # 892 / 919 / 946 / 973 / 1001; 13th month on: first band 892; in force to 2014-03
    years = [1, 5, 10, 15, 20]
    assert unemployment_amount("beijing", ["2013-01"] * 5, years=years).tolist() == [892, 919, 946, 973, 1001]
    assert unemployment_amount("beijing", ["2014-03", "2014-04"], years=20,
                               benefit_month=13).tolist() == [892, 1012]
    assert unemployment_amount("beijing", ["2012-12"], years=20).tolist() == [951]
    # 上海 2017 (shanghaibang.com 2017-03-31: 4월 1일부터 1520 -> 1660; 13-24: 1328; 延长: 1063)
    assert unemployment_amount("shanghai", ["2017-04"] * 3, benefit_month=[1, 13, 25]).tolist() == [1660, 1328, 1063]
    # 沪人社规〔2020〕13号 news: from 2020-07-01 the maximum 1815 -> 1895 (months 1-12)
    assert unemployment_amount("shanghai", ["2020-06", "2020-07"]).tolist() == [1815, 1895]
    assert unemployment_amount("shanghai", ["2020-06"], benefit_month=13).tolist() == [1452]
    with pytest.raises(MissingParameterError, match="no value collected for shanghai in 2018-06"):
        unemployment_amount("shanghai", ["2018-06"], benefit_month=13)


def test_unemployment_months_follow_the_schedule_in_force():
    # 深圳经济特区失业保险条例 (1996), Xinhua 2012-06-30: 1 month per full half-year, cap 24
    assert unemployment_months([0.5, 3, 20], city="shenzhen", month="2012-08").tolist() == [1, 6, 24]
    # 广东省失业保险条例 (2013 revision) from 2014-07-01: 1 per year to 4, then 1 per half-year
    assert unemployment_months([3, 6], city="shenzhen", month=["2014-07", "2025-01"]).tolist() == [3, 8]
    assert unemployment_months([3], city="shenzhen").tolist() == [3]  # today's schedule
    # not collected: an error naming the month and the rows, never 0
    with pytest.raises(MissingParameterError, match="no shenzhen schedule collected for 2013-06 .row 2."):
        unemployment_months([3, 3], city="shenzhen", month=["2014-07", "2013-06"])
    with pytest.raises(MissingParameterError, match="guangzhou schedule collected for 2012-01"):
        unemployment_months([3], city="guangzhou", month="2012-01")
    with pytest.raises(InputError, match="month: 2 values for 3"):
        unemployment_months([1, 2, 3], month=["2020-01", "2020-02"])
    with pytest.raises(InputError, match="month"):
        unemployment_months([1], month="2020/01")
