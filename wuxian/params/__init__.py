"""The parameter dataset: load and validate it, compile it, look it up by integer codes.

Examples
--------
>>> from wuxian import params
>>> cube = params.default_table().compile()
>>> cube.n_months > 12 * 14
True
"""

from .load import DATA_DIR, default_table, load
from ..months import month_index, month_label, parse_months
from .table import ParamCube, ParamTable
from .vocab import CATEGORIES, CITIES, ITEMS, SOCIAL_INSURANCE_ITEMS

__all__ = [
    "CATEGORIES", "CITIES", "DATA_DIR", "ITEMS", "SOCIAL_INSURANCE_ITEMS", "ParamCube",
    "ParamTable", "default_table", "load", "month_index", "month_label", "parse_months",
]
