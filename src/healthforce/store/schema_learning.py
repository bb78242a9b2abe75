"""Entity specifications of competencies and learning pathways (courses, pathways,
completions, competency norms)."""

from __future__ import annotations

from healthforce.store.spec import EntitySpec, Ref, _f

COMPETENCY = EntitySpec(
    "competencies",
    "competency",
    ("code",),
    (
        _f("code", "str", "Código", "Code", required=True, max_length=60, identifier=True),
        _f("name_es", "str", "Nombre en español", "Spanish name", required=True, max_length=300),
        _f("name_en", "str", "Nombre en inglés", "English name", required=True, max_length=300),
    ),
    es="Competencias",
    en="Competencies",
)

COURSE = EntitySpec(
    "courses",
    "course",
    ("code",),
    (
        _f(
            "code",
            "str",
            "Nombre corto del curso",
            "Course short name",
            required=True,
            max_length=60,
            identifier=True,
        ),
        _f("name", "str", "Nombre", "Name", required=True, max_length=300),
        _f("provider", "str", "Proveedor", "Provider", max_length=200),
        _f("hours", "float", "Horas", "Hours", required=True, minimum=0.1, maximum=10_000),
        _f("modality", "str", "Modalidad", "Modality", max_length=20, default="virtual"),
        _f("validity_years", "int", "Vigencia (años)", "Validity (years)", minimum=1, maximum=50),
    ),
    es="Cursos",
    en="Courses",
)

COURSE_COMPETENCY = EntitySpec(
    "course_competencies",
    "course_competency",
    ("course", "competency"),
    (
        _f("course", "ref", "Curso", "Course", required=True, ref=Ref("courses", "course_code")),
        _f(
            "competency",
            "ref",
            "Competencia",
            "Competency",
            required=True,
            ref=Ref("competencies", "competency_code"),
        ),
    ),
    es="Competencias de los cursos",
    en="Competencies of courses",
)

PATHWAY = EntitySpec(
    "pathways",
    "pathway",
    ("code",),
    (
        _f("code", "str", "Código", "Code", required=True, max_length=60, identifier=True),
        _f("name", "str", "Nombre", "Name", required=True, max_length=300),
        _f(
            "occupation",
            "ref",
            "Ocupación (CIUO-08)",
            "Occupation (ISCO-08)",
            ref=Ref("occupations", "occupation_code"),
        ),
        _f(
            "facility_type",
            "code",
            "Tipo de establecimiento",
            "Facility type",
            code_list="facility_type",
        ),
        _f("ordered", "bool", "En orden", "Ordered", default=False),
    ),
    es="Rutas de aprendizaje",
    en="Learning pathways",
)

PATHWAY_COURSE = EntitySpec(
    "pathway_courses",
    "pathway_course",
    ("pathway", "course"),
    (
        _f("pathway", "ref", "Ruta", "Pathway", required=True, ref=Ref("pathways", "pathway_code")),
        _f("course", "ref", "Curso", "Course", required=True, ref=Ref("courses", "course_code")),
        _f("position", "int", "Orden", "Position", minimum=1, maximum=1000, default=1),
    ),
    es="Cursos de las rutas",
    en="Courses of pathways",
)

COMPLETION = EntitySpec(
    "completions",
    "completion",
    ("worker", "course", "completed_on"),
    (
        _f(
            "worker",
            "ref",
            "Identificador del trabajador",
            "Worker identifier",
            required=True,
            ref=Ref("workers", "worker_id"),
        ),
        _f("course", "ref", "Curso", "Course", required=True, ref=Ref("courses", "course_code")),
        _f(
            "completed_on",
            "date",
            "Fecha de aprobación",
            "Completion date",
            required=True,
            not_future=True,
        ),
        _f("score", "float", "Calificación (0-100)", "Score (0-100)", minimum=0, maximum=100),
        _f(
            "certificate_id",
            "str",
            "Certificado",
            "Certificate id",
            max_length=100,
            identifier=True,
        ),
        _f("source", "str", "Fuente", "Source", max_length=100),
    ),
    es="Cursos aprobados",
    en="Course completions",
)

COMPETENCY_NORM = EntitySpec(
    "competency_norms",
    "competency_norm",
    ("facility_type", "competency"),
    (
        _f(
            "facility_type",
            "code",
            "Tipo de establecimiento",
            "Facility type",
            required=True,
            code_list="facility_type",
        ),
        _f(
            "competency",
            "ref",
            "Competencia",
            "Competency",
            required=True,
            ref=Ref("competencies", "competency_code"),
        ),
        _f(
            "min_workers",
            "int",
            "Mínimo de certificados",
            "Minimum certified",
            minimum=1,
            maximum=1000,
            default=1,
        ),
    ),
    es="Normas de competencias",
    en="Competency norms",
)
