"""Hand-checked gaps, one per city, on the bundled data (values in the comments are the data
rows in force: `wuxian params --city C --month M` prints them with their sources)."""

import pytest

from tests.conftest import payroll
from wuxian import gap


def one(city, month, wage, declared, category="local_urban"):
    df = payroll(employee_id="a", city=city, month=month, wage=wage, declared_base=declared,
                 category=category)
    return gap(df, base_method="current_month").iloc[0]


def test_beijing_wage_above_cap_gap_limited_by_cap():
    # 京人社发〔2025〕11号: base 7162..35811; pension 16/8, medical 8.8/2 (+大额互助 1% + 3 yuan),
    # unemployment 0.5/0.5, housing fund 12% to the yuan (cap 35811)
    g = one("beijing", "2025-08", 50000.0, 20000.0)
    assert g.gap_pension_employee == pytest.approx((35811 - 20000) * 0.08)  # 1264.88
    assert g.gap_medical_employee == pytest.approx(316.22)  # 716.22 - 400
    assert g.gap_medical_major_employee == 0  # the flat 3 yuan is paid either way
    assert g.gap_unemployment_employee == pytest.approx(79.06)  # 179.055 -> 179.06, - 100
    assert g.gap_housing_fund_employee == 4297 - 2400  # 35811 x 12% = 4297.32 -> 4297
    assert g.gap_employee_total == pytest.approx(3557.16)
    assert g.flag_underdeclared and not g.flag_below_floor


def test_shanghai_declared_below_floor_lawful_floor_applies():
    # 2025-07 notice: base 7460..37302; pension 16/8, medical 9/2, unemployment 0.5/0.5;
    # housing fund 7% to the yuan, floor 2690
    g = one("shanghai", "2025-08", 30000.0, 3000.0)
    assert g.flag_below_floor
    assert g.gap_pension_employee == pytest.approx((30000 - 7460) * 0.08)  # 1803.20
    assert g.gap_medical_employee == pytest.approx(450.80)
    assert g.gap_unemployment_employee == pytest.approx(112.70)  # 150.00 - 37.30
    assert g.gap_housing_fund_employee == 2100 - 210  # HF floor 2690 < 3000: declared stands
    assert g.gap_employee_total == pytest.approx(4256.70)


def test_guangzhou_basic_salary_with_item_floors():
    # 2020-07 year: pension 14/8 floor 3803; medical 5.5/2 and maternity 0.85 floor 6175;
    # 重大疾病 0.26% of 10292 (flat); unemployment 0.48/0.2 and injury 0.2 floor 2100; HF 12%
    g = one("guangzhou", "2020-08", 8000.0, 5000.0)
    assert g.gap_pension_employer == pytest.approx(420.00)  # 3000 x 14%
    assert g.gap_medical_employer == pytest.approx(100.37)  # 440.00 - 339.63 (floor 6175)
    assert g.gap_maternity_employer == pytest.approx(15.51)  # 68.00 - 52.49
    assert g.gap_medical_major_employer == 0  # flat on the average wage
    assert g.gap_employer_total == pytest.approx(916.28)
    assert g.gap_employee_total == pytest.approx(642.50)  # 240 + 36.50 + 6.00 + 360
    assert not g.flag_below_floor


def test_shenzhen_hukou_pays_supplementary_pension_and_uncapped_injury():
    # 2025-07 pension 4775..27549, 16% + 地方补充养老 1% (深户); medical 2026 6727..33633 at 6/2,
    # maternity 0.5; unemployment 1/0.5 on 2520..44265; injury 0.2 with no cap; HF 5%
    g = one("shenzhen", "2026-02", 40000.0, 10000.0)
    assert g.gap_pension_employer == pytest.approx(2807.84)  # 4407.84 - 1600
    assert g.gap_pension_supplementary_employer == pytest.approx(175.49)
    assert g.gap_injury_employer == pytest.approx(60.00)  # 80 - 20: no cap on the injury base
    assert g.gap_employer_total == pytest.approx(6379.48)
    assert g.gap_employee_total == pytest.approx(3526.58)
    nonlocal_ = one("shenzhen", "2026-02", 40000.0, 10000.0, category="nonlocal_urban")
    assert nonlocal_.gap_pension_supplementary_employer == 0
