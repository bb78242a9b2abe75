"""Reference data shipped inside the package: code lists, ISCO-08 occupations,
cadres, specialties and countries."""

from healthforce.reference.codes import CODE_LISTS, CodeList, Lang
from healthforce.reference.countries import country_codes, country_name, is_country
from healthforce.reference.occupations import (
    CORE_GROUPS,
    Cadre,
    Occupation,
    cadres,
    occupation_groups,
    occupations,
    specialties,
)

__all__ = [
    "CODE_LISTS",
    "CORE_GROUPS",
    "Cadre",
    "CodeList",
    "Lang",
    "Occupation",
    "cadres",
    "country_codes",
    "country_name",
    "is_country",
    "occupation_groups",
    "occupations",
    "specialties",
]
