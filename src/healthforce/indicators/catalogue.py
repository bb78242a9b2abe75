"""The indicator catalogue, aligned with WHO's National Health Workforce Accounts (NHWA).

Indicators register themselves (``@indicator``), the way an outside plugin would. Each returns an
Ibis expression with the columns ``area``, ``grp``, ``category``, ``numerator`` and
``denominator``; the value is numerator / denominator x ``scale``. Numerators and denominators
are counts, so every figure can be suppressed, summed and checked.

The definitions live by subject (``stock``, ``flows``, ``teams``); importing them here, in that
order, registers them in the catalogue's order.
"""

from healthforce.indicators import stock  # noqa: F401  (registers)

# isort: split
from healthforce.indicators import flows  # noqa: F401  (registers)

# isort: split
from healthforce.indicators import teams  # noqa: F401  (registers)
from healthforce.indicators.context import Context
from healthforce.indicators.definition import CATALOGUE, Indicator, indicator

__all__ = ["CATALOGUE", "Context", "Indicator", "indicator"]
