"""Code lists (vocabularies) of the registry, each code with its Spanish and English label.

A code list is data: the registry stores the code, the interface shows the label in the user's
language, and importers accept the code or either label.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Lang = Literal["es", "en"]
#: The Babel locale numbers and dates are written in, per language.
LOCALES: dict[str, str] = {"es": "es_VE", "en": "en"}


@dataclass(frozen=True, slots=True)
class CodeList:
    """A named vocabulary: code -> (Spanish label, English label)."""

    name: str
    labels: MappingProxyType[str, tuple[str, str]]

    @classmethod
    def of(cls, name: str, items: dict[str, tuple[str, str]]) -> CodeList:
        return cls(name, MappingProxyType(dict(items)))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, code: str, lang: Lang = "es") -> str:
        es, en = self.labels[code]
        return es if lang == "es" else en

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (code, Spanish or English label, any case) -> code."""
        out: dict[str, str] = {}
        for code, (es, en) in self.labels.items():
            for spelling in (code, es, en):
                out[spelling.casefold()] = code
        return out


#: Sex as HRIS exports record it: "O" where the law recognises another, "U" where it is not
#: recorded (counted as unknown, never as either).
SEX = CodeList.of(
    "sex",
    {
        "F": ("Femenino", "Female"),
        "M": ("Masculino", "Male"),
        "O": ("Otro", "Other"),
        "U": ("Desconocido", "Unknown"),
    },
)
#: Sexes that are recorded (the denominator of the share of women).
SEX_KNOWN = ("F", "M", "O")

AREA_LEVEL = CodeList.of(
    "area_level",
    {
        "country": ("País", "Country"),
        "state": ("Estado / región", "State / region"),
        "municipality": ("Municipio / comuna", "Municipality / commune"),
        "parish": ("Parroquia", "Parish"),
        "community": ("Comunidad", "Community"),
    },
)
AREA_LEVEL_DEPTH = {code: depth for depth, code in enumerate(AREA_LEVEL.codes)}

URBAN_RURAL = CodeList.of(
    "urban_rural",
    {"urban": ("Urbano", "Urban"), "rural": ("Rural", "Rural"), "mixed": ("Mixto", "Mixed")},
)

FACILITY_TYPE = CodeList.of(
    "facility_type",
    {
        "primary_care_centre": ("Consultorio / centro de atención primaria", "Primary care centre"),
        "health_post": ("Puesto de salud", "Health post"),
        "diagnostic_centre": ("Centro de diagnóstico integral", "Diagnostic centre"),
        "specialist_centre": ("Centro de especialidades", "Specialist centre"),
        "rehabilitation_centre": ("Sala de rehabilitación", "Rehabilitation centre"),
        "general_hospital": ("Hospital general", "General hospital"),
        "specialised_hospital": ("Hospital especializado", "Specialised hospital"),
        "teaching_hospital": ("Hospital universitario", "Teaching hospital"),
        "emergency_service": ("Servicio de urgencia", "Emergency service"),
        "laboratory": ("Laboratorio", "Laboratory"),
        "administrative": ("Oficina administrativa", "Administrative office"),
        "other": ("Otro", "Other"),
    },
)

LEVEL_OF_CARE = CodeList.of(
    "level_of_care",
    {
        "1": ("Primer nivel", "First level"),
        "2": ("Segundo nivel", "Second level"),
        "3": ("Tercer nivel", "Third level"),
    },
)

OWNERSHIP = CodeList.of(
    "ownership",
    {
        "public": ("Público", "Public"),
        "private_nfp": ("Privado sin fines de lucro", "Private not-for-profit"),
        "private_fp": ("Privado con fines de lucro", "Private for-profit"),
    },
)
SECTOR = OWNERSHIP  # NHWA sectors are the ownership classes of the employer.

FACILITY_STATUS = CodeList.of(
    "facility_status",
    {
        "open": ("En funcionamiento", "Open"),
        "planned": ("Planificado", "Planned"),
        "closed": ("Cerrado", "Closed"),
    },
)

WORKER_STATUS = CodeList.of(
    "worker_status",
    {
        "active": ("Activo", "Active"),
        "on_leave": ("De permiso", "On leave"),
        "retired": ("Jubilado", "Retired"),
        "emigrated": ("Emigrado", "Emigrated"),
        "deceased": ("Fallecido", "Deceased"),
        "left_sector": ("Fuera del sector", "Left the sector"),
    },
)

PROGRAMME = CodeList.of(
    "programme",
    {
        "national": ("Formación nacional", "National training"),
        "community_medicine": ("Medicina integral comunitaria", "Community medicine programme"),
        "international_cooperation": ("Cooperación internacional", "International cooperation"),
        "foreign_recruited": ("Contratación en el extranjero", "Recruited abroad"),
        "private": ("Formación privada", "Private training"),
    },
)

LICENCE_STATUS = CodeList.of(
    "licence_status",
    {
        "active": ("Vigente", "Active"),
        "expired": ("Vencida", "Expired"),
        "suspended": ("Suspendida", "Suspended"),
        "none": ("Sin licencia", "None"),
    },
)

CONTRACT_TYPE = CodeList.of(
    "contract_type",
    {
        "permanent": ("Fijo", "Permanent"),
        "temporary": ("Contratado", "Temporary"),
        "cooperation": ("Cooperación internacional", "International cooperation"),
        "residency": ("Residencia / pasantía", "Residency / internship"),
    },
)

MOVEMENT_KIND = CodeList.of(
    "movement_kind",
    {
        "entry": ("Ingreso", "Entry"),
        "exit": ("Egreso", "Exit"),
        "transfer": ("Traslado", "Transfer"),
        "emigration": ("Emigración", "Emigration"),
        "return": ("Retorno", "Return"),
    },
)

MOVEMENT_REASON = CodeList.of(
    "movement_reason",
    {
        "graduation": ("Egreso de formación", "Graduation"),
        "recruitment": ("Contratación", "Recruitment"),
        "cooperation_start": ("Inicio de misión de cooperación", "Cooperation term start"),
        "cooperation_end": ("Fin de misión de cooperación", "Cooperation term end"),
        "retirement": ("Jubilación", "Retirement"),
        "death": ("Fallecimiento", "Death"),
        "resignation": ("Renuncia", "Resignation"),
        "dismissal": ("Despido", "Dismissal"),
        "end_of_contract": ("Fin de contrato", "End of contract"),
        "migration": ("Migración", "Migration"),
        "reassignment": ("Reasignación", "Reassignment"),
        "other": ("Otro", "Other"),
    },
)
VOLUNTARY_EXIT_REASONS = frozenset({"resignation", "migration"})
INVOLUNTARY_EXIT_REASONS = frozenset({"dismissal", "end_of_contract", "death", "cooperation_end"})

POPULATION_SEX = CodeList.of(
    "population_sex",
    {"F": ("Femenino", "Female"), "M": ("Masculino", "Male"), "T": ("Total", "Total")},
)

AGE_BAND = CodeList.of(
    "age_band",
    {
        **{
            f"{a}-{a + 4}": (f"{a} a {a + 4} años", f"{a} to {a + 4} years")
            for a in range(0, 80, 5)
        },
        "80+": ("80 años y más", "80 years and over"),
        "total": ("Todas las edades", "All ages"),
    },
)

REFERRAL_PRIORITY = CodeList.of(
    "referral_priority",
    {
        "urgent": ("Urgente", "Urgent"),
        "priority": ("Prioritaria", "Priority"),
        "routine": ("Ordinaria", "Routine"),
    },
)

REFERRAL_STATUS = CodeList.of(
    "referral_status",
    {
        "open": ("Abierta", "Open"),
        "waiting": ("En lista de espera", "Waiting"),
        "booked": ("Con cita", "Booked"),
        "closed": ("Cerrada", "Closed"),
        "cancelled": ("Anulada", "Cancelled"),
    },
)

#: The counter-referral: what the specialist sends back to the referring facility.
REFERRAL_OUTCOME = CodeList.of(
    "referral_outcome",
    {
        "back_to_first_level": (
            "Contrarreferido al primer nivel con indicaciones",
            "Back to the first level with instructions",
        ),
        "specialist_follow_up": (
            "Seguimiento por el especialista",
            "Follow-up by the specialist",
        ),
        "referred_on": ("Referido a otro nivel o servicio", "Referred on"),
        "admitted": ("Hospitalizado", "Admitted"),
        "no_show": ("No acudió", "Did not attend"),
        "not_needed": ("No requería atención especializada", "Specialist care not needed"),
    },
)

APPOINTMENT_STATUS = CodeList.of(
    "appointment_status",
    {
        "booked": ("Agendada", "Booked"),
        "confirmed": ("Confirmada", "Confirmed"),
        "attended": ("Atendida", "Attended"),
        "no_show": ("No acudió", "No-show"),
        "cancelled": ("Anulada", "Cancelled"),
        "rescheduled": ("Reprogramada", "Rescheduled"),
    },
)

CODE_LISTS: dict[str, CodeList] = {
    c.name: c
    for c in (
        SEX,
        AREA_LEVEL,
        URBAN_RURAL,
        FACILITY_TYPE,
        LEVEL_OF_CARE,
        OWNERSHIP,
        FACILITY_STATUS,
        WORKER_STATUS,
        PROGRAMME,
        LICENCE_STATUS,
        CONTRACT_TYPE,
        MOVEMENT_KIND,
        MOVEMENT_REASON,
        POPULATION_SEX,
        AGE_BAND,
        REFERRAL_PRIORITY,
        REFERRAL_STATUS,
        REFERRAL_OUTCOME,
        APPOINTMENT_STATUS,
    )
}


def name_key(name: str) -> str:
    """A place name as people write it, for matching: case, accents and spacing aside
    ("Petén", "PETEN" and " peten " are one name)."""
    import unicodedata

    bare = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
