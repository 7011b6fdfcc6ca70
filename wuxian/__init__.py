"""wuxian: China's five social insurances and housing fund (五险一金) for whole payroll cohorts.

Examples
--------
>>> import wuxian
>>> sorted(wuxian.CITIES)
['beijing', 'guangzhou', 'shanghai', 'shenzhen']
"""

from .contributions import contributions
from .benefits import (death_benefits, injury_disability, maternity_allowance,
                       maternity_leave_days, nursing_allowance, unemployment_amount,
                       unemployment_months, unemployment_transfer)
from .gap import gap, gap_pension_effect, gap_scan, gap_summary
from .iit import bonus_tax, bracket_tax, net_pay
from .errors import InputError, MissingParameterError, ParameterError, WuxianError
from .params import CITIES, ITEMS
from .pension import Assumptions, pension_at_retirement, pension_from_file_frame, project_history
from .retirement import min_contribution_years, payout_months, retirement_bounds, retirement_month
from .transfer import claim_place, procedures, transfer_checklist, transfer_summary

__version__ = "0.1.0"
__all__ = [
    "Assumptions", "CITIES", "ITEMS", "InputError", "MissingParameterError", "ParameterError",
    "WuxianError", "bonus_tax", "bracket_tax", "claim_place", "contributions",
    "death_benefits", "gap", "gap_pension_effect", "gap_scan", "gap_summary",
    "injury_disability", "maternity_allowance", "maternity_leave_days", "net_pay",
    "nursing_allowance", "unemployment_amount", "unemployment_months", "unemployment_transfer",
    "min_contribution_years", "payout_months", "pension_at_retirement", "pension_from_file_frame",
    "procedures", "project_history", "retirement_bounds", "retirement_month",
    "transfer_checklist", "transfer_summary",
]
