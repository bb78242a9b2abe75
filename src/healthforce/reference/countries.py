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


@cache
def country_spellings() -> dict[str, str]:
    """Every way an HRIS writes a country -> its alpha-3 code: alpha-2, alpha-3, the numeric
    code (with or without leading zeros), and the English and Spanish names (ISO's, the
    official and the common one), case, accents and spacing aside."""
    from healthforce.reference.codes import name_key

    spanish = _spanish()
    out: dict[str, str] = {}
    for c in pycountry.countries:
        names = [c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)]
        names += [spanish.gettext(n) for n in names if n]
        for spelling in (c.alpha_2, c.alpha_3, c.numeric, str(int(c.numeric)), *names):
            if spelling:
                out.setdefault(name_key(spelling), c.alpha_3)
    return out
