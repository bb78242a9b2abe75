"""What an indicator is (:class:`Indicator`) and how one joins the catalogue (``@indicator``), the
way an outside plugin would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from healthforce.indicators.context import Context


@dataclass(frozen=True)
class Indicator:
    code: str
    nhwa: str | None
    name_es: str
    name_en: str
    definition_es: str
    definition_en: str
    unit: str
    numerator: str
    denominator: str
    disaggregations: tuple[str, ...]
    source: str
    scale: float
    compute: Callable[[Context], Any]
    by_group: bool = True  # disaggregated by occupation group

    @property
    def per_population(self) -> bool:
        """Whether the denominator is the population, the same for every occupation group
        (so an "all" row takes it once rather than adding it up over groups)."""
        return self.denominator == "population"


CATALOGUE: dict[str, Indicator] = {}


def indicator(
    code: str,
    nhwa: str | None,
    name: tuple[str, str],
    definition: tuple[str, str],
    unit: str,
    numerator: str,
    denominator: str,
    scale: float = 1.0,
    disaggregations: tuple[str, ...] = ("area", "occupation group", "year"),
    source: str = "registry",
    by_group: bool = True,
) -> Callable[[Callable[[Context], Any]], Callable[[Context], Any]]:
    def register(fn: Callable[[Context], Any]) -> Callable[[Context], Any]:
        CATALOGUE[code] = Indicator(
            code,
            nhwa,
            name[0],
            name[1],
            definition[0],
            definition[1],
            unit,
            numerator,
            denominator,
            disaggregations,
            source,
            scale,
            fn,
            by_group,
        )
        return fn

    return register
