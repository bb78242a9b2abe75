"""What the outside world writes into the registry: one spec per entity.

The spec is the single definition behind validation, the write API, import templates and the
docs. Fields use the names a data clerk sees (``facility``, a facility code), not the store's
(``facility_id``); a :class:`Ref` field is resolved to the referenced row's id on write.
"""

from __future__ import annotations

from healthforce.store.schema_access import REFERRAL, SCHEDULE, check_zones
from healthforce.store.schema_learning import (
    COMPETENCY,
    COMPETENCY_NORM,
    COMPLETION,
    COURSE,
    COURSE_COMPETENCY,
    PATHWAY,
    PATHWAY_COURSE,
)
from healthforce.store.spec import (
    EARLIEST,
    LATEST,
    EntitySpec,
    Field,
    Kind,
    Ref,
    Rule,
    _f,
)

__all__ = [
    "EARLIEST",
    "ENTITIES",
    "KEY_COLUMN",
    "LATEST",
    "EntitySpec",
    "Field",
    "Kind",
    "Ref",
    "Rule",
]

AREA = EntitySpec(
    "areas",
    "area",
    ("code",),
    (
        _f(
            "code",
            "str",
            "Código oficial",
            "Official code",
            required=True,
            max_length=32,
            identifier=True,
        ),
        _f("name", "str", "Nombre", "Name", required=True, max_length=200),
        _f("level", "code", "Nivel", "Level", required=True, code_list="area_level"),
        _f(
            "parent",
            "ref",
            "Código del área superior",
            "Parent area code",
            ref=Ref("areas", "parent_id"),
        ),
        _f(
            "centroid_lat",
            "float",
            "Latitud del centroide",
            "Centroid latitude",
            minimum=-90,
            maximum=90,
        ),
        _f(
            "centroid_lon",
            "float",
            "Longitud del centroide",
            "Centroid longitude",
            minimum=-180,
            maximum=180,
        ),
        _f("urban_rural", "code", "Urbano/rural", "Urban/rural", code_list="urban_rural"),
        _f("boundary", "str", "Límite (GeoJSON)", "Boundary (GeoJSON)"),
        _f(
            "timezone",
            "str",
            "Zona horaria (IANA), si difiere del área superior",
            "Time zone (IANA), where it differs from the parent area",
            max_length=60,
        ),
    ),
    checks=(check_zones,),
    es="Áreas",
    en="Areas",
)

POPULATION = EntitySpec(
    "population",
    "area_population",
    ("area", "year", "sex", "age_band"),
    (
        _f(
            "area",
            "ref",
            "Código del área",
            "Area code",
            required=True,
            ref=Ref("areas", "area_id"),
        ),
        _f("year", "int", "Año", "Year", required=True, minimum=1900, maximum=2200),
        _f(
            "sex",
            "code",
            "Sexo (F, M o T)",
            "Sex (F, M or T)",
            code_list="population_sex",
            default="T",
        ),
        _f(
            "age_band",
            "code",
            "Grupo de edad (0-4 … 80+, total)",
            "Age band (0-4 … 80+, total)",
            code_list="age_band",
            default="total",
        ),
        _f("population", "int", "Población", "Population", required=True, minimum=0),
        _f("source", "str", "Fuente", "Source", max_length=200),
    ),
    es="Población",
    en="Population",
)

FACILITY = EntitySpec(
    "facilities",
    "facility",
    ("code",),
    (
        _f("code", "str", "Código", "Code", required=True, max_length=64, identifier=True),
        _f("name", "str", "Nombre", "Name", required=True, max_length=300),
        _f("type", "code", "Tipo", "Type", required=True, code_list="facility_type"),
        _f(
            "level_of_care",
            "code",
            "Nivel de atención",
            "Level of care",
            code_list="level_of_care",
        ),
        _f("ownership", "code", "Dependencia", "Ownership", required=True, code_list="ownership"),
        _f(
            "area",
            "ref",
            "Código del área",
            "Area code",
            required=True,
            ref=Ref("areas", "area_id"),
        ),
        _f("latitude", "float", "Latitud", "Latitude", minimum=-90, maximum=90),
        _f("longitude", "float", "Longitud", "Longitude", minimum=-180, maximum=180),
        _f("network", "str", "Red de servicios", "Service network", max_length=100),
        _f("status", "code", "Estado", "Status", code_list="facility_status", default="open"),
        _f("opened_on", "date", "Fecha de apertura", "Opened on"),
        _f("closed_on", "date", "Fecha de cierre", "Closed on"),
    ),
    rules=(
        Rule(
            "opened_on",
            "closed_on",
            False,
            "el cierre es anterior a la apertura",
            "closes before it opens",
        ),
    ),
    es="Establecimientos",
    en="Facilities",
)

WORKER = EntitySpec(
    "workers",
    "worker",
    ("external_id",),
    (
        _f(
            "external_id",
            "str",
            "Identificador",
            "Identifier",
            required=True,
            max_length=64,
            identifier=True,
        ),
        _f(
            "national_id",
            "str",
            "Cédula / documento",
            "National id",
            max_length=64,
            private=True,
            identifier=True,
            approval=True,
        ),
        _f("sex", "code", "Sexo", "Sex", required=True, code_list="sex"),
        _f("birth_date", "date", "Fecha de nacimiento", "Birth date", private=True),
        _f("nationality", "country", "Nacionalidad (ISO3)", "Nationality (ISO3)"),
        _f("birth_country", "country", "País de nacimiento (ISO3)", "Country of birth (ISO3)"),
        _f("training_country", "country", "País de formación (ISO3)", "Country of training (ISO3)"),
        _f(
            "occupation",
            "ref",
            "Ocupación (CIUO-08)",
            "Occupation (ISCO-08)",
            required=True,
            ref=Ref("occupations", "occupation_code"),
        ),
        _f("cadre", "ref", "Cargo nacional", "National cadre", ref=Ref("cadres", "cadre_code")),
        _f("qualification_date", "date", "Fecha de titulación", "Qualification date"),
        _f(
            "licence_number",
            "str",
            "Número de registro profesional",
            "Licence number",
            max_length=64,
            private=True,
            identifier=True,
            approval=True,
        ),
        _f(
            "licence_status",
            "code",
            "Estado del registro",
            "Licence status",
            code_list="licence_status",
            approval=True,
        ),
        _f(
            "licence_expiry",
            "date",
            "Vencimiento del registro",
            "Licence expiry",
            approval=True,
        ),
        _f(
            "residence_area",
            "ref",
            "Área de residencia",
            "Residence area",
            ref=Ref("areas", "residence_area_id"),
        ),
        _f(
            "residence_lat",
            "float",
            "Latitud de residencia",
            "Residence latitude",
            minimum=-90,
            maximum=90,
            private=True,
        ),
        _f(
            "residence_lon",
            "float",
            "Longitud de residencia",
            "Residence longitude",
            minimum=-180,
            maximum=180,
            private=True,
        ),
        _f("programme", "code", "Programa de origen", "Programme of origin", code_list="programme"),
        _f("status", "code", "Situación", "Status", required=True, code_list="worker_status"),
        _f("status_date", "date", "Fecha de la situación", "Status date"),
    ),
    rules=(
        Rule(
            "birth_date",
            "qualification_date",
            True,
            "la titulación no puede ser anterior al nacimiento",
            "qualified before birth",
        ),
    ),
    es="Trabajadores",
    en="Workers",
)

WORKER_SPECIALTY = EntitySpec(
    "worker_specialties",
    "worker_specialty",
    ("worker", "specialty"),
    (
        _f(
            "worker",
            "ref",
            "Identificador del trabajador",
            "Worker identifier",
            required=True,
            ref=Ref("workers", "worker_id"),
        ),
        _f(
            "specialty",
            "ref",
            "Especialidad",
            "Specialty",
            required=True,
            ref=Ref("specialties", "specialty_code"),
        ),
    ),
    es="Especialidades de los trabajadores",
    en="Workers' specialties",
)

POST = EntitySpec(
    "posts",
    "post",
    ("external_id",),
    (
        _f(
            "external_id",
            "str",
            "Identificador del cargo",
            "Post identifier",
            required=True,
            max_length=64,
            identifier=True,
        ),
        _f(
            "facility",
            "ref",
            "Código del establecimiento",
            "Facility code",
            required=True,
            ref=Ref("facilities", "facility_id"),
        ),
        _f(
            "occupation",
            "ref",
            "Ocupación (CIUO-08)",
            "Occupation (ISCO-08)",
            required=True,
            ref=Ref("occupations", "occupation_code"),
        ),
        _f(
            "specialty",
            "ref",
            "Especialidad",
            "Specialty",
            ref=Ref("specialties", "specialty_code"),
        ),
        _f("funded", "bool", "Presupuestado", "Funded", default=True),
        _f(
            "fte",
            "float",
            "Equivalente a tiempo completo",
            "Full-time equivalent",
            minimum=0.01,
            maximum=1,
            default=1.0,
        ),
    ),
    es="Cargos",
    en="Posts",
)

ASSIGNMENT = EntitySpec(
    "assignments",
    "assignment",
    ("external_id",),
    (
        _f(
            "external_id",
            "str",
            "Identificador de la asignación",
            "Assignment identifier",
            required=True,
            max_length=64,
            identifier=True,
        ),
        _f(
            "worker",
            "ref",
            "Identificador del trabajador",
            "Worker identifier",
            required=True,
            ref=Ref("workers", "worker_id"),
        ),
        _f(
            "post",
            "ref",
            "Identificador del cargo",
            "Post identifier",
            required=True,
            ref=Ref("posts", "post_id"),
        ),
        _f("start_date", "date", "Fecha de inicio", "Start date", required=True),
        _f("end_date", "date", "Fecha de fin", "End date"),
        _f(
            "fte",
            "float",
            "Equivalente a tiempo completo",
            "Full-time equivalent",
            minimum=0.01,
            maximum=1,
            default=1.0,
        ),
        _f("weekly_hours", "float", "Horas semanales", "Weekly hours", minimum=0.5, maximum=80),
        _f("sector", "code", "Sector", "Sector", code_list="ownership", default="public"),
        _f(
            "contract_type",
            "code",
            "Tipo de contrato",
            "Contract type",
            code_list="contract_type",
            default="permanent",
        ),
        _f(
            "term_months",
            "int",
            "Duración del término (meses)",
            "Term length (months)",
            minimum=1,
            maximum=600,
        ),
    ),
    rules=(
        Rule("start_date", "end_date", False, "termina antes de empezar", "ends before it starts"),
    ),
    es="Asignaciones",
    en="Assignments",
)

MOVEMENT = EntitySpec(
    "movements",
    "movement",
    ("external_id",),
    (
        _f(
            "external_id",
            "str",
            "Identificador del movimiento",
            "Movement identifier",
            required=True,
            max_length=64,
            identifier=True,
        ),
        _f(
            "worker",
            "ref",
            "Identificador del trabajador",
            "Worker identifier",
            required=True,
            ref=Ref("workers", "worker_id"),
        ),
        _f("kind", "code", "Tipo", "Kind", required=True, code_list="movement_kind"),
        _f("date", "date", "Fecha", "Date", required=True),
        _f(
            "origin_area",
            "ref",
            "Área de origen",
            "Origin area",
            ref=Ref("areas", "origin_area_id"),
        ),
        _f("origin_country", "country", "País de origen (ISO3)", "Origin country (ISO3)"),
        _f(
            "destination_area",
            "ref",
            "Área de destino",
            "Destination area",
            ref=Ref("areas", "destination_area_id"),
        ),
        _f(
            "destination_country", "country", "País de destino (ISO3)", "Destination country (ISO3)"
        ),
        _f("reason", "code", "Motivo", "Reason", code_list="movement_reason"),
    ),
    es="Movimientos",
    en="Movements",
)

TEAM_NORM = EntitySpec(
    "team_norms",
    "team_norm",
    ("facility_type", "occupation"),
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
            "occupation",
            "ref",
            "Ocupación (CIUO-08)",
            "Occupation (ISCO-08)",
            required=True,
            ref=Ref("occupations", "occupation_code"),
        ),
        _f(
            "headcount",
            "int",
            "Dotación requerida",
            "Required headcount",
            required=True,
            minimum=1,
            maximum=10000,
        ),
        _f("per_population", "int", "Por cada (habitantes)", "Per (population served)", minimum=1),
    ),
    es="Normas de equipo",
    en="Team norms",
)

INSTITUTION = EntitySpec(
    "training_institutions",
    "training_institution",
    ("code",),
    (
        _f("code", "str", "Código", "Code", required=True, max_length=40, identifier=True),
        _f("name", "str", "Nombre", "Name", required=True, max_length=300),
        _f("area", "ref", "Código del área", "Area code", ref=Ref("areas", "area_id")),
        _f("country", "country", "País (ISO3)", "Country (ISO3)", required=True),
    ),
    es="Instituciones formadoras",
    en="Training institutions",
)

PROGRAMME = EntitySpec(
    "training_programmes",
    "training_programme",
    ("code",),
    (
        _f("code", "str", "Código", "Code", required=True, max_length=40, identifier=True),
        _f("name", "str", "Nombre", "Name", required=True, max_length=300),
        _f(
            "institution",
            "ref",
            "Institución",
            "Institution",
            required=True,
            ref=Ref("training_institutions", "institution_id"),
        ),
        _f(
            "occupation",
            "ref",
            "Ocupación que forma (CIUO-08)",
            "Occupation produced (ISCO-08)",
            required=True,
            ref=Ref("occupations", "occupation_code"),
        ),
        _f(
            "duration_years",
            "int",
            "Duración (años)",
            "Duration (years)",
            required=True,
            minimum=1,
            maximum=15,
        ),
    ),
    es="Programas de formación",
    en="Training programmes",
)

COHORT = EntitySpec(
    "training_cohorts",
    "training_cohort",
    ("programme", "intake_year"),
    (
        _f(
            "programme",
            "ref",
            "Programa",
            "Programme",
            required=True,
            ref=Ref("training_programmes", "programme_id"),
        ),
        _f(
            "intake_year",
            "int",
            "Año de ingreso",
            "Intake year",
            required=True,
            minimum=1900,
            maximum=2200,
        ),
        _f("enrolled", "int", "Inscritos", "Enrolled", required=True, minimum=0),
        _f("graduated", "int", "Egresados", "Graduated", minimum=0, default=0),
        _f("dropped_out", "int", "Deserciones", "Dropped out", minimum=0, default=0),
    ),
    es="Cohortes de formación",
    en="Training cohorts",
)

OCCUPATION = EntitySpec(
    "occupations",
    "occupation",
    ("code",),
    (
        _f(
            "code",
            "str",
            "Código CIUO-08",
            "ISCO-08 code",
            required=True,
            max_length=4,
            identifier=True,
        ),
        _f("group", "str", "Grupo", "Group", required=True, max_length=40),
        _f("name_en", "str", "Nombre en inglés", "English name", required=True, max_length=200),
        _f("name_es", "str", "Nombre en español", "Spanish name", required=True, max_length=200),
    ),
    es="Ocupaciones",
    en="Occupations",
)

CADRE = EntitySpec(
    "cadres",
    "cadre",
    ("code",),
    (
        _f("code", "str", "Código", "Code", required=True, max_length=60, identifier=True),
        _f(
            "occupation",
            "ref",
            "Ocupación (CIUO-08)",
            "Occupation (ISCO-08)",
            required=True,
            ref=Ref("occupations", "occupation_code"),
        ),
        _f("name_en", "str", "Nombre en inglés", "English name", required=True, max_length=200),
        _f("name_es", "str", "Nombre en español", "Spanish name", required=True, max_length=200),
    ),
    es="Cargos nacionales",
    en="National cadres",
)

SPECIALTY = EntitySpec(
    "specialties",
    "specialty",
    ("code",),
    (
        _f("code", "str", "Código", "Code", required=True, max_length=60, identifier=True),
        _f("name_en", "str", "Nombre en inglés", "English name", required=True, max_length=200),
        _f("name_es", "str", "Nombre en español", "Spanish name", required=True, max_length=200),
    ),
    es="Especialidades",
    en="Specialties",
)

OBSERVATION = EntitySpec(
    "observations",
    "observation",
    ("source", "indicator", "location", "partner", "year"),
    (
        _f("source", "str", "Fuente", "Source", required=True, max_length=40),
        _f("indicator", "str", "Indicador", "Indicator", required=True, max_length=60),
        _f("location", "str", "Lugar", "Location", required=True, max_length=20),
        _f("partner", "str", "Contraparte", "Partner", max_length=20, default=""),
        _f("year", "int", "Año", "Year", required=True, minimum=1900, maximum=2200),
        _f("value", "float", "Valor", "Value", required=True),
        _f("low", "float", "Límite inferior", "Low"),
        _f("high", "float", "Límite superior", "High"),
        _f("is_country", "bool", "Es país", "Is a country", default=True),
        _f(
            "partner_is_country",
            "bool",
            "Contraparte es país",
            "Partner is a country",
            default=True,
        ),
        _f("comment", "str", "Comentario", "Comment"),
        _f("flag", "str", "Marca", "Flag", max_length=20),
        _f("vintage", "str", "Versión", "Vintage", required=True, max_length=40),
    ),
    es="Series publicadas",
    en="Published series",
)

#: Every entity, in an order where references point backwards.
ENTITIES: dict[str, EntitySpec] = {
    s.name: s
    for s in (
        OCCUPATION,
        CADRE,
        SPECIALTY,
        AREA,
        POPULATION,
        FACILITY,
        TEAM_NORM,
        WORKER,
        WORKER_SPECIALTY,
        POST,
        ASSIGNMENT,
        MOVEMENT,
        INSTITUTION,
        PROGRAMME,
        COHORT,
        OBSERVATION,
        COMPETENCY,
        COURSE,
        COURSE_COMPETENCY,
        PATHWAY,
        PATHWAY_COURSE,
        COMPLETION,
        COMPETENCY_NORM,
        SCHEDULE,
        REFERRAL,
    )
}

#: The column that holds each entity's natural key when it is a single column.
KEY_COLUMN = {name: spec.key[0] for name, spec in ENTITIES.items() if len(spec.key) == 1}
