"""Boundary and point files as GDAL reads them (through pyogrio): GeoJSON, TopoJSON (quantised
arcs included), zipped or plain Shapefiles, GeoPackage, FlatGeobuf and the rest of GDAL's vector
drivers. Coordinates come back as longitude/latitude on WGS 84, whatever the file's own
reference system; nothing here parses a format by hand."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from healthforce.errors import FileFormatError

WGS84 = "EPSG:4326"
#: Suffixes read as geographic files (anything else goes to the CSV/XLSX reader).
SUFFIXES = (
    ".geojson",
    ".topojson",
    ".json",
    ".zip",
    ".shp",
    ".gpkg",
    ".fgb",
    ".kml",
    ".gml",
)
#: Formats whose coordinates are longitude/latitude when they say nothing (RFC 7946; TopoJSON).
LONLAT_DRIVERS = ("GeoJSON", "GeoJSONSeq", "TopoJSON")


@dataclass
class Layer:
    """A layer's attribute columns (``fields[i]`` -> ``columns[i]``, one value per feature) and
    its geometries (None where a feature has none), in longitude/latitude."""

    file: str
    fields: list[str]
    columns: list[list[object]]
    geometries: list[BaseGeometry | None]
    crs: str

    def __len__(self) -> int:
        return len(self.geometries)


def is_geographic(path: Path) -> bool:
    """Whether a file is read as geography: by its suffix, or a JSON file whose first
    characters open an object (GeoJSON and TopoJSON)."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _zipped_shapefile(path) is not None
    if suffix in SUFFIXES:
        return True
    if suffix in (".csv", ".txt", ".xlsx", ".xlsm", ".tsv"):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith(b"{")


def read_layer(path: Path, *, layer: str | None = None, crs: str | None = None) -> Layer:
    """The features of ``path`` (its only layer, or ``layer``); ``crs`` (such as "EPSG:32616")
    is the reference system of a file that does not say (a Shapefile without its .prj).
    FileFormatError, naming the file, for anything GDAL cannot read."""
    import pyogrio
    import pyogrio.errors as gdal_errors

    name = str(path)
    if not path.is_file():
        raise FileFormatError(name, "no such file / no existe el archivo")
    source = _source(path)
    failures = (
        gdal_errors.DataSourceError,
        gdal_errors.DataLayerError,
        gdal_errors.FieldError,
        gdal_errors.GeometryError,
        gdal_errors.CRSError,
    )
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(source)]
        if layer is None and len(layers) > 1:
            raise FileFormatError(
                name,
                f"the file has {len(layers)} layers ({', '.join(layers)}): choose one with "
                f"--layer / el archivo tiene varias capas: elija una con --layer",
            )
        if layer is not None and layer not in layers:
            raise FileFormatError(
                name,
                f"no layer {layer!r}; the file has {', '.join(layers)} / no existe la capa",
            )
        meta, _fids, wkb, values = pyogrio.raw.read(source, layer=layer, force_2d=True)
        driver = str(pyogrio.read_info(source, layer=layer).get("driver", ""))
    except failures as exc:
        raise FileFormatError(
            name, f"not a geographic file GDAL can read: {exc} / no es un archivo geográfico"
        ) from None
    own = meta.get("crs") or crs or (WGS84 if driver in LONLAT_DRIVERS else None)
    if own is None:
        raise FileFormatError(
            name,
            "the file does not say its coordinate reference system (a Shapefile's .prj is "
            "missing): add the .prj, or give --crs, for example --crs EPSG:4326 / el archivo "
            "no indica su sistema de referencia (falta el .prj): agréguelo o use --crs",
        )
    geometries = shapely.from_wkb(wkb) if wkb is not None else np.full(len(_fids), None)
    geometries = _to_wgs84(name, geometries, own)
    fields = [str(f) for f in meta["fields"]]
    columns = [[_plain(v) for v in column] for column in values]
    return Layer(name, fields, columns, list(geometries), own)


def _source(path: Path) -> str:
    if path.suffix.lower() != ".zip":
        return str(path)
    inner = _zipped_shapefile(path)
    if inner is None:
        raise FileFormatError(
            str(path), "the zip holds no .shp file / el zip no contiene ningún archivo .shp"
        )
    return f"/vsizip/{path}/{inner}"


def _zipped_shapefile(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            shps = [n for n in archive.namelist() if n.lower().endswith((".shp", ".gpkg"))]
    except (zipfile.BadZipFile, OSError):
        return None
    return shps[0] if shps else None


def _to_wgs84(name: str, geometries: np.ndarray, crs: str) -> np.ndarray:
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        own = CRS.from_user_input(crs)
    except CRSError as exc:
        raise FileFormatError(
            name, f"unknown coordinate reference system {crs!r}: {exc} / sistema desconocido"
        ) from None
    if own.equals(CRS.from_epsg(4326), ignore_axis_order=True) or own.equals(
        CRS.from_user_input("OGC:CRS84")
    ):
        return geometries
    transformer = Transformer.from_crs(own, CRS.from_epsg(4326), always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return np.asarray(shapely.transform(geometries, project))


def _plain(value: object) -> object:
    """Values as the importer reads them: numpy scalars as Python ones, NaN as missing."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
