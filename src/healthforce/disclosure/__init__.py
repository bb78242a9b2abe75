"""Disclosure control over a whole release: its counts as one linked set of cells
(:mod:`~healthforce.disclosure.cells`), the cells withheld so that no small count can be
recovered (:mod:`~healthforce.disclosure.protect`), the attacker's linear programmes that check it
(:mod:`~healthforce.disclosure.audit`), and the figures derived from protected rows
(:mod:`~healthforce.disclosure.derive`)."""

from healthforce.disclosure.audit import Audit, Exposure, audit
from healthforce.disclosure.cells import Cells, Relation, cells
from healthforce.disclosure.protect import DEFAULT_THRESHOLD, Protected, protect

__all__ = [
    "DEFAULT_THRESHOLD",
    "Audit",
    "Cells",
    "Exposure",
    "Protected",
    "Relation",
    "audit",
    "cells",
    "protect",
]
