"""Published unemployment-benefit values added to data/national/unemployment_amount.csv.

Each case names the document the value comes from.
"""
import pytest

from wuxian.benefits import unemployment_amount, unemployment_months
from wuxian.errors import MissingParameterError


def test_shenzhen_1996_regulation_flat_amounts():
    # 深圳市社保局 2011-06-28: from 2011-07-01 失业救济金 = 80% x 1100 (2010 minimum wage) = 880
    # 深圳市人社局 公告 2012-06-28 (1996 条例 art.19): from 2012-07-01, 80% x 1320 = 1056
    assert unemployment_amount("shenzhen", ["2012-01", "2012-06", "2012-07", "2012-12"]).tolist() == \
        [880, 880, 1056, 1056]


def test_shenzhen_2013_regulation_80_percent_of_current_minimum_wage():
    # 深圳经济特区失业保险若干规定 (2013-01-01): 1200 -> 1280 with the 2013-03-01 minimum wage (1500 -> 1600)
    assert unemployment_amount("shenzhen", ["2013-01", "2013-02", "2013-03", "2013-12"]).tolist() == \
        [1200, 1200, 1280, 1280]


def test_guangzhou_2002_regulation_80_percent():
    # 广东省失业保险条例 (2002) art.17: 80% of the local minimum wage (1300 until 2013-04)
    assert unemployment_amount("guangzhou", ["2012-01", "2013-04", "2013-05"]).tolist() == [1040, 1040, 1240]


def test_shanghai_2011_table_in_early_2012():
    # 沪人社就发[2011]30号 (from 2011-04-01): 1-10 years <35: 625; >=35: 680 / 544 / 515;
    # 10-25 years >=45 and 25+ years: 730 / 584 / 515
    got = unemployment_amount("shanghai", ["2012-03"] * 6, years=[3, 3, 3, 12, 30, 30],
                              age=[30, 40, 40, 50, 40, 40], benefit_month=[1, 1, 13, 13, 1, 25])
    assert got.tolist() == [625, 680, 544, 584, 730, 515]


def test_shanghai_2019_notice():
    # 上海市人社局 2019 notice (from 2019-04-01): 1770 -> 1815, 1416 -> 1452, 1133 -> 1162
    assert unemployment_amount("shanghai", ["2019-03"] * 3, benefit_month=[1, 13, 25]).tolist() == [1770, 1416, 1133]
    assert unemployment_amount("shanghai", ["2019-04"] * 3, benefit_month=[1, 13, 25]).tolist() == [1815, 1452, 1162]
    assert unemployment_amount("shanghai", ["2020-06", "2020-07"], benefit_month=13).tolist() == [1452, 1516]


def test_remaining_gaps_stay_blank():
    for month in ["2012-04", "2013-06", "2014-03", "2018-04", "2019-02"]:
        with pytest.raises(MissingParameterError, match=f"no value collected for shanghai in {month}"):
            unemployment_amount("shanghai", [month])


def test_shanghai_months_schedule():
    # 上海市失业保险办法 (沪府发〔1999〕7号): 2 months per full contribution year, cap 24
    assert unemployment_months([1, 5, 12, 20], city="shanghai").tolist() == [2, 10, 24, 24]
