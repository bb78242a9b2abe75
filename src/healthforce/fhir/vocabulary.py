"""Code systems, identifier systems and extension addresses of the FHIR mapping."""

from __future__ import annotations

from typing import Any

BASE = "http://healthforce.org/fhir"
EXTENSION = f"{BASE}/StructureDefinition"
IHRIS = "http://ihris.org/fhir/StructureDefinition"

#: Identifier systems of the registry's natural keys.
AREA_ID = f"{BASE}/identifier/area"
FACILITY_ID = f"{BASE}/identifier/facility"
WORKER_ID = f"{BASE}/identifier/worker"
POST_ID = f"{BASE}/identifier/post"
ASSIGNMENT_ID = f"{BASE}/identifier/assignment"
NETWORK_ID = f"{BASE}/identifier/network"
#: HL7 v2 identifier types: national person identifier, licence number.
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"

#: Code systems.
ISCO_08 = "http://www.ilo.org/isco08"
SPECIALTY = f"{BASE}/CodeSystem/specialty"
FACILITY_TYPE = f"{BASE}/CodeSystem/facility-type"
QUALIFICATION = f"{BASE}/CodeSystem/qualification"  # "licence": a licence to practise
MCSD_TYPES = "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types"
PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
ISO_3166 = "urn:iso:std:iso:3166"

#: Extensions: the standard outline, iHRIS's own, and Healthforce's for the registry's fields.
BOUNDARY = "http://hl7.org/fhir/StructureDefinition/location-boundary-geojson"
IHRIS_NATIONALITY = f"{IHRIS}/ihris-practitioner-nationality"
IHRIS_RESIDENCE = f"{IHRIS}/ihris-practitioner-residence"
IHRIS_EMPLOYMENT_STATUS = f"{IHRIS}/ihris-practitionerrole-employment-status"


def ext(name: str) -> str:
    """The address of a Healthforce extension."""
    return f"{EXTENSION}/{name}"


#: FHIR administrative gender <-> the registry's sex.
GENDER_TO_SEX = {"female": "F", "male": "M", "other": "O", "unknown": "U"}
SEX_TO_GENDER = {v: k for k, v in GENDER_TO_SEX.items()}
#: Location.status <-> facility status.
LOCATION_STATUS = {"open": "active", "planned": "suspended", "closed": "inactive"}
FACILITY_STATUS = {"active": "open", "suspended": "planned", "inactive": "closed"}
#: iHRIS employment status -> contract type (the rest say nothing about the contract).
IHRIS_CONTRACT = {"contract": "temporary"}

Resource = dict[str, Any]


def identifier(resource: Resource, system: str) -> str | None:
    """The value of a resource's identifier in ``system``."""
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("system") == system and ident.get("value"):
            return str(ident["value"])
    return None


def typed_identifier(resource: Resource, code: str) -> str | None:
    """The value of the identifier whose type is the v2-0203 ``code`` (NI, LN …)."""
    for ident in resource.get("identifier") or []:
        for coding in (
            ((ident.get("type") or {}).get("coding") or []) if isinstance(ident, dict) else []
        ):
            if coding.get("code") == code and ident.get("value"):
                return str(ident["value"])
    return None


def key_of(resource: Resource, system: str) -> str | None:
    """A resource's natural key: its identifier in ``system``, else its first identifier that
    is not typed as another kind (national id, licence), else its id."""
    own = identifier(resource, system)
    if own:
        return own
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("value") and not ident.get("type"):
            return str(ident["value"])
    rid = resource.get("id")
    return str(rid) if rid else None


def extension(resource: Resource, url: str) -> dict[str, Any] | None:
    for item in resource.get("extension") or []:
        if isinstance(item, dict) and item.get("url") == url:
            return item
    return None


def extension_values(resource: Resource) -> dict[str, Any]:
    """Every extension's value by its address (read once per resource)."""
    return {
        item["url"]: _value(item)
        for item in resource.get("extension") or ()
        if isinstance(item, dict) and "url" in item
    }


#: value[x] elements by name: None, the value itself; else the element of it that says it.
_VALUES: dict[str, str | None] = {
    **dict.fromkeys(
        (
            "valueCode",
            "valueString",
            "valueDate",
            "valueDateTime",
            "valueDecimal",
            "valueInteger",
            "valueBoolean",
            "valueUri",
        )
    ),
    "valueCoding": "code",
    "valueReference": "reference",
    "valueIdentifier": "value",
}


def _value(item: dict[str, Any]) -> Any:
    """An extension's value, whatever its type (valueString, valueCoding's code …)."""
    for key, value in item.items():
        if key in _VALUES:
            inner = _VALUES[key]
            if inner is None:
                return value
            return value.get(inner) if isinstance(value, dict) else None
        if key.startswith("value"):  # another value[x] type: the value as it is
            return value
    return None


def codes(concept: dict[str, Any] | None) -> list[tuple[str | None, str]]:
    """The (system, code) pairs of a CodeableConcept."""
    if not isinstance(concept, dict):
        return []
    return [
        (c.get("system"), str(c["code"]))
        for c in concept.get("coding") or []
        if isinstance(c, dict) and c.get("code") is not None
    ]


def coded(concept: dict[str, Any] | None, system: str, known: frozenset[str]) -> str | None:
    """The code of a concept in ``system``, or any of its codes the registry knows."""
    return coded_in(codes(concept), system, known)


def coded_in(pairs: list[tuple[str | None, str]], system: str, known: frozenset[str]) -> str | None:
    """:func:`coded` over a concept's (system, code) pairs read already."""
    for s, c in pairs:
        if s == system:
            return c
    for _s, c in pairs:
        if c in known:
            return c
    return None
