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


def test_the_whole_isco08_classification_with_the_nhwa_grouping() -> None:
    occ = occupations()
    assert len(occ) == 436  # every ISCO-08 unit group
    assert all(len(code) == 4 and code.isdigit() for code in occ)
    assert all(o.name_en and o.name_es for o in occ.values())
    # what a health ministry also employs: NHWA's health management and support personnel
    for code in ("2635", "8322", "2411", "1342", "4110"):
        assert occ[code].group == "management" and occ[code].category == "management_support"
    assert occ["8322"].name("es") == "Conductores de automóviles, taxis y camionetas"
    assert occ["2212"].category == "professionals"
    assert occ["3221"].category == "associates"
    assert occ["5321"].category == "personal_care"
    assert occupation_groups()["management"].name("en") == "Health management and support personnel"


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
