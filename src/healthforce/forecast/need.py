"""Need: how many workers a population requires, three ways.

- **Population-based**: need = population x ratio per 10,000 (e.g. WHO's 44.5 doctors, nurses and
  midwives per 10,000).
- **Service-based**: need (FTE) = population x need or utilisation rate x services per case x
  minutes per service / 60 / productive hours per FTE per year.
- **WISN** (WHO Workload Indicators of Staffing Need), for facilities, exactly as in the WHO
  WISN user's manual (2010), steps 3 to 8:

  - available working time AWT = (A - (B + C + D + E)) x hours per day, with A the possible
    working days in a year, B public holidays, C annual leave, D sick leave, E other leave;
  - standard workload SW = AWT / unit time of the activity (or AWT x rate of working);
  - category allowance standards (support activities of all staff), each converted to a
    percentage of AWT (CAP = CAS / AWT x 100 when given in hours), and the category allowance
    factor CAF = 1 / (1 - total CAP / 100);
  - individual allowance standards (activities of some staff), IAF = total IAS / AWT;
  - required staff = sum(annual workload / SW) x CAF + IAF;
  - WISN difference = current staff - required staff; WISN ratio = current / required.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from healthforce.forecast.spec import Array


def population_need(population: Array, ratio_per_10k: float | Array) -> Array:
    """Workers needed for a population at a ratio per 10,000."""
    return np.asarray(np.asarray(population, dtype=float) * np.asarray(ratio_per_10k) / 10_000)


def service_need(
    population: Array,
    rate: float,
    services_per_case: float,
    minutes_per_service: float,
    productive_hours_per_fte: float,
) -> Array:
    """FTE needed to deliver a service to a population."""
    minutes = np.asarray(population, dtype=float) * rate * services_per_case * minutes_per_service
    return np.asarray(minutes / 60 / productive_hours_per_fte)


@dataclass(frozen=True)
class WorkingTime:
    """WISN step 3: the inputs of the available working time (days and hours per day)."""

    working_days: float  # A
    public_holidays: float  # B
    annual_leave: float  # C
    sick_leave: float  # D
    other_leave: float  # E
    hours_per_day: float

    @property
    def days(self) -> float:
        return self.working_days - (
            self.public_holidays + self.annual_leave + self.sick_leave + self.other_leave
        )

    @property
    def hours(self) -> float:
        """AWT in hours per year."""
        return self.days * self.hours_per_day


@dataclass(frozen=True)
class Activity:
    """A health service activity with its annual workload and its activity standard, given
    either as unit time (hours per activity) or as a rate of working (activities per hour)."""

    name: str
    annual_workload: float
    unit_hours: float | None = None
    rate_per_hour: float | None = None

    def standard_workload(self, awt_hours: float) -> float:
        """WISN step 5: SW = AWT / unit time, or AWT x rate of working."""
        if self.unit_hours is not None:
            return awt_hours / self.unit_hours
        if self.rate_per_hour is not None:
            return awt_hours * self.rate_per_hour
        raise ValueError(f"activity {self.name!r} needs unit_hours or rate_per_hour")


@dataclass(frozen=True)
class Allowance:
    """A support (category) or additional (individual) activity: hours per year per staff
    member (``hours``), or, for a category allowance, a percentage of working time."""

    name: str
    hours: float | None = None
    percent: float | None = None
    staff: float = 1.0  # individual allowances: how many staff members do it


@dataclass(frozen=True)
class WisnResult:
    awt_hours: float
    standard_workloads: dict[str, float]
    category_allowance_percent: float
    category_allowance_factor: float
    individual_allowance_factor: float
    required: float
    current: float

    @property
    def difference(self) -> float:
        """WISN difference: current - required (negative = shortage)."""
        return self.current - self.required

    @property
    def ratio(self) -> float:
        """WISN ratio: current / required (below 1 = shortage)."""
        return self.current / self.required if self.required else float("inf")


def wisn(
    time: WorkingTime,
    activities: list[Activity],
    category: list[Allowance],
    individual: list[Allowance],
    current_staff: float,
) -> WisnResult:
    """Required staff of one category in one facility (WISN steps 3 to 8)."""
    awt = time.hours
    sw = {a.name: a.standard_workload(awt) for a in activities}
    cap = 0.0
    for c in category:
        if c.percent is not None:
            cap += c.percent
        elif c.hours is not None:
            cap += c.hours / awt * 100
    if cap >= 100:
        raise ValueError("category allowances take all the working time (CAP >= 100%)")
    caf = 1 / (1 - cap / 100)
    ias = sum((c.hours or 0.0) * c.staff for c in individual)
    iaf = ias / awt
    required = sum(a.annual_workload / sw[a.name] for a in activities) * caf + iaf
    return WisnResult(awt, sw, cap, caf, iaf, required, current_staff)
