"""The observatory's indicators: an NHWA-aligned catalogue computed with Ibis on any backend.

Loading the package keeps the store's indicator summaries current at every change made in this
process (:mod:`healthforce.indicators.summary`)."""

from healthforce.indicators.summary import keep_current
from healthforce.store.upkeep import on_change

on_change(keep_current)
