"""The engine on the bundled data: rules that live in the data rows, checked end to end."""

import pytest

from tests.conftest import payroll
from wuxian import contributions
from wuxian.errors import InputError
from wuxian.params import default_table
from wuxian.params.coverage import coverage


def test_tier2_for_shenzhen_hukou_is_an_input_error():
    df = payroll(employee_id="a", city="深圳", month="2026-01", wage=10000.0,
                 category="深户", medical_tier=2)
    with pytest.raises(InputError, match=r"medical_tier2 does not apply to local_urban in "
                                         r"shenzhen 2026-01 \(深户 must join tier 1.*row 1\b"):
        contributions(df, base_method="current_month")


def test_tier2_for_nonlocal_uses_tier2_rates():
    # Shenzhen 2026: tier 2 = 1.5% employer / 0.5% employee (深圳市医疗保障办法, 市政府令第358号
    # art. 8) on the base within 6727..33633 (深圳市医保局 notice 2025-12-29)
    df = payroll(employee_id=["a", "b"], city="shenzhen", month="2026-01", wage=10000.0,
                 category="nonlocal_urban", medical_tier=[1, 2])
    out = contributions(df, base_method="current_month")
    assert out.medical_employer.tolist()[1] == 150.0 and out.medical_employee.tolist()[1] == 50.0
    assert out.medical_employee.tolist()[0] == 200.0


def test_shenzhen_tier_members_pay_their_tier_maternity():
    # 2014-03 under 深圳市社会医疗保险办法 (市政府令第256号), Kaizen 2014 SZ table: tier 1 pays
    # maternity 0.5% on the own wage within 2951..14754; tier 2 pays 0.2% on the 2012 SZ
    # on-post average 4918 (9.836 -> 9.84 yuan, half up to the fen); tier 3 has no maternity line.
    df = payroll(employee_id=["a", "b", "c"], city="shenzhen", month="2014-03", wage=10000.0,
                 category="nonlocal_rural", medical_tier=[1, 2, 3])
    out = contributions(df, base_method="current_month")
    assert out.maternity_employer.tolist() == [50.0, 9.84, 0.0]
    assert out.maternity_employee.tolist() == [0.0, 0.0, 0.0]
    # medical: tier 1 6.2% (6% + 0.2% local supplementary) of 10000; tiers 2/3 0.6% and 0.45% x 4918
    assert out.medical_employer.tolist() == [620.0, 29.51, 22.13]


def test_shenzhen_tier2_maternity_is_the_tier1_line_from_2023_10():
    # 市政府令第358号: one base for medical and maternity; tier 2's 2% has no maternity part
    df = payroll(employee_id=["a", "b"], city="shenzhen", month="2026-01", wage=10000.0,
                 category="nonlocal_urban", medical_tier=[1, 2])
    out = contributions(df, base_method="current_month")
    assert out.maternity_employer.tolist() == [50.0, 50.0]


def test_not_applicable_cells_are_not_counted_as_missing():
    cov = coverage(default_table(), by=("city",)).set_index("city")
    assert cov.loc["shenzhen", "not_applicable"] > 0
    assert cov.loc["beijing", "not_applicable"] == 0
