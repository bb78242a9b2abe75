"""FHIR R4 interoperability with iHRIS and other HRIS that speak the IHE mCSD profiles.

The registry maps to four resource types:

- ``Location``: areas (mCSD *jurisdictions*, with their outline in the standard
  ``location-boundary-geojson`` extension) and facilities (mCSD *facilities*, their area as
  ``partOf``, their coordinates as ``position``);
- ``Organization``: the service networks facilities belong to (``managingOrganization``);
- ``Practitioner``: workers (identifiers, gender, birth date, qualifications with ISCO-08
  occupation codes, licence; nationality in iHRIS's own extension, the registry's other fields
  in Healthforce extensions);
- ``PractitionerRole``: posts and assignments (one role per assignment, and one without a
  practitioner per vacant post, as iHRIS records a vacant position).

Names, addresses and contacts that an HRIS holds are not read: the registry keeps none.
:mod:`.reading` reads bundles and NDJSON; :mod:`.to_registry` imports; :mod:`.from_registry`
exports; :mod:`.vocabulary` holds the systems and extension addresses.
"""
