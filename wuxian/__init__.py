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

__version__ = "0.1.0"
__all__ = ["CITIES", "ITEMS", "InputError", "MissingParameterError", "ParameterError",
           "WuxianError", "contributions", "gap", "gap_scan", "gap_summary"]
