"""Protect a whole release: which counts are withheld so that none of the small ones can be
recovered, and the release as it may then be published.

**Method: secondary cell suppression over the linked cells of the release, checked by the
attacker's linear programmes** (the approach of τ-ARGUS and sdcTable, with a greedy choice of
complements):

1. *Primary suppression*: every count of people from 1 to ``threshold - 1``.
2. *Complements*: every relation (:mod:`healthforce.disclosure.cells`) left with a single withheld
   cell gets a second one; then the audit (:mod:`healthforce.disclosure.audit`) computes, for
   each protected count, the interval an outsider can infer from everything published, and each
   count still exposed gets one more complement, in the relation that pins it down most tightly:
   the smallest published count of at least ``threshold`` there (else the largest). Repeated until
   the audit finds nothing exposed, which always ends: every round withholds at least one more
   cell, and a release with everything withheld exposes nothing.
3. *Rows*: a row is published only when every count it reads is; a withheld row carries neither
   numerator, denominator nor value. Figures derived from several rows (highest / lowest density,
   urban / rural ratio, Gini index, median age) are computed from published rows only
   (:mod:`healthforce.disclosure.derive`).

Cell suppression was chosen over the cell-key method of perturbation because every published
figure then stays exact (a ministry's figures add up and match its own registers), because the
guarantee can be checked exactly by the attacker's programmes, and because, linked over the whole
release, it withholds fewer rows than the per-table suppression it replaces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from healthforce.disclosure.audit import Audit, audit, protected_cells
from healthforce.disclosure.cells import DERIVED, Cells, Relation, cells
from healthforce.disclosure.derive import derived_figures

DEFAULT_THRESHOLD = 5
RULE = (
    "Counts of people from 1 to {k} are withheld, with complementary cells over the whole "
    "release (every indicator at every level, linked), so that no withheld count can be "
    "narrowed from the published figures to an interval shorter than {t} (checked by linear "
    "programming); a withheld row shows no numerator, denominator or value, and figures "
    "derived from several rows use published rows only. / Se ocultan los conteos de personas "
    "de 1 a {k}, con celdas complementarias en toda la publicación (todos los indicadores y "
    "niveles, enlazados), de modo que ningún conteo oculto pueda acotarse con las cifras "
    "publicadas a un intervalo menor que {t} (verificado por programación lineal); una fila "
    "oculta no muestra numerador, denominador ni valor, y las cifras derivadas de varias filas "
    "usan solo filas publicadas."
)


def rule_text(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The protection rule in words (es/en), as every public output states it."""
    return RULE.format(k=threshold - 1, t=threshold)


@dataclass(frozen=True)
class Protected:
    """A release as it may be published, and what the protection cost."""

    table: pd.DataFrame  # the release's rows, withheld ones without numbers, flag ``suppressed``
    cells: Cells  # the release's counts and relations
    unknown: np.ndarray  # the cells an outsider does not see (read by no published row)
    threshold: int

    @property
    def people(self) -> int:
        """Distinct counts of people in the release."""
        return int(self.cells.sensitive.sum())

    @property
    def people_withheld(self) -> int:
        return int((self.cells.sensitive & self.unknown).sum())

    @property
    def rows(self) -> int:
        """Rows of the release that read counts (derived figures aside): one per row the cells
        were read from."""
        return len(self.cells.numerator)

    @property
    def rows_withheld(self) -> int:
        return int(self.table["suppressed"].iloc[: self.rows].sum())

    @property
    def cell_loss(self) -> float:
        """The share of the release's counts of people withheld."""
        return self.people_withheld / self.people if self.people else 0.0

    @property
    def row_loss(self) -> float:
        """The share of the release's rows withheld."""
        return self.rows_withheld / self.rows if self.rows else 0.0

    def audit(self) -> Audit:
        """The attacker's result on exactly what is published."""
        return audit(self.cells, self.unknown, self.threshold)


def _partner(
    c: Cells,
    rel: Relation,
    withheld: np.ndarray,
    threshold: int,
    of_cell: dict[int, list[Relation]],
) -> int | None:
    """The published cell of ``rel`` to withhold with it; None when all are withheld.

    The choice that hides most for least: a count of at least ``threshold`` (two withheld cells
    of a relation then span the threshold); among those, one whose other relations already
    hold a withheld cell (withholding it leaves no relation with a single withheld cell, so the
    suppression does not cascade), then one that withholds the fewest rows not withheld yet,
    then the smallest; failing all, the largest count below the threshold.
    Counts of zero hide nothing and are never chosen."""
    candidates = [m for m in (*rel.members, rel.total) if not withheld[m] and c.values[m] > 0]
    if not candidates:
        return None

    def lost(m: int) -> int:  # rows that withholding m withholds that are not withheld yet
        return sum(1 for other in c.partners[m] if other < 0 or not withheld[other])

    def lonely(m: int) -> int:  # relations that withholding m would leave with one withheld
        return sum(
            1
            for r in of_cell.get(m, ())
            if r is not rel and not any(withheld[x] for x in (*r.members, r.total))
        )

    def cost(m: int) -> tuple[float, ...]:
        v = float(c.values[m])
        big = 0 if v >= threshold else 1
        return (big, lonely(m), lost(m), v if big == 0 else -v, m)

    return min(candidates, key=cost)


def _too_little_hidden(c: Cells, rel: Relation, withheld: np.ndarray, threshold: int) -> bool:
    """Whether an exact relation has a single withheld cell, or withheld cells adding up to
    less than the threshold (a bound hides what it bounds as far as it reaches: the audit
    judges it)."""
    if not rel.exact:
        return False
    inside = [m for m in (*rel.members, rel.total) if withheld[m]]
    if not inside:
        return False
    hidden = float(c.values[[m for m in inside if m != rel.total]].sum())
    if withheld[rel.total]:
        hidden = max(hidden, float(c.values[rel.total]))
    return len(inside) == 1 or hidden < threshold


def _complete_relations(
    c: Cells, withheld: np.ndarray, threshold: int, of_cell: dict[int, list[Relation]]
) -> None:
    """Withhold more in every relation whose withheld cells add up to less than the threshold
    (one withheld cell alone, or several small ones), until none is left: with the rest of the
    relation published, their sum is known, and none of them can be placed in a wider
    interval than that sum."""
    changed = True
    while changed:
        changed = False
        for rel in c.relations:
            if _too_little_hidden(c, rel, withheld, threshold):
                pick = _partner(c, rel, withheld, threshold, of_cell)
                if pick is not None:
                    withheld[pick] = True
                    changed = True


def suppression(c: Cells, threshold: int) -> np.ndarray:
    """The cells to withhold (primary and complementary) so that the audit finds none exposed."""
    withheld = protected_cells(c, threshold).copy()
    of_cell: dict[int, list[Relation]] = {}
    for rel in c.relations:
        for m in (*rel.members, rel.total):
            of_cell.setdefault(m, []).append(rel)
    exposed: np.ndarray | None = None  # what the last audit found exposed (None: not audited)
    cleaned = False
    while True:
        _complete_relations(c, withheld, threshold, of_cell)
        result = audit(c, withheld, threshold, only=exposed)
        if result.safe:
            if cleaned:
                return withheld
            # give back the complements not needed, then check the whole release again
            _publish_again(c, withheld, threshold, of_cell)
            cleaned, exposed = True, None
            continue
        added = False
        mended: set[int] = set()  # relations given a complement this round
        for e in result.exposed:
            if any(id(r) in mended for r in of_cell.get(e.cell, ())):
                continue  # its relation has one now: audited again next round
            found = _nearest_partner(c, e.cell, of_cell, withheld, threshold)
            if found is not None:
                pick, rel = found
                withheld[pick] = True
                mended.add(id(rel))
                added = True
        if not added:  # cannot happen: a cell linked to nothing published is not exposed
            raise RuntimeError("disclosure control: exposed cells with nothing left to withhold")
        exposed = np.zeros(len(c), dtype=bool)
        exposed[[e.cell for e in result.exposed]] = True


#: Complements read by at least this many rows are tried again (a denominator shared by every
#: share of its group): where most of the loss is, for a bounded and repeatable cost.
COSTLY = 3


def _publish_again(
    c: Cells, withheld: np.ndarray, threshold: int, of_cell: dict[int, list[Relation]]
) -> None:
    """Publish again each costly complement (:data:`COSTLY`) that is not needed, the costliest
    first (the rows it withholds): one is given back when no relation is then left with a
    single withheld cell or withheld cells adding up to less than the threshold, and the small
    counts linked to it (through its relations and theirs) all stay unexposed. The caller
    audits the whole release afterwards, and withholds again what that finds."""
    primary = protected_cells(c, threshold)
    complements = [
        int(m) for m in np.flatnonzero(withheld & ~primary) if len(c.partners[m]) >= COSTLY
    ]
    complements.sort(key=lambda m: (-len(c.partners[m]), -float(c.values[m]), m))
    for m in complements:
        withheld[m] = False
        if not _relations_hold(c, m, withheld, threshold, of_cell):
            withheld[m] = True
            continue
        near = np.zeros(len(c), dtype=bool)
        for rel in of_cell.get(m, ()):
            for x in (*rel.members, rel.total):
                if withheld[x]:
                    for other in of_cell.get(x, ()):
                        near[list(other.members)] = True
                        near[other.total] = True
        near &= primary
        if near.any() and not audit(c, withheld, threshold, only=near).safe:
            withheld[m] = True


def _relations_hold(
    c: Cells, m: int, withheld: np.ndarray, threshold: int, of_cell: dict[int, list[Relation]]
) -> bool:
    """Whether every exact relation of ``m`` still has no single withheld cell and no withheld
    cells adding up to less than the threshold."""
    return not any(_too_little_hidden(c, rel, withheld, threshold) for rel in of_cell.get(m, ()))


def _nearest_partner(
    c: Cells,
    cell: int,
    of_cell: dict[int, list[Relation]],
    withheld: np.ndarray,
    threshold: int,
) -> tuple[int, Relation] | None:
    """A complement for an exposed cell, and the relation it is taken from: the relation that
    pins it most tightly (fewest withheld cells), else the relations of the withheld cells linked
    to it, nearest first."""
    seen_cells, seen_rels = {cell}, set()
    frontier = [cell]
    while frontier:
        rels = [r for m in frontier for r in of_cell.get(m, []) if id(r) not in seen_rels]
        rels.sort(key=lambda r: sum(withheld[m] for m in (*r.members, r.total)))
        following = []
        for rel in rels:
            seen_rels.add(id(rel))
            pick = _partner(c, rel, withheld, threshold, of_cell)
            if pick is not None:
                return pick, rel
            following += [m for m in (*rel.members, rel.total) if m not in seen_cells]
            seen_cells.update(following)
        frontier = following
    return None


def _country(table: pd.DataFrame) -> str:
    areas = table.loc[table["level"] == "country", "area"]
    areas = areas[areas != "all areas"]
    return str(areas.iloc[0]) if len(areas) else ""


def protect(
    table: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    urban_rural: dict[str, str] | None = None,
) -> Protected:
    """The release ``table`` (the catalogue's rows, every indicator at both levels, as one
    linked set) protected at ``threshold``: see the module's text."""
    base = table[~table["code"].isin(DERIVED)].reset_index(drop=True)
    c = cells(base, _country(table))
    withheld = suppression(c, threshold)
    num, den = c.numerator, c.denominator
    hidden = np.zeros(len(base), dtype=bool)
    for refs in (num, den):
        hidden |= (refs >= 0) & withheld[np.maximum(refs, 0)]
    out = base.copy()
    out["numerator"] = out["numerator"].astype(float)
    out["denominator"] = out["denominator"].astype(float)
    out.loc[hidden, ["numerator", "denominator", "value"]] = np.nan
    out["suppressed"] = hidden
    # what is published: the cells of the rows shown (a cell read only by withheld rows is
    # unknown to an outsider too, which only widens what they can infer)
    shown = np.zeros(len(c), dtype=bool)
    for refs in (num, den):
        shown[refs[(refs >= 0) & ~hidden]] = True
    extra = derived_figures(table, out, c, shown, threshold, urban_rural or {})
    frame = pd.concat([out, extra], ignore_index=True) if len(extra) else out  # counts first
    return Protected(table=frame, cells=c, unknown=~shown, threshold=threshold)
