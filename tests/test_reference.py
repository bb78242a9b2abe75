from __future__ import annotations

from healthforce.reference import (
    CODE_LISTS,
    cadres,
    country_name,
    is_country,
    occupation_groups,
    occupations,
)
from healthforce.reference.occupations import isco88_warning


def test_isco08_codes_mean_what_isco08_says() -> None:
    occ = occupations()
    assert occ["2211"].group == "medical_doctors"
    assert occ["2221"].group == "nursing"  # in ISCO-88 2221 meant doctors
    assert occ["3253"].name("es") == "Trabajadores comunitarios de la salud"
    assert {o.group for o in occ.values()} <= set(occupation_groups())


def test_cadres_map_onto_occupations() -> None:
    assert cadres("VEN")["medico_integral_comunitario"].occupation_code == "2211"
    assert all(c.occupation_code in occupations() for c in cadres("VEN").values())


def test_isco88_files_are_spotted() -> None:
    assert isco88_warning({"2221", "3221"}) is not None
    assert isco88_warning({"2211", "2221"}) is None


def test_countries_come_from_iso3166() -> None:
    assert is_country("VEN") and is_country("cub")
    assert not is_country("WLD") and not is_country("TOT")
    assert country_name("DEU", "es") == "Alemania"
    assert country_name("VEN", "en").startswith("Venezuela")


def test_every_code_has_both_labels() -> None:
    for code_list in CODE_LISTS.values():
        for code, (es, en) in code_list.labels.items():
            assert es and en, (code_list.name, code)
        assert code_list.lookup()[code_list.codes[0].casefold()] == code_list.codes[0]
