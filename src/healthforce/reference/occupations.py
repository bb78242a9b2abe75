"""ISCO-08 occupations, their NHWA groups, national cadres and medical specialties.

Codes are ISCO-08 unit groups, the whole classification (436 of them, English and Spanish titles
as the ILO publishes them): a health ministry employs drivers, accountants and social workers as
well as doctors, and WHO's National Health Workforce Accounts count them as health management
and support personnel. The health occupations carry their NHWA occupation group
(``isco08_health.csv``); every other occupation falls in ``management``, health management and
support personnel. Beware of files coded in ISCO-88, where 2221 meant medical doctors: in
ISCO-08 2221 is nursing professionals. :func:`isco88_warning` spots the usual symptom.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from healthforce.reference.codes import Lang

#: The groups whose sum is WHO's SDG 3.c.1 "doctors, nurses and midwives" density.
CORE_GROUPS = ("medical_doctors", "nursing", "midwifery")


#: Where every occupation outside the health occupations belongs (NHWA: health management and
#: support personnel).
SUPPORT_GROUP = "management"

#: NHWA's four categories of the health workforce, in their order.
CATEGORIES = ("professionals", "associates", "personal_care", "management_support")


@dataclass(frozen=True, slots=True)
class Occupation:
    code: str
    group: str
    name_en: str
    name_es: str

    def name(self, lang: Lang = "es") -> str:
        return self.name_es if lang == "es" else self.name_en

    @property
    def category(self) -> str:
        """NHWA category: health professionals, health associate professionals, personal care
        workers in health services, or health management and support personnel."""
        return category_of(self.code, self.group)


@dataclass(frozen=True, slots=True)
class Named:
    """A coded thing with names in both languages (group, specialty)."""

    code: str
    name_en: str
    name_es: str

    def name(self, lang: Lang = "es") -> str:
        return self.name_es if lang == "es" else self.name_en


@dataclass(frozen=True, slots=True)
class Cadre:
    """A national cadre, mapped onto the ISCO-08 occupation it belongs to."""

    code: str
    occupation_code: str
    name_en: str
    name_es: str


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("healthforce.reference").joinpath("data", filename).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def category_of(code: str, group: str) -> str:
    """The NHWA category of an ISCO-08 unit group (see :data:`CATEGORIES`)."""
    if group == SUPPORT_GROUP:
        return "management_support"
    if code.startswith("532"):
        return "personal_care"
    return "associates" if code.startswith("3") else "professionals"


@cache
def health_occupations() -> dict[str, Occupation]:
    """The health occupations (ISCO-08 22, 32, 5321 and their kin) with their NHWA group."""
    return {r["code"]: Occupation(**r) for r in _rows("isco08_health.csv")}


@cache
def occupations() -> dict[str, Occupation]:
    """Every ISCO-08 unit group by code: the health occupations with their own group and
    names, every other occupation as health management and support personnel."""
    health = health_occupations()
    return {
        r["code"]: health.get(r["code"]) or Occupation(group=SUPPORT_GROUP, **r)
        for r in _rows("isco08.csv")
    }


@cache
def group_of() -> dict[str, str]:
    """ISCO-08 code -> NHWA occupation group (medical_doctors, nursing, ...)."""
    return {code: o.group for code, o in occupations().items()}


@cache
def occupation_groups() -> dict[str, Named]:
    """NHWA occupation groups (medical doctors, nursing, midwifery, ...) by code."""
    return {r["code"]: Named(**r) for r in _rows("occupation_groups.csv")}


@cache
def specialties() -> dict[str, Named]:
    """Medical specialties by code."""
    return {r["code"]: Named(**r) for r in _rows("specialties.csv")}


@cache
def cadres(country: str = "VEN") -> dict[str, Cadre]:
    """National cadres of a country (packaged for the demo country, Venezuela)."""
    return {r["code"]: Cadre(**r) for r in _rows(f"cadres_{country.lower()}.csv")}


def isco88_warning(codes_seen: set[str]) -> str | None:
    """A warning when a file's codes look like ISCO-88 (2221 without any 2211/2212)."""
    if "2221" in codes_seen and not codes_seen & {"2211", "2212"}:
        return (
            "The file has occupation 2221 but no 2211/2212: in ISCO-88 2221 meant medical "
            "doctors, in ISCO-08 it is nursing professionals. Check the coding. / El archivo "
            "tiene 2221 sin 2211/2212: en CIUO-88 2221 eran médicos, en CIUO-08 es enfermería."
        )
    return None
