"""wuxian: China's five social insurances and housing fund (五险一金) for whole payroll cohorts.

Examples
--------
>>> import wuxian
>>> sorted(wuxian.CITIES)
['beijing', 'guangzhou', 'shanghai', 'shenzhen']
"""

from .contributions import contributions
from .gap import gap, gap_scan, gap_summary
from .errors import InputError, MissingParameterError, ParameterError, WuxianError
from .params import CITIES, ITEMS
from .pension import Assumptions, pension_at_retirement, pension_from_file_frame, project_history
from .retirement import min_contribution_years, payout_months, retirement_bounds, retirement_month
from .transfer import claim_place, procedures, transfer_checklist, transfer_summary

__version__ = "0.1.0"
__all__ = [
    "Assumptions", "CITIES", "ITEMS", "InputError", "MissingParameterError", "ParameterError",
    "WuxianError", "claim_place", "contributions", "gap", "gap_scan", "gap_summary",
    "min_contribution_years", "payout_months", "pension_at_retirement", "pension_from_file_frame",
    "procedures", "project_history", "retirement_bounds", "retirement_month",
    "transfer_checklist", "transfer_summary",
]
