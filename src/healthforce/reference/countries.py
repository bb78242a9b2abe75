"""Countries, from pycountry's ISO 3166 data (never a hand-typed list)."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

from healthforce.reference.codes import Lang


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code."""
    return frozenset(c.alpha_3 for c in pycountry.countries)


def is_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-3 country code (not an aggregate like WLD, LCN, TOT)."""
    return code.upper() in country_codes()


@cache
def _spanish() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True)


def country_name(code: str, lang: Lang = "es") -> str:
    """The country's common name in Spanish or English."""
    country = pycountry.countries.get(alpha_3=code.upper())
    if country is None:
        raise KeyError(code)
    name: str = getattr(country, "common_name", None) or country.name
    return _spanish().gettext(country.name) if lang == "es" else name


@cache
def alpha2_to_alpha3() -> dict[str, str]:
    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}
