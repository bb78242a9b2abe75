"""National targets of the demo country, read from the real public files shipped in the package.

The demo is synthetic, but its orders of magnitude are real: Venezuela's population from the World
Bank, its doctor and nurse counts from WHO's National Health Workforce Accounts, and the
destinations of its emigrant doctors from OECD's foreign-trained doctors by country of training.
"""

from __future__ import annotations

from dataclasses import dataclass

from healthforce.ingest.sources import packaged, read_oecd, read_who_gho, read_worldbank

COUNTRY = "VEN"
DOCTORS_FILE = "HWF_0001-0005_medical_doctors.csv"
NURSES_FILE = "HWF_0006-0009_nursing_midwifery.csv"


@dataclass(frozen=True, slots=True)
class Calibration:
    population_by_year: dict[int, int]
    doctors: int
    doctors_year: int
    nurses: int
    nurses_year: int
    emigrant_doctor_destinations: dict[str, float]

    @property
    def latest_year(self) -> int:
        return max(self.population_by_year)

    @property
    def doctor_share_of_core(self) -> float:
        """Doctors among doctors + nurses, from WHO's latest counts."""
        return self.doctors / (self.doctors + self.nurses)


def _latest(file: str, indicator: str) -> tuple[int, int]:
    obs = [
        o
        for o in read_who_gho(packaged(file)).observations
        if o.indicator == indicator and o.location == COUNTRY
    ]
    latest = max(obs, key=lambda o: o.year)
    return int(latest.value), latest.year


def calibrate() -> Calibration:
    population = {
        o.year: int(o.value)
        for o in read_worldbank(packaged("SP.POP.TOTL.csv")).observations
        if o.location == COUNTRY
    }
    doctors, doctors_year = _latest(DOCTORS_FILE, "HWF_0002")
    nurses, nurses_year = _latest(NURSES_FILE, "HWF_0007")
    abroad = {
        o.location: o.value
        for o in read_oecd(packaged("HEALTH_WFMI_FTDS_2018_by_origin.csv")).observations
        if o.partner == COUNTRY and o.is_country
    }
    total = sum(abroad.values())
    return Calibration(
        population,
        doctors,
        doctors_year,
        nurses,
        nurses_year,
        {k: v / total for k, v in sorted(abroad.items())},
    )
