"""The demo's training pipeline: institutions, programmes (a six-year community medicine
programme among them) and yearly cohorts with graduates and drop-outs."""

from __future__ import annotations

import numpy as np

#: code -> (name, occupation produced, duration in years, completion rate, intake per 100k workers)
PROGRAMMES = {
    "MIC": ("Medicina integral comunitaria", "2211", 6, 0.62, 900),
    "MED": ("Medicina (médico cirujano)", "2211", 6, 0.78, 700),
    "ENF": ("Licenciatura en enfermería", "2221", 5, 0.70, 800),
    "TSUE": ("Técnico superior universitario en enfermería", "3221", 3, 0.74, 1100),
    "BIO": ("Bioanálisis", "3212", 5, 0.72, 150),
    "ODO": ("Odontología", "2261", 5, 0.76, 120),
    "FAR": ("Farmacia", "2262", 5, 0.74, 90),
}
INSTITUTIONS = {
    "UCS": ("Universidad de las Ciencias de la Salud (demo)", "VE-A", ("MIC", "TSUE")),
    "UCV": ("Universidad Central (demo)", "VE-A", ("MED", "ENF", "BIO", "ODO", "FAR")),
    "LUZ": ("Universidad del Zulia (demo)", "VE-V", ("MED", "ENF", "BIO", "ODO")),
    "ULA": ("Universidad de Los Andes (demo)", "VE-L", ("MED", "ENF", "FAR")),
    "UC": ("Universidad de Carabobo (demo)", "VE-G", ("MED", "ENF", "BIO")),
}


def training_columns(
    workers: int, first_intake: int, last_intake: int, rng: np.random.Generator
) -> tuple[dict[str, list[object]], ...]:
    """Column-wise institutions, programmes and cohorts."""
    scale = workers / 100_000
    institutions: dict[str, list[object]] = {"code": [], "name": [], "area": [], "country": []}
    programmes: dict[str, list[object]] = {
        "code": [],
        "name": [],
        "institution": [],
        "occupation": [],
        "duration_years": [],
    }
    cohorts: dict[str, list[object]] = {
        "programme": [],
        "intake_year": [],
        "enrolled": [],
        "graduated": [],
        "dropped_out": [],
    }
    for icode, (iname, area, offered) in INSTITUTIONS.items():
        irow: tuple[object, ...] = (icode, iname, area, "VEN")
        for k, v in zip(institutions, irow, strict=True):
            institutions[k].append(v)
        for pcode in offered:
            name, occ, years, completion, intake = PROGRAMMES[pcode]
            code = f"{icode}-{pcode}"
            row: tuple[object, ...] = (code, name, icode, occ, years)
            for k, v in zip(programmes, row, strict=True):
                programmes[k].append(v)
            share = 1 / sum(pcode in inst[2] for inst in INSTITUTIONS.values())
            for year in range(first_intake, last_intake + 1):
                if pcode == "MIC" and year < 2005:
                    continue
                enrolled = int(rng.poisson(max(1.0, intake * scale * share)))
                done = year + years <= last_intake + 1
                rate = float(np.clip(rng.normal(completion, 0.04), 0.3, 0.95))
                graduated = round(enrolled * rate) if done else 0
                dropped = (
                    enrolled - graduated
                    if done
                    else round(enrolled * (1 - completion) * (last_intake + 1 - year) / years)
                )
                crow: tuple[object, ...] = (code, year, enrolled, graduated, dropped)
                for k, v in zip(cohorts, crow, strict=True):
                    cohorts[k].append(v)
    return institutions, programmes, cohorts
