"""The demo's competencies, virtual-campus courses, learning pathways and completions.

Pathways: the primary care team pathway (every worker in a primary care centre), one for doctors
and one for nurses. About 60 % of those who need a course have completed it, on a date in the
four years before the reference date; courses with a validity must be renewed.
"""

from __future__ import annotations

import numpy as np

PROVIDER = "Campus Virtual de Salud Pública (demo)"
COMPETENCIES = {
    "aps": ("Atención primaria de salud", "Primary health care"),
    "ipc": ("Prevención y control de infecciones", "Infection prevention and control"),
    "teamwork": ("Trabajo en equipo interprofesional", "Interprofessional teamwork"),
    "bls": ("Soporte vital básico", "Basic life support"),
    "mental_health": ("Salud mental en atención primaria", "Mental health in primary care"),
    "maternal": ("Salud materna y neonatal", "Maternal and newborn health"),
}
#: code -> (name, hours, validity in years or None, competencies)
COURSES = {
    "APS101": ("Fundamentos de la atención primaria", 40, None, ("aps",)),
    "EQUIPO": ("Trabajo en equipo interprofesional", 20, None, ("teamwork",)),
    "PCI": ("Prevención y control de infecciones", 16, 2, ("ipc",)),
    "SVB": ("Soporte vital básico", 8, 2, ("bls",)),
    "MHGAP": ("Guía mhGAP de intervención", 30, None, ("mental_health",)),
    "MATERNA": ("Cuidados maternos y neonatales", 24, 3, ("maternal",)),
}
#: code -> (name, occupation or None, facility type or None, courses)
PATHWAYS = {
    "EQUIPO_APS": (
        "Equipo de atención primaria",
        None,
        "primary_care_centre",
        ("APS101", "EQUIPO", "PCI"),
    ),
    "MEDICOS": ("Médicos", "2211", None, ("SVB", "MHGAP")),
    "ENFERMERIA": ("Enfermería", "3221", None, ("PCI", "MATERNA")),
}
NORMS = {"primary_care_centre": ("aps", "ipc")}
SHARE_DONE = 0.6


def learning_columns(
    worker_ids: list[object],
    occupations: list[object],
    facility_types: list[object],
    active: np.ndarray,
    ref_day: int,
    rng: np.random.Generator,
) -> list[tuple[str, dict[str, list[object]]]]:
    steps: list[tuple[str, dict[str, list[object]]]] = [
        (
            "competencies",
            {
                "code": list(COMPETENCIES),
                "name_es": [v[0] for v in COMPETENCIES.values()],
                "name_en": [v[1] for v in COMPETENCIES.values()],
            },
        ),
        (
            "courses",
            {
                "code": list(COURSES),
                "name": [v[0] for v in COURSES.values()],
                "provider": [PROVIDER] * len(COURSES),
                "hours": [float(v[1]) for v in COURSES.values()],
                "validity_years": [v[2] for v in COURSES.values()],
            },
        ),
        (
            "course_competencies",
            {
                "course": [c for c, v in COURSES.items() for _ in v[3]],
                "competency": [k for v in COURSES.values() for k in v[3]],
            },
        ),
        (
            "pathways",
            {
                "code": list(PATHWAYS),
                "name": [v[0] for v in PATHWAYS.values()],
                "occupation": [v[1] for v in PATHWAYS.values()],
                "facility_type": [v[2] for v in PATHWAYS.values()],
            },
        ),
        (
            "pathway_courses",
            {
                "pathway": [p for p, v in PATHWAYS.items() for _ in v[3]],
                "course": [c for v in PATHWAYS.values() for c in v[3]],
                "position": [i + 1 for v in PATHWAYS.values() for i in range(len(v[3]))],
            },
        ),
        (
            "competency_norms",
            {
                "facility_type": [t for t, ks in NORMS.items() for _ in ks],
                "competency": [k for ks in NORMS.values() for k in ks],
                "min_workers": [1 for ks in NORMS.values() for _ in ks],
            },
        ),
    ]
    workers: list[object] = []
    courses: list[object] = []
    for i in np.flatnonzero(active).tolist():
        need: set[str] = set()
        for _name, occ, ftype, cs in PATHWAYS.values():
            if (occ is None or occ == occupations[i]) and (
                ftype is None or ftype == facility_types[i]
            ):
                need |= set(cs)
        for course in sorted(need):
            workers.append(worker_ids[i])
            courses.append(course)
    keep = rng.random(len(workers)) < SHARE_DONE
    days = ref_day - rng.integers(1, 4 * 365, int(keep.sum()))
    steps.append(
        (
            "completions",
            {
                "worker": [w for w, k in zip(workers, keep.tolist(), strict=True) if k],
                "course": [c for c, k in zip(courses, keep.tolist(), strict=True) if k],
                "completed_on": list(days.astype("datetime64[D]").tolist()),
                "score": np.round(rng.uniform(60, 100, int(keep.sum())), 1).tolist(),
                "source": [PROVIDER] * int(keep.sum()),
            },
        )
    )
    return steps
